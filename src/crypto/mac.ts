// MACs by OID (RFC 9481 §6.2) over the registry's HMAC table; constant-time comparison.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from "node:crypto";
import type { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { hmacInfo } from "./algorithms/hmacs.js";
import { UnsupportedAlgorithmError } from "./errors.js";

export function macAlgorithmInfo(alg: AlgorithmIdentifier): { name: string; hash: string } {
  const m = hmacInfo(alg.algorithm);
  if (!m) throw new UnsupportedAlgorithmError(alg.algorithm, `unsupported MAC algorithm ${alg.algorithm}`);
  return { name: m.name, hash: m.hash };
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
