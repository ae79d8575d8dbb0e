// Reading a certificate request (RFC 9483 §4.1): the CRMF template or PKCS#10 request, the oldCertID
// of a kur, proof-of-possession, and whether the KGA generates the key (RFC 9483 §4.1.6).
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  type Certificate,
  ExtendedKeyUsage,
  type Extension,
  Extensions,
  type GeneralName,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  KeyUsage,
  type Name,
  SubjectAlternativeName,
} from "@peculiar/asn1-x509";
import { CertId, type CertReqMsg } from "../../asn1/crmf.js";
import * as oids from "../../asn1/oids.js";
import { CmpError } from "../../cmp/errors.js";
import { bodyContentDer, type DecodedMessage } from "../../cmp/message.js";
import { popKind, templatePublicKey, verifySignaturePop } from "../../cmp/pop.js";
import type { Requester } from "../../cmp/server/types.js";
import type { PrivateKey, PublicKey } from "../../crypto/index.js";
import { techniqueFor, type Recipient } from "../../pki/cms/enveloped.js";
import { serialHex } from "../../pki/certificate.js";
import { csrPublicKey, verifyCsr } from "../../pki/csr.js";
import { namesEqual } from "../../pki/names.js";
import type { CaContext } from "../context.js";
import type { RequestedExtensions } from "../issuer.js";
import { centralKeyType, generateCentralKey, keyRecipient } from "../../cmp/kga.js";
import type { ProfilePolicy } from "../policy.js";

export interface EnrollmentInput {
  subject?: Name;
  oldSubject?: Name;
  publicKey: PublicKey;
  subjectAltNames: GeneralName[];
  /** keyUsage, extendedKeyUsage and basicConstraints asked for in the template or CSR. */
  requested: RequestedExtensions;
  notAfter?: Date;
  /** Indirect POP: the certificate goes out encrypted to the new key. */
  encrCert: boolean;
  /** Central key generation: the generated key and where it goes. */
  central?: { key: PrivateKey; recipient: Recipient };
}

function parseValue<T>(e: Extension, type: new () => T, what: string): T {
  try {
    return AsnParser.parse(e.extnValue.buffer, type);
  } catch {
    throw new CmpError("badCertTemplate", `the ${what} extension in the request is malformed`);
  }
}

/** The extensions a template or CSR asks for; RFC 5280 §4.2: each at most once. */
export function requestedExtensions(exts: readonly Extension[] | undefined): {
  subjectAltNames: GeneralName[];
  requested: RequestedExtensions;
} {
  const list = exts ?? [];
  const seen = new Set<string>();
  for (const e of list) {
    if (seen.has(e.extnID)) throw new CmpError("badCertTemplate", `extension ${e.extnID} is requested twice`);
    seen.add(e.extnID);
  }
  const find = (oid: string) => list.find((e) => e.extnID === oid);
  const san = find(id_ce_subjectAltName);
  const ku = find(id_ce_keyUsage);
  const eku = find(id_ce_extKeyUsage);
  const bc = find(id_ce_basicConstraints);
  const requested: RequestedExtensions = {};
  if (ku) requested.keyUsage = parseValue(ku, KeyUsage, "keyUsage").toJSON();
  if (eku) requested.extendedKeyUsage = [...parseValue(eku, ExtendedKeyUsage, "extendedKeyUsage")];
  if (bc) {
    const v = parseValue(bc, BasicConstraints, "basicConstraints");
    requested.basicConstraints = { ca: v.cA, pathLen: v.pathLenConstraint };
  }
  return {
    subjectAltNames: san ? [...parseValue(san, SubjectAlternativeName, "subjectAltName")] : [],
    requested,
  };
}

export function enrollmentInput(
  ca: CaContext,
  d: DecodedMessage,
  who: Requester,
  profile: ProfilePolicy,
): EnrollmentInput {
  if (d.bodyType === "p10cr") return p10crInput(d);
  const reqs = d.message.body[d.bodyType as "ir" | "cr" | "kur"]!;
  if (reqs.length !== 1) {
    throw new CmpError(
      "badRequest",
      `exactly one certificate request per message is supported, found ${reqs.length}`,
    );
  }
  const msg = reqs[0]!;
  if (msg.certReq.certReqId !== 0) throw new CmpError("badRequest", "certReqId must be 0 (RFC 9483 §4.1.1)");
  const t = msg.certReq.certTemplate;
  let publicKey = templatePublicKey(msg);
  let central: EnrollmentInput["central"];
  let encrCert = false;
  if (!publicKey) {
    // RFC 9483 §4.1.6: an empty subjectPublicKey asks for central key generation.
    if (!ca.materials.kga || !profile.centralKeyGeneration) {
      throw new CmpError("badCertTemplate", "central key generation (empty public key) is not offered here");
    }
    const recipient = keyRecipient(who, ca.policy.kgaPasswordKeyWrap);
    const key = generateCentralKey(centralKeyType(t.publicKey, msg.certReq.controls, profile.centralKeyType));
    central = { key, recipient };
    publicKey = key.publicKey;
  } else {
    encrCert = checkPop(msg, publicKey, who) === "encrCert";
  }
  let oldSubject: Name | undefined;
  if (d.bodyType === "kur" && who.kind === "cert") {
    const old = who.cert.cert;
    oldSubject = old.tbsCertificate.subject;
    checkOldCertId(msg, old);
    const oldKey = new Uint8Array(AsnSerializer.serialize(old.tbsCertificate.subjectPublicKeyInfo));
    if (Buffer.from(oldKey).equals(Buffer.from(publicKey.spki))) {
      throw new CmpError("badCertTemplate", "a key update needs a new key; the request repeats the old one");
    }
  }
  return {
    subject: t.subject,
    oldSubject,
    publicKey,
    ...requestedExtensions(t.extensions),
    notAfter: t.validity?.notAfter?.getTime(),
    encrCert,
    central,
  };
}

/** RFC 9483 §4.1.3: oldCertID, when present, names the certificate that protects the kur. */
function checkOldCertId(msg: CertReqMsg, old: Certificate): void {
  const ctl = msg.certReq.controls?.find((c) => c.type === oids.id_regCtrl_oldCertID);
  if (!ctl) return;
  let id: CertId;
  try {
    id = AsnParser.parse(ctl.value, CertId);
  } catch {
    throw new CmpError("badRequest", "the oldCertID control is malformed");
  }
  const sameSerial = serialHex(id.serialNumber) === serialHex(old.tbsCertificate.serialNumber);
  const sameIssuer =
    !id.issuer.directoryName || namesEqual(id.issuer.directoryName, old.tbsCertificate.issuer);
  if (!sameSerial || !sameIssuer) {
    throw new CmpError("badCertId", "oldCertID does not name the certificate that protects the key update");
  }
}

function checkPop(msg: CertReqMsg, key: PublicKey, who: Requester): "direct" | "encrCert" {
  const kind = popKind(msg);
  if (kind === "signature") {
    verifySignaturePop(msg, key);
    return "direct";
  }
  if (kind === "raVerified") {
    // RFC 9483 §5.2.3.2: only an authorized RA may vouch for the POP.
    if (who.kind === "cert" && who.source === "ra") return "direct";
    throw new CmpError("badPOP", "raVerified POP is accepted only from an authorized RA");
  }
  if (kind === "encrCert") {
    // RFC 9810 §5.2.8.3: the certificate is returned encrypted to the new key (KEM keys have no other POP).
    try {
      techniqueFor(key);
    } catch {
      throw new CmpError("badPOP", `a ${key.type} key cannot receive an encrypted certificate`);
    }
    return "encrCert";
  }
  throw new CmpError(
    "badPOP",
    kind === "none"
      ? "the request carries no proof-of-possession"
      : `proof-of-possession by ${kind} is not supported for this key; sign the request with the new key`,
  );
}

function p10crInput(d: DecodedMessage): EnrollmentInput {
  const csr = d.message.body.p10cr!;
  const info = csr.certificationRequestInfo;
  let publicKey: PublicKey;
  try {
    publicKey = csrPublicKey(csr);
  } catch {
    throw new CmpError("badCertTemplate", "the public key in the PKCS#10 request cannot be read");
  }
  // The CSR signature is its proof-of-possession (RFC 9483 §4.1.4), checked over the received bytes.
  const ok = verifyCsr(bodyContentDer(d), csr);
  if (!ok) throw new CmpError("badPOP", "the PKCS#10 request's signature does not verify");
  const extReq = info.attributes.find((a) => a.type === "1.2.840.113549.1.9.14");
  let exts: Extensions | undefined;
  if (extReq?.values[0]) {
    try {
      exts = AsnParser.parse(extReq.values[0], Extensions);
    } catch {
      throw new CmpError("badCertTemplate", "the extensionRequest of the PKCS#10 request is malformed");
    }
  }
  return { subject: info.subject, publicKey, ...requestedExtensions(exts), encrCert: false };
}
