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

/** The SHA-2 / SHA3 output widths, in the order each family's OIDs are numbered. */
const WIDTHS = ["224", "256", "384", "512"];

/** One family of hashed signatures: its OID for each of WIDTHS, its name and hash for a width. */
function family(
  oids: readonly string[],
  keyTypes: string[],
  name: (bits: string) => string,
  hash: (bits: string) => string,
): SignatureAlgorithm[] {
  return WIDTHS.map((bits, i) => hashed(oids[i]!, name(bits), keyTypes, hash(bits)));
}

const arcs = (prefix: string, ...n: number[]) => n.map((a) => `${prefix}.${a}`);
const NIST_SIG = "2.16.840.1.101.3.4.3";
const sha2 = (bits: string) => `sha${bits}`;
const sha3 = (bits: string) => `sha3-${bits}`;

const BUILT_IN: SignatureAlgorithm[] = [
  hashed("1.2.840.113549.1.1.5", "sha1WithRSAEncryption", RSA_KEYS, "sha1"),
  // RFC 4055 §5: sha224 is arc 14, sha256/384/512 are arcs 11-13.
  ...family(arcs("1.2.840.113549.1.1", 14, 11, 12, 13), RSA_KEYS, (b) => `sha${b}WithRSAEncryption`, sha2),
  ...family(arcs(NIST_SIG, 13, 14, 15, 16), RSA_KEYS, (b) => `id-rsassa-pkcs1-v1_5-with-sha3-${b}`, sha3),
  { oid: id_RSASSA_PSS, name: "RSASSA-PSS", keyTypes: RSA_KEYS },
  ...family(arcs("1.2.840.10045.4.3", 1, 2, 3, 4), EC_KEYS, (b) => `ecdsa-with-SHA${b}`, sha2),
  ...family(arcs(NIST_SIG, 9, 10, 11, 12), EC_KEYS, (b) => `id-ecdsa-with-sha3-${b}`, sha3),
  // RFC 9481 §3.3: certConf hashes EdDSA-signed certificates with SHA-512 / SHAKE256.
  { oid: "1.3.101.112", name: "Ed25519", keyTypes: ["ed25519"], certConfHash: "sha512" },
  { oid: "1.3.101.113", name: "Ed448", keyTypes: ["ed448"], certConfHash: "shake256" },
  ...["44", "65", "87"].map((level, i) => ({
    oid: `${NIST_SIG}.${17 + i}`,
    name: `ML-DSA-${level}`,
    keyTypes: [`ml-dsa-${level}`],
  })),
  ...SLH_SETS.map((s, i) => ({
    oid: `${NIST_SIG}.${20 + i}`,
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
