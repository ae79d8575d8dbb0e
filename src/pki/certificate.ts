// X.509 certificate reading helpers: DER/PEM decoding, summaries, extension lookup.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { assertDer } from "./der.js";
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

/** A DER certificate; BER encodings and trailing bytes are refused (DerError). */
export function parseCertificate(der: Uint8Array): Certificate {
  assertDer(der, "certificate");
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

export { pemBlocks, toPem } from "./pem.js";
