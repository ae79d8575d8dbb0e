// The algorithm registry: one entry per key type lwcmp knows (SPKI AlgorithmIdentifier, capabilities,
// certificate key usages, size limits, default signature), plus the signature / digest / HMAC tables.
// Composite families register their entries from their own modules (this module imports none of them).
import { AlgorithmIdentifier, type KeyUsageType } from "@peculiar/asn1-x509";
import { EC_CURVE_OIDS, oidDer, tlv } from "./der.js";
import { UnsupportedAlgorithmError } from "./errors.js";
import { digestInfo } from "./algorithms/digests.js";
import { hmacInfo } from "./algorithms/hmacs.js";
import { id_RSASSA_PSS, signatureAlgorithm, signatureAlgorithms, SLH_SETS } from "./algorithms/signatures.js";

export * from "./algorithms/digests.js";
export * from "./algorithms/hmacs.js";
export * from "./algorithms/signatures.js";
export type { KeyUsageType };

export type KeyFamily =
  | "rsa"
  | "rsa-pss"
  | "ec"
  | "eddsa"
  | "xdh"
  | "ml-dsa"
  | "slh-dsa"
  | "ml-kem"
  | "composite-sig"
  | "composite-kem";

export interface KeyCapabilities {
  /** Produces signatures. */
  readonly sign: boolean;
  /** Encapsulates a shared secret (ML-KEM, composite ML-KEM). */
  readonly kem: boolean;
  /** Agrees on a shared secret (ECDH, X25519, X448). */
  readonly keyAgreement: boolean;
  /** Encrypts a key for its holder (RSA-OAEP). */
  readonly keyTransport: boolean;
}

export interface KeyAlgorithm {
  /** The key type name PublicKey.type carries: "ec-p256", "ml-kem-768", "composite:mldsa65-ecdsa-p256-sha512". */
  readonly type: string;
  readonly family: KeyFamily;
  /** The SubjectPublicKeyInfo algorithm OID. */
  readonly oid: string;
  /** DER of the SPKI AlgorithmIdentifier parameters; absent when the field is absent. */
  readonly parameters?: Uint8Array;
  /** Name of the SPKI algorithm OID as the standards print it ("rsaEncryption", "ecPublicKey", "ML-KEM-768"). */
  readonly oidName: string;
  /** node:crypto named curve (EC only). */
  readonly curve?: string;
  readonly capabilities: KeyCapabilities;
  /** Key usages a certificate for such a key may carry. */
  readonly keyUsages: readonly KeyUsageType[];
  /** Key usages a certificate gets when none of the requested ones fits. */
  readonly defaultKeyUsages: readonly KeyUsageType[];
  /** Smallest accepted key size in bits (RSA). */
  readonly minimumKeyBits?: number;
  /** Largest key size we generate in bits (RSA). */
  readonly maximumKeyBits?: number;
  /** The signature AlgorithmIdentifier used when nobody asks for another one (signing keys only). */
  readonly defaultSignature?: {
    readonly oid: string;
    readonly parameters?: Uint8Array;
    readonly hash?: string;
  };
  /** The digest CMS SignedData pairs with this key's signature (RFC 8419, RFC 9882; signing keys only). */
  readonly cmsDigest?: string;
}

// ---- key usages (RFC 5280 §4.2.1.3 and the per-algorithm rules) ----

/** Signature keys: RFC 9881 §5 (ML-DSA), RFC 9909 (SLH-DSA), RFC 8410 §5 (EdDSA). */
const SIGNING: readonly KeyUsageType[] = ["digitalSignature", "nonRepudiation", "keyCertSign", "crlSign"];
/** RFC 4055 §1.2 / RFC 8017: an rsaEncryption key may also encipher. */
const RSA_USAGES: readonly KeyUsageType[] = [...SIGNING, "keyEncipherment", "dataEncipherment"];
/** RFC 5480 §3: an id-ecPublicKey key may also agree on keys. */
const EC_USAGES: readonly KeyUsageType[] = [...SIGNING, "keyAgreement"];
/** RFC 9935 §5: ML-KEM keys carry keyEncipherment only. */
const KEM_USAGES: readonly KeyUsageType[] = ["keyEncipherment"];
/** RFC 8410 §5: X25519 / X448 keys carry keyAgreement. */
const XDH_USAGES: readonly KeyUsageType[] = ["keyAgreement"];

const NONE: KeyCapabilities = { sign: false, kem: false, keyAgreement: false, keyTransport: false };

/** Capabilities and key usages shared by every signing-only key (ML-DSA, SLH-DSA, EdDSA, composite). */
export const SIGNATURE_KEY_TRAITS = {
  capabilities: { ...NONE, sign: true },
  keyUsages: SIGNING,
  defaultKeyUsages: ["digitalSignature"],
} as const satisfies Pick<KeyAlgorithm, "capabilities" | "keyUsages" | "defaultKeyUsages">;
/** Capabilities and key usages shared by every KEM key (ML-KEM, composite ML-KEM; RFC 9935 §5). */
export const KEM_KEY_TRAITS = {
  capabilities: { ...NONE, kem: true },
  keyUsages: KEM_USAGES,
  defaultKeyUsages: KEM_USAGES,
} as const satisfies Pick<KeyAlgorithm, "capabilities" | "keyUsages" | "defaultKeyUsages">;
const NULL_PARAMS = Uint8Array.of(0x05, 0x00);

// ---- the table ----

const BY_TYPE = new Map<string, KeyAlgorithm>();
const BY_OID = new Map<string, KeyAlgorithm[]>();

/**
 * Adds a key algorithm to the registry. Built-in entries are added below; the composite families call
 * this when their modules load. A type registered twice is a programming error.
 */
export function registerKeyAlgorithm(a: KeyAlgorithm): void {
  const type = a.type.toLowerCase();
  if (BY_TYPE.has(type)) throw new Error(`key algorithm ${type} is registered twice`);
  const entry: KeyAlgorithm = Object.freeze({
    ...a,
    type,
    capabilities: Object.freeze({ ...a.capabilities }),
    keyUsages: Object.freeze([...a.keyUsages]),
    defaultKeyUsages: Object.freeze([...a.defaultKeyUsages]),
  });
  BY_TYPE.set(type, entry);
  BY_OID.set(a.oid, [...(BY_OID.get(a.oid) ?? []), entry]);
}

/** Entry for a signing-only key type whose SPKI OID is its signature OID (EdDSA, ML-DSA, SLH-DSA). */
function signingKey(type: string, family: KeyFamily, cmsDigest: string): KeyAlgorithm {
  const sig = signatureAlgorithms().find((s) => s.keyTypes.length === 1 && s.keyTypes[0] === type)!;
  return {
    type,
    family,
    oid: sig.oid,
    oidName: sig.name,
    ...SIGNATURE_KEY_TRAITS,
    defaultSignature: { oid: sig.oid },
    cmsDigest,
  };
}

/** id-ecPublicKey (RFC 5480 §2.1.1): the SPKI OID of every EC key, the curve in the parameters. */
export const id_ecPublicKey = "1.2.840.10045.2.1";

function ecKey(bits: 256 | 384 | 521, curve: string, hash: string, sigOid: string): KeyAlgorithm {
  return {
    type: `ec-p${bits}`,
    family: "ec",
    oid: id_ecPublicKey,
    parameters: oidDer(EC_CURVE_OIDS[curve]!),
    oidName: "ecPublicKey",
    curve,
    capabilities: { ...NONE, sign: true, keyAgreement: true },
    keyUsages: EC_USAGES,
    defaultKeyUsages: ["digitalSignature"],
    // RFC 9481 §3.2: ECDSA with the hash matching the curve size.
    defaultSignature: { oid: sigOid, hash },
    cmsDigest: hash,
  };
}

function xdhKey(type: "x25519" | "x448", oid: string): KeyAlgorithm {
  return {
    type,
    family: "xdh",
    oid,
    oidName: type === "x25519" ? "X25519" : "X448",
    capabilities: { ...NONE, keyAgreement: true },
    keyUsages: XDH_USAGES,
    defaultKeyUsages: XDH_USAGES,
  };
}

function mlKemKey(level: 512 | 768 | 1024, arc: number): KeyAlgorithm {
  return {
    type: `ml-kem-${level}`,
    family: "ml-kem",
    oid: `2.16.840.1.101.3.4.4.${arc}`,
    oidName: `ML-KEM-${level}`,
    ...KEM_KEY_TRAITS,
  };
}

/** RSASSA-PSS-params for SHA-256, MGF1-SHA-256, salt 32 (RFC 9481 §3.2, RFC 4055 §3.1). */
function pssSha256Params(): Uint8Array {
  const sha256 = tlv(0x30, oidDer("2.16.840.1.101.3.4.2.1"));
  const mgf1 = tlv(0x30, oidDer("1.2.840.113549.1.1.8"), sha256);
  return tlv(0x30, tlv(0xa0, sha256), tlv(0xa1, mgf1), tlv(0xa2, tlv(0x02, Uint8Array.of(32))));
}

const RSA_BITS = { minimumKeyBits: 2048, maximumKeyBits: 8192 };

const BUILT_IN: KeyAlgorithm[] = [
  {
    type: "rsa",
    family: "rsa",
    oid: "1.2.840.113549.1.1.1",
    parameters: NULL_PARAMS, // RFC 3279 §2.3.1
    oidName: "rsaEncryption",
    capabilities: { ...NONE, sign: true, keyTransport: true },
    keyUsages: RSA_USAGES,
    defaultKeyUsages: ["digitalSignature", "keyEncipherment"],
    ...RSA_BITS,
    defaultSignature: { oid: "1.2.840.113549.1.1.11", parameters: NULL_PARAMS, hash: "sha256" },
    cmsDigest: "sha256",
  },
  {
    // RFC 4055 §1.2: an id-RSASSA-PSS key only signs.
    type: "rsa-pss",
    family: "rsa-pss",
    oid: id_RSASSA_PSS,
    oidName: "RSASSA-PSS",
    ...SIGNATURE_KEY_TRAITS,
    ...RSA_BITS,
    defaultSignature: { oid: id_RSASSA_PSS, parameters: pssSha256Params(), hash: "sha256" },
    cmsDigest: "sha256",
  },
  ecKey(256, "prime256v1", "sha256", "1.2.840.10045.4.3.2"),
  ecKey(384, "secp384r1", "sha384", "1.2.840.10045.4.3.3"),
  ecKey(521, "secp521r1", "sha512", "1.2.840.10045.4.3.4"),
  signingKey("ed25519", "eddsa", "sha512"),
  // RFC 8419 §3: Ed448 in CMS goes with SHAKE256.
  signingKey("ed448", "eddsa", "shake256"),
  xdhKey("x25519", "1.3.101.110"),
  xdhKey("x448", "1.3.101.111"),
  ...(["44", "65", "87"] as const).map((l) => signingKey(`ml-dsa-${l}`, "ml-dsa", "sha512")),
  ...SLH_SETS.map((s) => signingKey(`slh-dsa-${s}`, "slh-dsa", "sha512")),
  mlKemKey(512, 1),
  mlKemKey(768, 2),
  mlKemKey(1024, 3),
];
for (const a of BUILT_IN) registerKeyAlgorithm(a);

// ---- queries ----

/** The entry for a key type name (case-insensitive); undefined when lwcmp does not know it. */
export function keyAlgorithm(type: string): KeyAlgorithm | undefined {
  return BY_TYPE.get(type.toLowerCase());
}

/** Every registered key algorithm, built-in ones first, in registration order. */
export function keyAlgorithms(): KeyAlgorithm[] {
  return [...BY_TYPE.values()];
}

function sameBytes(a: Uint8Array | undefined, b: ArrayBuffer | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return Buffer.from(a).equals(Buffer.from(b));
}

/**
 * The key type an SPKI AlgorithmIdentifier denotes: OID and parameters must match, except that an OID
 * with a single entry matches whatever its parameters (RSASSA-PSS restrictions, a missing NULL).
 * id-ecPublicKey without a known curve gives undefined. With `rsaBits`, an RSA key shorter than the
 * minimum gives undefined as well.
 */
export function keyAlgorithmForSpki(alg: AlgorithmIdentifier, rsaBits?: number): KeyAlgorithm | undefined {
  const candidates = BY_OID.get(alg.algorithm) ?? [];
  const found =
    candidates.find((a) => sameBytes(a.parameters, alg.parameters)) ??
    (candidates.length === 1 ? candidates[0] : undefined);
  if (found && rsaBits !== undefined && found.minimumKeyBits !== undefined && rsaBits < found.minimumKeyBits)
    return undefined;
  return found;
}

function known(type: string): KeyAlgorithm {
  const a = keyAlgorithm(type);
  if (!a) throw new UnsupportedAlgorithmError(type, `unknown key type "${type}"`);
  return a;
}

const ab = (u: Uint8Array): ArrayBuffer => u.slice().buffer;

/**
 * The SPKI AlgorithmIdentifier of a key type: what a certReqTemplate's id-regCtrl-algId or an empty
 * SubjectPublicKeyInfo asking for central key generation carries (RFC 9483 §4.1.6, §4.3.3).
 * Throws UnsupportedAlgorithmError for an unknown type.
 */
export function keyAlgorithmIdentifier(type: string): AlgorithmIdentifier {
  const a = known(type);
  return new AlgorithmIdentifier(
    a.parameters ? { algorithm: a.oid, parameters: ab(a.parameters) } : { algorithm: a.oid },
  );
}

export function canSign(type: string): boolean {
  return keyAlgorithm(type)?.capabilities.sign ?? false;
}
/** ML-KEM and composite ML-KEM keys: usable only through encapsulation. */
export function isKemType(type: string): boolean {
  return keyAlgorithm(type)?.capabilities.kem ?? false;
}
export function canAgree(type: string): boolean {
  return keyAlgorithm(type)?.capabilities.keyAgreement ?? false;
}
export function canTransport(type: string): boolean {
  return keyAlgorithm(type)?.capabilities.keyTransport ?? false;
}

/** Key usages a certificate for a key of this type may carry; empty for an unknown type. */
export function allowedKeyUsages(type: string): KeyUsageType[] {
  return [...(keyAlgorithm(type)?.keyUsages ?? [])];
}

/** Key usages a certificate for this type gets when the request or profile names none that fits. */
export function defaultKeyUsages(type: string): KeyUsageType[] {
  return [...(keyAlgorithm(type)?.defaultKeyUsages ?? [])];
}

/**
 * The key usages to put in a certificate: the wanted ones this key type allows, in the order given,
 * or the type's defaults when none of them is allowed (RFC 9935 §5, RFC 8410 §5).
 */
export function keyUsagesFor(type: string, wanted: readonly KeyUsageType[]): KeyUsageType[] {
  const allowed = new Set(allowedKeyUsages(type));
  const kept = wanted.filter((u) => allowed.has(u));
  return kept.length > 0 ? kept : defaultKeyUsages(type);
}

/** Smallest accepted key size in bits, where one applies (RSA: 2048); undefined otherwise. */
export function minimumKeyBits(type: string): number | undefined {
  return keyAlgorithm(type)?.minimumKeyBits;
}

/** The default signature AlgorithmIdentifier of a key type; undefined for keys that cannot sign. */
export function defaultSignatureAlgorithmFor(type: string): AlgorithmIdentifier | undefined {
  const s = keyAlgorithm(type)?.defaultSignature;
  if (!s) return undefined;
  return new AlgorithmIdentifier(
    s.parameters ? { algorithm: s.oid, parameters: ab(s.parameters) } : { algorithm: s.oid },
  );
}

/**
 * A printable name for an algorithm OID met on the wire (signature, digest, HMAC or SPKI algorithm);
 * undefined when the registry does not know it.
 */
export function oidName(oid: string): string | undefined {
  return (
    signatureAlgorithm(oid)?.name ??
    digestInfo(oid)?.name ??
    hmacInfo(oid)?.name ??
    BY_OID.get(oid)?.[0]?.oidName
  );
}
