// Pieces shared by the CMS modules: the CmsError type, DER and AlgorithmIdentifier helpers, and the
// issuerAndSerialNumber a recipient or signer is named by (RFC 5652 §10.2.4).
import { AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate } from "@peculiar/asn1-x509";
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
