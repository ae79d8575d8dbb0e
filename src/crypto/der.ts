// Minimal DER building for the raw key encodings the composite algorithms carry (SPKI / PKCS#8 of
// their component keys); decoding stays with the ASN.1 schemas.
import { oidDer as sharedOidDer } from "../asn1/der/oid.js";

export function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const b: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) b.unshift(v & 0xff);
  return Uint8Array.of(0x80 | b.length, ...b);
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  return new Uint8Array(Buffer.concat([Uint8Array.of(tag), derLength(body.length), body]));
}

/** DER OBJECT IDENTIFIER of a dotted OID: the shared encoder's bytes, as a copy of its own. */
export function oidDer(oid: string): Uint8Array {
  return sharedOidDer(oid).slice();
}

/** SubjectPublicKeyInfo from an encoded AlgorithmIdentifier and the raw key bits. */
export function spkiDer(algorithm: Uint8Array, key: Uint8Array): Uint8Array {
  return tlv(0x30, algorithm, tlv(0x03, Uint8Array.of(0), key));
}

/** OneAsymmetricKey (v1) from an encoded AlgorithmIdentifier and the privateKey OCTET STRING content. */
export function pkcs8Der(algorithm: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return tlv(0x30, tlv(0x02, Uint8Array.of(0)), algorithm, tlv(0x04, privateKey));
}

/** Named curves the composite algorithms use, by node name. */
export const EC_CURVE_OIDS: Readonly<Record<string, string>> = {
  prime256v1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  secp521r1: "1.3.132.0.35",
  brainpoolP256r1: "1.3.36.3.3.2.8.1.1.7",
  brainpoolP384r1: "1.3.36.3.3.2.8.1.1.11",
};

/** Uncompressed point sizes of those curves. */
export const EC_POINT_SIZES: Readonly<Record<string, number>> = {
  prime256v1: 65,
  secp384r1: 97,
  secp521r1: 133,
  brainpoolP256r1: 65,
  brainpoolP384r1: 97,
};
