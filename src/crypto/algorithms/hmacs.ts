// The HMAC algorithm table (RFC 9481 §6.2, RFC 8018 B.1.2, NIST SHA-3 HMAC OIDs): OID <-> node hash name.

export interface HmacAlgorithm {
  readonly oid: string;
  readonly name: string;
  /** node:crypto hash name the HMAC runs on. */
  readonly hash: string;
}

// The first entry per hash is the one we send (hmacWithSHA1 rather than the older hmac-sha1).
export const HMAC_ALGORITHMS: readonly HmacAlgorithm[] = [
  { oid: "1.2.840.113549.2.7", name: "hmacWithSHA1", hash: "sha1" },
  { oid: "1.3.6.1.5.5.8.1.2", name: "hmac-sha1", hash: "sha1" },
  { oid: "1.2.840.113549.2.8", name: "hmacWithSHA224", hash: "sha224" },
  { oid: "1.2.840.113549.2.9", name: "hmacWithSHA256", hash: "sha256" },
  { oid: "1.2.840.113549.2.10", name: "hmacWithSHA384", hash: "sha384" },
  { oid: "1.2.840.113549.2.11", name: "hmacWithSHA512", hash: "sha512" },
  { oid: "2.16.840.1.101.3.4.2.13", name: "id-hmacWithSHA3-224", hash: "sha3-224" },
  { oid: "2.16.840.1.101.3.4.2.14", name: "id-hmacWithSHA3-256", hash: "sha3-256" },
  { oid: "2.16.840.1.101.3.4.2.15", name: "id-hmacWithSHA3-384", hash: "sha3-384" },
  { oid: "2.16.840.1.101.3.4.2.16", name: "id-hmacWithSHA3-512", hash: "sha3-512" },
];
const BY_OID = new Map(HMAC_ALGORITHMS.map((a) => [a.oid, a]));
const BY_HASH = new Map<string, HmacAlgorithm>();
for (const a of HMAC_ALGORITHMS) if (!BY_HASH.has(a.hash)) BY_HASH.set(a.hash, a);

/** The HMAC algorithm of an OID; undefined when unknown. */
export function hmacInfo(oid: string): HmacAlgorithm | undefined {
  return BY_OID.get(oid);
}

/** The HMAC OID to send for a node hash name ("sha256" -> hmacWithSHA256); undefined when unknown. */
export function hmacOidForHash(hash: string): string | undefined {
  return BY_HASH.get(hash.toLowerCase())?.oid;
}
