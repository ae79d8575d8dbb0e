// The signature algorithm table (RFC 9481 §3, RFC 4055, RFC 5758, RFC 8410, RFC 9881, RFC 9909):
// OID -> name, the key types that may use it, its hash and the certConf hash it implies.
// Composite signatures add their entries through registerSignatureAlgorithm.

export interface SignatureAlgorithm {
  readonly oid: string;
  readonly name: string;
  /** Key types (KeyAlgorithm.type) that can produce this signature. */
  readonly keyTypes: readonly string[];
  /** node hash name; absent where the algorithm hashes internally (EdDSA, ML-DSA, SLH-DSA) or takes it
   * from its parameters (RSASSA-PSS). */
  readonly hash?: string;
  /** sha*WithRSAEncryption carries NULL parameters (RFC 4055 §5). */
  readonly nullParams?: boolean;
  /** The hash certConf's certHash uses for a certificate signed so (RFC 9810 §5.3.18, RFC 9481 §3);
   * absent when certConf must name hashAlg (ML-DSA, SLH-DSA) or it comes from the parameters (PSS). */
  readonly certConfHash?: string;
}

export const id_RSASSA_PSS = "1.2.840.113549.1.1.10";

/** SLH-DSA parameter sets in OID order (2.16.840.1.101.3.4.3.20 - .31, RFC 9909). */
export const SLH_SETS: readonly string[] = [
  "sha2-128s",
  "sha2-128f",
  "sha2-192s",
  "sha2-192f",
  "sha2-256s",
  "sha2-256f",
  "shake-128s",
  "shake-128f",
  "shake-192s",
  "shake-192f",
  "shake-256s",
  "shake-256f",
];

/** Name of an SLH-DSA set as FIPS 205 prints it: "sha2-128s" -> "SLH-DSA-SHA2-128s". */
export function slhDsaName(set: string): string {
  return `SLH-DSA-${set.slice(0, -1).toUpperCase()}${set.slice(-1)}`;
}

const RSA_KEYS = ["rsa", "rsa-pss"];
const EC_KEYS = ["ec-p256", "ec-p384", "ec-p521"];

function hashed(oid: string, name: string, keyTypes: string[], hash: string): SignatureAlgorithm {
  const nullParams = keyTypes === RSA_KEYS && !hash.startsWith("sha3");
  return { oid, name, keyTypes, hash, certConfHash: hash, ...(nullParams ? { nullParams } : {}) };
}

const BUILT_IN: SignatureAlgorithm[] = [
  hashed("1.2.840.113549.1.1.5", "sha1WithRSAEncryption", RSA_KEYS, "sha1"),
  hashed("1.2.840.113549.1.1.14", "sha224WithRSAEncryption", RSA_KEYS, "sha224"),
  hashed("1.2.840.113549.1.1.11", "sha256WithRSAEncryption", RSA_KEYS, "sha256"),
  hashed("1.2.840.113549.1.1.12", "sha384WithRSAEncryption", RSA_KEYS, "sha384"),
  hashed("1.2.840.113549.1.1.13", "sha512WithRSAEncryption", RSA_KEYS, "sha512"),
  hashed("2.16.840.1.101.3.4.3.13", "id-rsassa-pkcs1-v1_5-with-sha3-224", RSA_KEYS, "sha3-224"),
  hashed("2.16.840.1.101.3.4.3.14", "id-rsassa-pkcs1-v1_5-with-sha3-256", RSA_KEYS, "sha3-256"),
  hashed("2.16.840.1.101.3.4.3.15", "id-rsassa-pkcs1-v1_5-with-sha3-384", RSA_KEYS, "sha3-384"),
  hashed("2.16.840.1.101.3.4.3.16", "id-rsassa-pkcs1-v1_5-with-sha3-512", RSA_KEYS, "sha3-512"),
  { oid: id_RSASSA_PSS, name: "RSASSA-PSS", keyTypes: RSA_KEYS },
  hashed("1.2.840.10045.4.3.1", "ecdsa-with-SHA224", EC_KEYS, "sha224"),
  hashed("1.2.840.10045.4.3.2", "ecdsa-with-SHA256", EC_KEYS, "sha256"),
  hashed("1.2.840.10045.4.3.3", "ecdsa-with-SHA384", EC_KEYS, "sha384"),
  hashed("1.2.840.10045.4.3.4", "ecdsa-with-SHA512", EC_KEYS, "sha512"),
  hashed("2.16.840.1.101.3.4.3.9", "id-ecdsa-with-sha3-224", EC_KEYS, "sha3-224"),
  hashed("2.16.840.1.101.3.4.3.10", "id-ecdsa-with-sha3-256", EC_KEYS, "sha3-256"),
  hashed("2.16.840.1.101.3.4.3.11", "id-ecdsa-with-sha3-384", EC_KEYS, "sha3-384"),
  hashed("2.16.840.1.101.3.4.3.12", "id-ecdsa-with-sha3-512", EC_KEYS, "sha3-512"),
  // RFC 9481 §3.3: certConf hashes EdDSA-signed certificates with SHA-512 / SHAKE256.
  { oid: "1.3.101.112", name: "Ed25519", keyTypes: ["ed25519"], certConfHash: "sha512" },
  { oid: "1.3.101.113", name: "Ed448", keyTypes: ["ed448"], certConfHash: "shake256" },
  { oid: "2.16.840.1.101.3.4.3.17", name: "ML-DSA-44", keyTypes: ["ml-dsa-44"] },
  { oid: "2.16.840.1.101.3.4.3.18", name: "ML-DSA-65", keyTypes: ["ml-dsa-65"] },
  { oid: "2.16.840.1.101.3.4.3.19", name: "ML-DSA-87", keyTypes: ["ml-dsa-87"] },
  ...SLH_SETS.map((s, i) => ({
    oid: `2.16.840.1.101.3.4.3.${20 + i}`,
    name: slhDsaName(s),
    keyTypes: [`slh-dsa-${s}`],
  })),
];

const BY_OID = new Map<string, SignatureAlgorithm>();

/** Adds a signature algorithm (composite families call this when their module loads). */
export function registerSignatureAlgorithm(a: SignatureAlgorithm): void {
  if (BY_OID.has(a.oid)) throw new Error(`signature algorithm ${a.oid} is registered twice`);
  BY_OID.set(a.oid, Object.freeze({ ...a, keyTypes: Object.freeze([...a.keyTypes]) }));
}
for (const a of BUILT_IN) registerSignatureAlgorithm(a);

/** The signature algorithm of an OID; undefined when unknown. */
export function signatureAlgorithm(oid: string): SignatureAlgorithm | undefined {
  return BY_OID.get(oid);
}

export function signatureAlgorithms(): SignatureAlgorithm[] {
  return [...BY_OID.values()];
}

/** The (non-PSS) signature algorithm a key type uses with a given hash, e.g. ("ec-p384", "sha384"). */
export function signatureAlgorithmFor(keyType: string, hash: string): SignatureAlgorithm | undefined {
  for (const a of BY_OID.values()) if (a.hash === hash && a.keyTypes.includes(keyType)) return a;
  return undefined;
}
