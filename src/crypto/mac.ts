// MAC algorithms by OID (RFC 9481 §6.2): HMAC with SHA-1 / SHA-2 / SHA-3; constant-time comparison.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import type { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { UnsupportedAlgorithmError } from "./errors.js";

const HMACS = new Map<string, { name: string; hash: string }>([
  ["1.2.840.113549.2.7", { name: "hmacWithSHA1", hash: "sha1" }],
  ["1.3.6.1.5.5.8.1.2", { name: "hmac-sha1", hash: "sha1" }],
  ["1.2.840.113549.2.8", { name: "hmacWithSHA224", hash: "sha224" }],
  ["1.2.840.113549.2.9", { name: "hmacWithSHA256", hash: "sha256" }],
  ["1.2.840.113549.2.10", { name: "hmacWithSHA384", hash: "sha384" }],
  ["1.2.840.113549.2.11", { name: "hmacWithSHA512", hash: "sha512" }],
  ["2.16.840.1.101.3.4.2.13", { name: "id-hmacWithSHA3-224", hash: "sha3-224" }],
  ["2.16.840.1.101.3.4.2.14", { name: "id-hmacWithSHA3-256", hash: "sha3-256" }],
  ["2.16.840.1.101.3.4.2.15", { name: "id-hmacWithSHA3-384", hash: "sha3-384" }],
  ["2.16.840.1.101.3.4.2.16", { name: "id-hmacWithSHA3-512", hash: "sha3-512" }],
]);

export function macAlgorithmInfo(alg: AlgorithmIdentifier): { name: string; hash: string } {
  const m = HMACS.get(alg.algorithm);
  if (!m) throw new UnsupportedAlgorithmError(alg.algorithm, `unsupported MAC algorithm ${alg.algorithm}`);
  return m;
}

export function hmac(hash: string, key: Uint8Array | KeyObject, data: Uint8Array): Uint8Array {
  // A KeyObject keyed HMAC is markedly faster than one keyed by a Buffer.
  const k = key instanceof Uint8Array ? createSecretKey(key) : key;
  return new Uint8Array(createHmac(hash, k).update(data).digest());
}

export function computeMac(alg: AlgorithmIdentifier, key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(macAlgorithmInfo(alg).hash, key, data);
}

/** Constant-time equality; false for different lengths. */
export function timingSafeEqualBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
