// X.509 certificate reading helpers: DER/PEM decoding, summaries, extension lookup.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { nameToString } from "./names.js";

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: string;
  notAfter: string;
  publicKeyAlgorithm: string;
  signatureAlgorithm: string;
}

export function parseCertificate(der: Uint8Array): Certificate {
  return AsnParser.parse(der, Certificate);
}

export function certificateDer(cert: Certificate): Uint8Array {
  return new Uint8Array(AsnSerializer.serialize(cert));
}

/** Lowercase hex without a leading sign byte. */
export function serialHex(serial: ArrayBuffer | Uint8Array): string {
  let bytes = serial instanceof Uint8Array ? serial : new Uint8Array(serial);
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  return Buffer.from(bytes).toString("hex");
}

export function summarizeCertificate(cert: Certificate): CertificateSummary {
  const tbs = cert.tbsCertificate;
  return {
    subject: nameToString(tbs.subject),
    issuer: nameToString(tbs.issuer),
    serial: serialHex(tbs.serialNumber),
    notBefore: tbs.validity.notBefore.getTime().toISOString(),
    notAfter: tbs.validity.notAfter.getTime().toISOString(),
    publicKeyAlgorithm: tbs.subjectPublicKeyInfo.algorithm.algorithm,
    signatureAlgorithm: cert.signatureAlgorithm.algorithm,
  };
}

/** Splits PEM text into the DER of each block with the given label (any label when omitted). */
export function pemBlocks(text: string, label?: string): Uint8Array[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(re)) {
    if (label && m[1] !== label) continue;
    out.push(new Uint8Array(Buffer.from(m[2]!.replace(/\s+/g, ""), "base64")));
  }
  return out;
}

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
