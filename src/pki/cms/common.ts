// Pieces shared by the CMS modules: the CmsError type, DER and AlgorithmIdentifier helpers, and the
// identifiers a recipient or signer is named by: issuerAndSerialNumber or subjectKeyIdentifier (RFC 5652 §10.2.4).
import { AsnSerializer } from "@peculiar/asn1-schema";
import { AsnParser } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Certificate,
  id_ce_subjectKeyIdentifier,
  SubjectKeyIdentifier,
} from "@peculiar/asn1-x509";
import { IssuerAndSerialNumber } from "@peculiar/asn1-cms";

export class CmsError extends Error {
  override readonly name = "CmsError";
}

export const ab = (u: Uint8Array) => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
export const der = (v: unknown) => new Uint8Array(AsnSerializer.serialize(v));
export const algId = (oid: string, params?: ArrayBuffer) =>
  new AlgorithmIdentifier(params ? { algorithm: oid, parameters: params } : { algorithm: oid });
export const nullParams = () => new Uint8Array([5, 0]).buffer;

/** id-aes128-CBC, id-aes192-CBC, id-aes256-CBC (NIST arcs 2, 22, 42). */
export const AES_CBC_OID = /^2\.16\.840\.1\.101\.3\.4\.1\.(2|22|42)$/;

export function issuerAndSerial(cert: Certificate): IssuerAndSerialNumber {
  return new IssuerAndSerialNumber({
    issuer: cert.tbsCertificate.issuer,
    serialNumber: cert.tbsCertificate.serialNumber,
  });
}

/** Without a certificate (an encrypted certificate being opened) any recipient of the key's kind matches. */
export function sameIssuerSerial(
  a: IssuerAndSerialNumber | undefined,
  cert: Certificate | undefined,
): boolean {
  if (!cert) return true;
  return !!a && Buffer.from(der(a)).equals(Buffer.from(der(issuerAndSerial(cert))));
}

/** The certificate's subjectKeyIdentifier extension value, if it has one. */
export function subjectKeyId(cert: Certificate): Uint8Array | undefined {
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  if (!ext) return undefined;
  return new Uint8Array(AsnParser.parse(ext.extnValue, SubjectKeyIdentifier).buffer);
}

/** A recipient identifier: the subjectKeyIdentifier when the certificate has one, else issuer and serial. */
export function recipientId(
  cert: Certificate,
): { ski: SubjectKeyIdentifier } | { ias: IssuerAndSerialNumber } {
  const ski = subjectKeyId(cert);
  return ski ? { ski: new SubjectKeyIdentifier(ski) } : { ias: issuerAndSerial(cert) };
}

/**
 * Whether a recipient identifier (either choice) names `cert`; without a certificate (an encrypted
 * certificate being opened with the new key alone) any identifier matches.
 */
export function namesCertificate(
  rid: { issuerAndSerialNumber?: IssuerAndSerialNumber; subjectKeyIdentifier?: SubjectKeyIdentifier },
  cert: Certificate | undefined,
): boolean {
  if (!cert) return true;
  if (rid.subjectKeyIdentifier) {
    const ski = subjectKeyId(cert);
    return !!ski && Buffer.from(rid.subjectKeyIdentifier.buffer).equals(Buffer.from(ski));
  }
  return sameIssuerSerial(rid.issuerAndSerialNumber, cert);
}
