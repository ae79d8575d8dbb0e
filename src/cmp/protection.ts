// PKIMessage protection (RFC 9810 §5.1.3): signature, PasswordBasedMac (§5.1.3.1, RFC 9481 §6.1.1)
// and PBMAC1 (RFC 9481 §6.1.2), computed over the DER of ProtectedPart. KEM-based MAC lives in kem-protection.ts.
import { AsnParser, AsnSerializer, BitString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate } from "@peculiar/asn1-x509";
import { writeCertRepBody, writePKIHeader } from "../asn1/der/index.js";
import type { PKIMessage } from "../asn1/cmp.js";
import { PBMParameter } from "../asn1/itav.js";
import { id_hmac_sha1, id_hmacWithSHA1, id_PasswordBasedMac, id_PBKDF2, id_PBMAC1 } from "../asn1/oids.js";
import { PBKDF2Params, PBKDF2Salt, PBMAC1Params } from "../asn1/pkcs5.js";
import {
  computeMac,
  CryptoError,
  defaultSignatureAlgorithm,
  digest,
  digestName,
  digestOidForHash,
  hmacOidForHash,
  macAlgorithmInfo,
  pbkdf2,
  sign,
  signatureAlgorithmInfo,
  timingSafeEqualBytes,
  UnsupportedAlgorithmError,
  verify,
  type PrivateKey,
  type PublicKey,
} from "../crypto/index.js";
import { CmpError } from "./errors.js";
import { toArrayBuffer } from "./header.js";
import { derSequence, derTlv } from "../pki/der.js";
import type { DecodedMessage } from "./message.js";
import { deriveSsk, kemBasedMacAlgorithm, kemMac } from "./kem-protection.js";
import { hash as oneShotHash } from "node:crypto";
import { publicRandom } from "../crypto/public-random.js";

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

export interface SignatureCredential {
  kind: "signature";
  key: PrivateKey;
  /** The protection certificate (DER); it goes first in extraCerts (RFC 9483 §3.3). */
  certificate: Uint8Array;
  /** Further certificates for the receiver to build the chain (DER), without the trust anchor. */
  chain?: Uint8Array[];
  algorithm?: AlgorithmIdentifier;
}
export interface PbmCredential {
  kind: "pbm";
  secret: Uint8Array;
  /** senderKID: the reference the receiver looks the secret up by (RFC 9483 §3.1). */
  senderKID?: Uint8Array;
  iterations?: number;
  /** OWF digest (node name), default sha256. */
  owf?: string;
  /** HMAC digest (node name), default sha256. */
  mac?: string;
  /** Certificates to add to extraCerts, e.g. the CA chain in an ip (RFC 9483 §4.1.1). */
  extraCerts?: Uint8Array[];
}
export interface Pbmac1Credential {
  kind: "pbmac1";
  secret: Uint8Array;
  senderKID?: Uint8Array;
  iterations?: number;
  /** PRF / HMAC digest (node name), default sha256. */
  hash?: string;
  extraCerts?: Uint8Array[];
}
/** KEM-based MAC (RFC 9810 §5.1.3.4) with the shared secret of this transaction's KEM exchange. */
export interface KemCredential {
  kind: "kem";
  sharedSecret: Uint8Array;
  senderKID?: Uint8Array;
  extraCerts?: Uint8Array[];
}
/** No protection: only for the message that starts a KEM exchange (it carries the KEM certificate). */
export interface NoProtection {
  kind: "none";
  extraCerts?: Uint8Array[];
}
export type ProtectionCredential =
  SignatureCredential | PbmCredential | Pbmac1Credential | KemCredential | NoProtection;

export { protectionKind, type ProtectionKind } from "./protection-kind.js";
import { protectionKind } from "./protection-kind.js";

function algId(oid: string, params?: ArrayBuffer | null): AlgorithmIdentifier {
  return new AlgorithmIdentifier(
    params === undefined ? { algorithm: oid } : { algorithm: oid, parameters: params },
  );
}
function nullParams(): ArrayBuffer {
  return Uint8Array.of(0x05, 0x00).buffer;
}

/**
 * Sets protectionAlg (and senderKID) in the header, computes the protection, fills extraCerts
 * and returns the DER of the protected message. The header must be final apart from those fields.
 */
export function protectMessage(message: PKIMessage, cred: ProtectionCredential): Uint8Array {
  const h = message.header;
  let extra: Uint8Array[];
  if (cred.kind === "kem" || cred.kind === "none") {
    h.protectionAlg = cred.kind === "kem" ? kemBasedMacAlgorithm() : undefined;
    if (cred.kind === "kem" && cred.senderKID) h.senderKID = toArrayBuffer(cred.senderKID);
    extra = cred.extraCerts ?? [];
  } else if (cred.kind === "signature") {
    h.protectionAlg = cred.algorithm ?? defaultSignatureAlgorithm(cred.key);
    // RFC 9483 §3.1: senderKID holds the subjectKeyIdentifier of the protection certificate, if it has one.
    const ski = cachedSki(cred.certificate);
    if (ski && !h.senderKID) h.senderKID = toArrayBuffer(ski);
    extra = [cred.certificate, ...(cred.chain ?? [])];
  } else if (cred.kind === "pbm") {
    const iterations = cred.iterations ?? 10_000;
    const param = new PBMParameter({
      salt: toArrayBuffer(publicRandom(16)),
      owf: algId(digestOidForHash(cred.owf ?? "sha256") ?? unsupportedHash(cred.owf)),
      iterationCount: iterations,
      mac: algId(hmacOidForHash(cred.mac ?? "sha256") ?? unsupportedHash(cred.mac), nullParams()),
    });
    h.protectionAlg = algId(id_PasswordBasedMac, AsnSerializer.serialize(param));
    if (cred.senderKID) h.senderKID = toArrayBuffer(cred.senderKID);
    extra = cred.extraCerts ?? [];
  } else {
    const hash = cred.hash ?? "sha256";
    const hmacOid = hmacOidForHash(hash) ?? unsupportedHash(hash);
    const keyLength = digest(hash, new Uint8Array(0)).length;
    const kdf = new PBKDF2Params({
      salt: new PBKDF2Salt({ specified: toArrayBuffer(publicRandom(16)) }),
      iterationCount: cred.iterations ?? 10_000,
      keyLength,
      prf: algId(hmacOid, nullParams()),
    });
    const params = new PBMAC1Params({
      keyDerivationFunc: algId(id_PBKDF2, AsnSerializer.serialize(kdf)),
      messageAuthScheme: algId(hmacOid, nullParams()),
    });
    h.protectionAlg = algId(id_PBMAC1, AsnSerializer.serialize(params));
    if (cred.senderKID) h.senderKID = toArrayBuffer(cred.senderKID);
    extra = cred.extraCerts ?? [];
  }
  // The message is assembled from its parts so that certificates travel as the DER they came in,
  // without a parse and re-encode per message.
  const headerDer = writePKIHeader(message.header);
  const bodyDer = writeCertRepBody(message.body) ?? new Uint8Array(AsnSerializer.serialize(message.body));
  const protectedPart = derSequence(headerDer, bodyDer);
  const extraDer = extra.length > 0 ? [derTlv(0xa1, derSequence(...extra))] : [];
  if (cred.kind === "none") return derSequence(headerDer, bodyDer, ...extraDer);
  let value: Uint8Array;
  if (cred.kind === "signature") value = sign(h.protectionAlg!, cred.key, protectedPart);
  else if (cred.kind === "kem") {
    const ssk = deriveSsk(cred.sharedSecret, new Uint8Array(h.transactionID!), h.protectionAlg!);
    value = kemMac(h.protectionAlg!, ssk, protectedPart);
  } else {
    value = computeMacProtection(h.protectionAlg!, cred.secret, protectedPart, {
      maxIterations: Number.MAX_SAFE_INTEGER,
      minIterations: MIN_MAC_ITERATIONS,
    });
  }
  message.protection = new BitString(value);
  const protection = derTlv(0xa0, derTlv(0x03, Uint8Array.of(0), value));
  return derSequence(headerDer, bodyDer, protection, ...extraDer);
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

function mapCrypto<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UnsupportedAlgorithmError) {
      throw new CmpError("badAlg", `unsupported ${what} algorithm ${e.oid}`, { cause: e });
    }
    throw e;
  }
}

/**
 * Verifies MAC protection of a received message with the shared secret; throws CmpError:
 * badMessageCheck when the MAC differs, badAlg for unknown or unacceptable parameters,
 * wrongIntegrity when the message is not MAC-protected.
 */
export function verifyMacProtection(
  msg: DecodedMessage,
  secret: Uint8Array,
  limits: MacLimits = DEFAULT_MAC_LIMITS,
) {
  const { header, protection } = msg.message;
  const kind = protectionKind(header);
  if (kind !== "pbm" && kind !== "pbmac1") {
    throw new CmpError("wrongIntegrity", `expected MAC-based protection, found ${kind}`);
  }
  if (!protection) throw new CmpError("badMessageCheck", "the message carries no protection value");
  const expected = computeMacProtection(header.protectionAlg!, secret, msg.protectedPart, limits);
  if (!timingSafeEqualBytes(expected, new Uint8Array(protection.value))) {
    throw new CmpError(
      "badMessageCheck",
      "MAC-based protection does not verify: wrong shared secret or altered message",
    );
  }
}

/**
 * Verifies signature protection with the signer's public key (taken by the caller from the
 * validated protection certificate). Throws CmpError badMessageCheck / badAlg / wrongIntegrity.
 */
export function verifySignatureProtection(msg: DecodedMessage, signerKey: PublicKey): void {
  const { header, protection } = msg.message;
  const kind = protectionKind(header);
  if (kind !== "signature")
    throw new CmpError("wrongIntegrity", `expected signature-based protection, found ${kind}`);
  if (!protection) throw new CmpError("badMessageCheck", "the message carries no protection value");
  const alg = header.protectionAlg!;
  const info = mapCrypto(() => signatureAlgorithmInfo(alg), "signature");
  if (!info.keyTypes.includes(signerKey.type)) {
    throw new CmpError(
      "badMessageCheck",
      `protection algorithm ${info.name} does not fit the signer's ${signerKey.type} key`,
    );
  }
  let ok: boolean;
  try {
    ok = verify(alg, signerKey, msg.protectedPart, new Uint8Array(protection.value));
  } catch (e) {
    if (e instanceof UnsupportedAlgorithmError)
      throw new CmpError("badAlg", `unsupported signature algorithm ${e.oid}`);
    if (e instanceof CryptoError)
      throw new CmpError("badMessageCheck", `signature check failed: ${e.message}`);
    throw e;
  }
  if (!ok) throw new CmpError("badMessageCheck", "signature-based protection does not verify");
}

const skiCache = new WeakMap<Uint8Array, Uint8Array | null>();
function cachedSki(der: Uint8Array): Uint8Array | undefined {
  let ski = skiCache.get(der);
  if (ski === undefined) {
    ski = subjectKeyIdentifier(AsnParser.parse(der, Certificate)) ?? null;
    skiCache.set(der, ski);
  }
  return ski ?? undefined;
}

/** The protection certificate: the first extraCerts entry (RFC 9483 §3.3). */
export function protectionCertificate(message: PKIMessage): Certificate | undefined {
  return message.extraCerts?.[0];
}

const id_ce_subjectKeyIdentifier = "2.5.29.14";
/** The subjectKeyIdentifier extension value of a certificate, if present. */
export function subjectKeyIdentifier(cert: Certificate): Uint8Array | undefined {
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  if (!ext) return undefined;
  const inner = new Uint8Array(ext.extnValue.buffer);
  // extnValue holds the DER of KeyIdentifier ::= OCTET STRING: skip its short tag and length.
  if (inner[0] !== 0x04 || inner.length < 2 || inner[1]! >= 0x80) return undefined;
  return inner.subarray(2, 2 + inner[1]!);
}
