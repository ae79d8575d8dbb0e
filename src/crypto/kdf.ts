// Key derivation: PBKDF2 (RFC 8018) and HKDF (RFC 5869, RFC 8619 OIDs).
import { hkdfSync, pbkdf2Sync } from "node:crypto";
import type { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { UnsupportedAlgorithmError } from "./errors.js";

export function pbkdf2(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  keyLength: number,
  prfHash: string,
): Uint8Array {
  return new Uint8Array(pbkdf2Sync(password, salt, iterations, keyLength, prfHash));
}

export function hkdf(
  hash: string,
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Uint8Array {
  return new Uint8Array(hkdfSync(hash, ikm, salt, info, length));
}

const HKDFS: Record<string, string> = {
  "1.2.840.113549.1.9.16.3.28": "sha256",
  "1.2.840.113549.1.9.16.3.29": "sha384",
  "1.2.840.113549.1.9.16.3.30": "sha512",
};

/** The hash of an id-alg-hkdf-with-sha* AlgorithmIdentifier. */
export function hkdfHash(alg: AlgorithmIdentifier): string {
  const h = HKDFS[alg.algorithm];
  if (!h)
    throw new UnsupportedAlgorithmError(
      alg.algorithm,
      `unsupported key derivation function ${alg.algorithm}`,
    );
  return h;
}
