// The digest algorithm table (RFC 9481 §2, RFC 5754, FIPS 202 with the RFC 8702 SHAKE output sizes):
// node hash name <-> OID. Every other module asks here.

export interface DigestAlgorithm {
  readonly oid: string;
  /** node:crypto hash name, e.g. "sha256". */
  readonly hash: string;
  /** Name as the standards print it, e.g. "SHA-256". */
  readonly name: string;
  /** Output length in bytes of an XOF (SHAKE128: 32, SHAKE256: 64, RFC 8702). */
  readonly outputLength?: number;
}

const d = (oid: string, hash: string, name: string, outputLength?: number): DigestAlgorithm =>
  outputLength === undefined ? { oid, hash, name } : { oid, hash, name, outputLength };

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  d("1.3.14.3.2.26", "sha1", "SHA-1"),
  d("2.16.840.1.101.3.4.2.4", "sha224", "SHA-224"),
  d("2.16.840.1.101.3.4.2.1", "sha256", "SHA-256"),
  d("2.16.840.1.101.3.4.2.2", "sha384", "SHA-384"),
  d("2.16.840.1.101.3.4.2.3", "sha512", "SHA-512"),
  d("2.16.840.1.101.3.4.2.7", "sha3-224", "SHA3-224"),
  d("2.16.840.1.101.3.4.2.8", "sha3-256", "SHA3-256"),
  d("2.16.840.1.101.3.4.2.9", "sha3-384", "SHA3-384"),
  d("2.16.840.1.101.3.4.2.10", "sha3-512", "SHA3-512"),
  d("2.16.840.1.101.3.4.2.11", "shake128", "SHAKE128", 32),
  d("2.16.840.1.101.3.4.2.12", "shake256", "SHAKE256", 64),
];
const BY_OID = new Map(DIGEST_ALGORITHMS.map((a) => [a.oid, a]));
const BY_HASH = new Map(DIGEST_ALGORITHMS.map((a) => [a.hash, a]));

/** The digest named by OID or node hash name (any case); undefined when unknown. */
export function digestInfo(oidOrHash: string): DigestAlgorithm | undefined {
  return BY_OID.get(oidOrHash) ?? BY_HASH.get(oidOrHash.toLowerCase());
}

/** The digest OID for a node hash name ("sha256" -> 2.16.840.1.101.3.4.2.1); undefined when unknown. */
export function digestOidForHash(hash: string): string | undefined {
  return BY_HASH.get(hash.toLowerCase())?.oid;
}
