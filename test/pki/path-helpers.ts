// Certificates for path validation tests: a small issuing helper over @peculiar/asn1-x509 that can
// also produce what lwcmp never issues (v1, odd serials, duplicate or missing extensions).
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  Certificate,
  Extension,
  Extensions,
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  NameConstraints,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import { defaultSignatureAlgorithm, generateKeyPair, sign, type PrivateKey } from "../../src/crypto/index.js";
import {
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  keyIdentifier,
  keyUsageExt,
  subjectAltNameExt,
  subjectKeyIdentifierExt,
} from "../../src/pki/extensions.js";
import { parseName } from "../../src/pki/names.js";
import { certEntry, type CertEntry } from "../../src/pki/path.js";

export const NOW = new Date("2030-06-01T00:00:00Z");

export interface Node {
  name: string;
  key: PrivateKey;
  entry: CertEntry;
}

export interface IssueSpec {
  subject: string;
  /** Issuer; self-signed when absent. */
  by?: Node;
  /** Key of the subject; a new P-256 key when absent. */
  key?: PrivateKey;
  ca?: boolean;
  pathLen?: number;
  bcCritical?: boolean;
  keyUsage?: Parameters<typeof keyUsageExt>[0] | null;
  san?: GeneralName[];
  extra?: Extension[];
  serial?: Uint8Array;
  version?: Version;
  noSki?: boolean;
  noAki?: boolean;
  notAfter?: Time;
}

function extensionsOf(s: IssueSpec, key: PrivateKey, issuerKey: PrivateKey): Extension[] {
  const exts: Extension[] = [];
  if (s.ca !== undefined) {
    const bc = basicConstraintsExt(s.ca, s.pathLen);
    if (s.bcCritical === false) bc.critical = false;
    exts.push(bc);
  }
  const ku =
    s.keyUsage === undefined ? (s.ca ? ["keyCertSign", "crlSign"] : ["digitalSignature"]) : s.keyUsage;
  if (ku) exts.push(keyUsageExt(ku as Parameters<typeof keyUsageExt>[0]));
  const spki = AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo);
  if (!s.noSki) exts.push(subjectKeyIdentifierExt(keyIdentifier(spki.subjectPublicKey)));
  const ispki = AsnParser.parse(issuerKey.publicKey.spki, SubjectPublicKeyInfo);
  if (!s.noAki) exts.push(authorityKeyIdentifierExt(keyIdentifier(ispki.subjectPublicKey)));
  if (s.san) exts.push(subjectAltNameExt(s.san));
  return [...exts, ...(s.extra ?? [])];
}

export function issue(s: IssueSpec): Node {
  const key = s.key ?? generateKeyPair("p256");
  const issuerKey = s.by?.key ?? key;
  const exts = s.version === Version.v1 ? [] : extensionsOf(s, key, issuerKey);
  const sigAlg = defaultSignatureAlgorithm(issuerKey);
  const serial = s.serial ?? Uint8Array.of(0x11, 0x22, 0x33);
  const tbs = new TBSCertificate({
    version: s.version ?? Version.v3,
    serialNumber: new Uint8Array(serial).buffer,
    signature: sigAlg,
    issuer: parseName(s.by?.name ?? s.subject),
    validity: new Validity(),
    subject: parseName(s.subject),
    subjectPublicKeyInfo: AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo),
    extensions: exts.length ? new Extensions(exts) : undefined,
  });
  tbs.validity.notBefore = new Time({ utcTime: new Date("2025-01-01T00:00:00Z") });
  tbs.validity.notAfter = s.notAfter ?? new Time({ utcTime: new Date("2040-01-01T00:00:00Z") });
  const tbsDer = new Uint8Array(AsnSerializer.serialize(tbs));
  const sig = sign(sigAlg, issuerKey, tbsDer);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: sigAlg,
    signatureValue: new Uint8Array(sig).buffer,
  });
  return { name: s.subject, key, entry: certEntry(new Uint8Array(AsnSerializer.serialize(cert))) };
}

export function rawExtension(oid: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: oid, critical, extnValue: new OctetString(AsnSerializer.serialize(value)) });
}

/** A critical nameConstraints extension. */
export function nameConstraintsExt(permitted: GeneralName[], excluded: GeneralName[] = []): Extension {
  const subtrees = (l: GeneralName[]) =>
    l.length ? new GeneralSubtrees(l.map((base) => new GeneralSubtree({ base }))) : undefined;
  return rawExtension(
    "2.5.29.30",
    true,
    new NameConstraints({ permittedSubtrees: subtrees(permitted), excludedSubtrees: subtrees(excluded) }),
  );
}
