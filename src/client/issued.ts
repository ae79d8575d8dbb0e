// Checks of an issued certificate before it is confirmed (RFC 9483 §4.1.1, §4.1.5): the requested key,
// a chain to a trust anchor (caPubs of a MAC-protected answer may serve as anchors), and the chain returned.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import type { ProtectionKind } from "../cmp/protection.js";
import { collectCrls, type CrlCheckOptions } from "./crl-check.js";
import { checkOcsp, OcspCheckError, type OcspCheckOptions } from "./ocsp-check.js";
import { certEntry, PathValidationError, validatePath, type CertEntry } from "../pki/path.js";

export interface IssuedCheck {
  certificate: Uint8Array;
  /** DER SubjectPublicKeyInfo that was asked to be certified. */
  spki: Uint8Array;
  extraCerts: Uint8Array[];
  caPubs: Uint8Array[];
  protection: ProtectionKind;
  anchors: readonly CertEntry[];
  untrusted: readonly Uint8Array[];
  trustCaPubsFromMac: boolean;
  now: Date;
  /** Check the certificate against CRLs (RFC 5280 §6.3, RFC 10007). */
  crlCheck?: CrlCheckOptions;
  /** Check the certificate with OCSP at the responder its authorityInfoAccess names (RFC 6960). */
  ocspCheck?: OcspCheckOptions;
}

export function isMacProtection(p: ProtectionKind): boolean {
  return p === "pbm" || p === "pbmac1";
}

/** Validates the new certificate; returns a reason to reject it, or undefined when it is fine. */
export async function checkIssued(c: IssuedCheck): Promise<string | undefined> {
  const cert = AsnParser.parse(c.certificate, Certificate);
  const got = new Uint8Array(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo));
  if (!Buffer.from(got).equals(Buffer.from(c.spki))) return "its public key is not the requested one";
  let anchors = c.anchors;
  if (anchors.length === 0 && isMacProtection(c.protection) && c.trustCaPubsFromMac) {
    // RFC 9483 §4.1.5: MAC protection authenticates caPubs, which may then serve as trust anchors.
    anchors = c.caPubs.map((d) => certEntry(d));
  }
  if (anchors.length === 0) return "no trust anchor to validate it (configure --trusted)";
  try {
    const pool = [...c.extraCerts, ...c.caPubs, ...c.untrusted];
    const chain = await validatePath(certEntry(c.certificate), {
      anchors: [...anchors],
      intermediates: pool.map((d) => certEntry(d)),
      time: c.now,
      crls: c.crlCheck ? await collectCrls([c.certificate, ...pool], c.crlCheck) : undefined,
      crlCheckAll: c.crlCheck?.all,
    });
    if (c.ocspCheck) await checkOcsp(chain, c.ocspCheck, c.now);
    return undefined;
  } catch (e) {
    if (e instanceof PathValidationError || e instanceof OcspCheckError) return e.message;
    return String(e);
  }
}

/** The pool's certificates without duplicates and without the certificate itself. */
export function chainOf(cert: Uint8Array, pool: Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const c of pool) {
    const k = Buffer.from(c).toString("base64");
    if (seen.has(k) || Buffer.from(c).equals(Buffer.from(cert))) continue;
    seen.add(k);
    out.push(c);
  }
  return out;
}
