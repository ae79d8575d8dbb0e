// Password-based MAC protection (RFC 9810 §5.1.3.1 PasswordBasedMac, RFC 9481 §6.1.2 PBMAC1): the
// protectionAlg a sender writes, the MAC value over ProtectedPart, and the limits on received parameters.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { hash as oneShotHash } from "node:crypto";
import { PBMParameter } from "../asn1/itav.js";
import { id_hmac_sha1, id_hmacWithSHA1, id_PasswordBasedMac, id_PBKDF2, id_PBMAC1 } from "../asn1/oids.js";
import { PBKDF2Params, PBKDF2Salt, PBMAC1Params } from "../asn1/pkcs5.js";
import {
  computeMac,
  digest,
  digestName,
  digestOidForHash,
  hmacOidForHash,
  macAlgorithmInfo,
  pbkdf2,
  UnsupportedAlgorithmError,
} from "../crypto/index.js";
import { publicRandom } from "../crypto/public-random.js";
import { CmpError } from "./errors.js";
import { toArrayBuffer } from "./header.js";

/** Limits on attacker-chosen cost parameters of MAC protection. */
export interface MacLimits {
  /** Highest accepted PasswordBasedMac iterationCount / PBKDF2 iteration count. */
  maxIterations: number;
  /** Lowest accepted iteration count; never below MIN_MAC_ITERATIONS whatever is configured. */
  minIterations: number;
}
/** RFC 4211 §4.4 / RFC 9481 §6.1.1: iterationCount MUST be a minimum of 100 (sender and receiver). */
export const MIN_MAC_ITERATIONS = 100;
/** RFC 9481 §6.1 / RFC 8018 §4.1: a salt of at least 8 octets (64 bits). */
export const MIN_MAC_SALT_BYTES = 8;
export const DEFAULT_MAC_LIMITS: MacLimits = { maxIterations: 100_000, minIterations: MIN_MAC_ITERATIONS };

function algId(oid: string, params?: ArrayBuffer | null): AlgorithmIdentifier {
  return new AlgorithmIdentifier(
    params === undefined ? { algorithm: oid } : { algorithm: oid, parameters: params },
  );
}
function nullParams(): ArrayBuffer {
  return Uint8Array.of(0x05, 0x00).buffer;
}

function unsupportedHash(name: string | undefined): never {
  throw new UnsupportedAlgorithmError(name ?? "(none)", `unsupported hash "${name}" for MAC protection`);
}

/** Computes a PasswordBasedMac or PBMAC1 value over `data` (RFC 9810 §5.1.3.1, RFC 9481 §6.1). */
export function computeMacProtection(
  alg: AlgorithmIdentifier,
  secret: Uint8Array,
  data: Uint8Array,
  limits: MacLimits = DEFAULT_MAC_LIMITS,
): Uint8Array {
  if (alg.algorithm === id_PasswordBasedMac) return passwordBasedMac(alg, secret, data, limits);
  if (alg.algorithm === id_PBMAC1) return pbmac1(alg, secret, data, limits);
  throw new CmpError("badAlg", `protection algorithm ${alg.algorithm} is not a password-based MAC`);
}

/** The cost and hash choices of a received MAC protectionAlg, to answer with the same (RFC 9483 §4.1.5). */
export type MacParameters =
  | { kind: "pbm"; iterations: number; owf: string; mac: string }
  | { kind: "pbmac1"; iterations: number; hash: string };

/** Reads the parameters of a PasswordBasedMac or PBMAC1 protectionAlg; undefined when unreadable. */
export function macParameters(alg: AlgorithmIdentifier | undefined): MacParameters | undefined {
  try {
    if (alg?.algorithm === id_PasswordBasedMac) {
      const p = parseParams(alg, PBMParameter, "PasswordBasedMac");
      const mac = p.mac.algorithm === id_hmac_sha1 ? "sha1" : macAlgorithmInfo(p.mac).hash;
      return { kind: "pbm", iterations: p.iterationCount, owf: digestName(p.owf), mac };
    }
    if (alg?.algorithm === id_PBMAC1) {
      const p = parseParams(alg, PBMAC1Params, "PBMAC1");
      const kdf = parseParams(p.keyDerivationFunc, PBKDF2Params, "PBKDF2");
      return {
        kind: "pbmac1",
        iterations: kdf.iterationCount,
        hash: macAlgorithmInfo(p.messageAuthScheme).hash,
      };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function parseParams<T>(alg: AlgorithmIdentifier, type: new () => T, what: string): T {
  if (!alg.parameters) throw new CmpError("badAlg", `${what} parameters are missing`);
  try {
    return AsnParser.parse(alg.parameters, type);
  } catch (e) {
    throw new CmpError("badAlg", `${what} parameters are malformed`, { cause: e });
  }
}

function checkIterations(n: number, limits: MacLimits, what: string): void {
  // RFC 4211 §4.4: the minimum of 100 holds even where a caller configures less.
  const min = Math.max(limits.minIterations, MIN_MAC_ITERATIONS);
  if (!Number.isSafeInteger(n) || n < min || n > limits.maxIterations) {
    throw new CmpError(
      "badAlg",
      `${what} iteration count ${n} is outside the accepted range ${min}..${limits.maxIterations}`,
    );
  }
}

function checkSalt(salt: ArrayBuffer, what: string): void {
  if (salt.byteLength < MIN_MAC_SALT_BYTES) {
    throw new CmpError(
      "badAlg",
      `${what} salt of ${salt.byteLength} octets is shorter than ${MIN_MAC_SALT_BYTES} octets (RFC 9481 §6.1)`,
    );
  }
}

// RFC 9810 §5.1.3.1: BASEKEY = OWF^iterationCount(secret || salt); MAC keyed with BASEKEY.
function passwordBasedMac(alg: AlgorithmIdentifier, secret: Uint8Array, data: Uint8Array, limits: MacLimits) {
  const p = parseParams(alg, PBMParameter, "PasswordBasedMac");
  checkSalt(p.salt, "PasswordBasedMac");
  checkIterations(p.iterationCount, limits, "PasswordBasedMac");
  const owf = mapCrypto(() => digestName(p.owf), "OWF");
  const key = pbmBaseKey(owf, secret, new Uint8Array(p.salt), p.iterationCount);
  const macAlg = p.mac.algorithm === id_hmac_sha1 ? algId(id_hmacWithSHA1) : p.mac;
  return mapCrypto(() => computeMac(macAlg, key, data), "MAC");
}

/**
 * BASEKEYs by (OWF, secret, salt, iterationCount): a pure function of its inputs, so a hit is always
 * right; bounded, oldest entry out first. Keys are a digest of the inputs, never the secret itself.
 */
const baseKeys = new Map<string, Uint8Array>();
const MAX_BASE_KEYS = 1024;

function inputId(owf: string, secret: Uint8Array, salt: Uint8Array, iterations: number): string {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(secret.length, 0);
  head.writeUInt32BE(iterations, 4);
  return oneShotHash("sha256", Buffer.concat([Buffer.from(`${owf}\0`), head, secret, salt]), "base64");
}

function pbmBaseKey(owf: string, secret: Uint8Array, salt: Uint8Array, iterations: number): Uint8Array {
  const id = inputId(owf, secret, salt, iterations);
  const hit = baseKeys.get(id);
  if (hit) return hit;
  let key: Uint8Array;
  if (/^shake/i.test(owf)) {
    // SHAKE needs its output length, which only createHash takes.
    key = digest(owf, Buffer.concat([secret, salt]));
    for (let i = 1; i < iterations; i++) key = digest(owf, key);
  } else {
    // One-shot hashing: no Hash object per iteration.
    let k: Buffer = oneShotHash(owf, Buffer.concat([secret, salt]), "buffer");
    for (let i = 1; i < iterations; i++) k = oneShotHash(owf, k, "buffer");
    key = new Uint8Array(k.buffer, k.byteOffset, k.byteLength);
  }
  if (baseKeys.size >= MAX_BASE_KEYS) baseKeys.delete(baseKeys.keys().next().value!);
  baseKeys.set(id, key);
  return key;
}

// RFC 9481 §6.1.2 / RFC 8018 §7.1: key = PBKDF2(secret, salt, c, dkLen, prf); value = MAC(key, data).
function pbmac1(alg: AlgorithmIdentifier, secret: Uint8Array, data: Uint8Array, limits: MacLimits) {
  const p = parseParams(alg, PBMAC1Params, "PBMAC1");
  if (p.keyDerivationFunc.algorithm !== id_PBKDF2) {
    throw new CmpError("badAlg", `PBMAC1 key derivation ${p.keyDerivationFunc.algorithm} is not PBKDF2`);
  }
  const kdf = parseParams(p.keyDerivationFunc, PBKDF2Params, "PBKDF2");
  if (!kdf.salt.specified) throw new CmpError("badAlg", "PBKDF2 salt must be an OCTET STRING");
  checkSalt(kdf.salt.specified, "PBKDF2");
  checkIterations(kdf.iterationCount, limits, "PBKDF2");
  const prfHash = mapCrypto(() => macAlgorithmInfo(kdf.prf ?? algId(id_hmacWithSHA1)).hash, "PBKDF2 PRF");
  const macInfo = mapCrypto(() => macAlgorithmInfo(p.messageAuthScheme), "PBMAC1 MAC");
  const keyLength = kdf.keyLength ?? digest(macInfo.hash, new Uint8Array(0)).length;
  if (keyLength < 1 || keyLength > 128)
    throw new CmpError("badAlg", `PBKDF2 keyLength ${keyLength} is not sane`);
  const key = pbkdf2(secret, new Uint8Array(kdf.salt.specified), kdf.iterationCount, keyLength, prfHash);
  return mapCrypto(() => computeMac(p.messageAuthScheme, key, data), "MAC");
}

/** Runs `fn`; an unsupported algorithm becomes a CMP badAlg naming `what`. */
export function mapCrypto<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UnsupportedAlgorithmError) {
      throw new CmpError("badAlg", `unsupported ${what} algorithm ${e.oid}`, { cause: e });
    }
    throw e;
  }
}

/** A PasswordBasedMac protectionAlg with a fresh 16-octet salt (RFC 9810 §5.1.3.1). */
export function pbmProtectionAlg(iterations: number, owf = "sha256", mac = "sha256"): AlgorithmIdentifier {
  const param = new PBMParameter({
    salt: toArrayBuffer(publicRandom(16)),
    owf: algId(digestOidForHash(owf) ?? unsupportedHash(owf)),
    iterationCount: iterations,
    mac: algId(hmacOidForHash(mac) ?? unsupportedHash(mac), nullParams()),
  });
  return algId(id_PasswordBasedMac, AsnSerializer.serialize(param));
}

/** A PBMAC1 protectionAlg (PBKDF2 with HMAC, a fresh 16-octet salt; RFC 9481 §6.1.2). */
export function pbmac1ProtectionAlg(iterations: number, hash = "sha256"): AlgorithmIdentifier {
  const hmacOid = hmacOidForHash(hash) ?? unsupportedHash(hash);
  const kdf = new PBKDF2Params({
    salt: new PBKDF2Salt({ specified: toArrayBuffer(publicRandom(16)) }),
    iterationCount: iterations,
    keyLength: digest(hash, new Uint8Array(0)).length,
    prf: algId(hmacOid, nullParams()),
  });
  const params = new PBMAC1Params({
    keyDerivationFunc: algId(id_PBKDF2, AsnSerializer.serialize(kdf)),
    messageAuthScheme: algId(hmacOid, nullParams()),
  });
  return algId(id_PBMAC1, AsnSerializer.serialize(params));
}
