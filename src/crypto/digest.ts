// Digest algorithms by OID (RFC 9481 §2, RFC 5754, FIPS 202 SHAKE with the RFC 8702 output sizes).
import { createHash } from "node:crypto";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { UnsupportedAlgorithmError } from "./errors.js";

interface DigestInfo {
  oid: string;
  node: string;
  /** Output length for XOFs (SHAKE128: 32, SHAKE256: 64 bytes per RFC 8702). */
  outputLength?: number;
}

const DIGESTS: DigestInfo[] = [
  { oid: "1.3.14.3.2.26", node: "sha1" },
  { oid: "2.16.840.1.101.3.4.2.4", node: "sha224" },
  { oid: "2.16.840.1.101.3.4.2.1", node: "sha256" },
  { oid: "2.16.840.1.101.3.4.2.2", node: "sha384" },
  { oid: "2.16.840.1.101.3.4.2.3", node: "sha512" },
  { oid: "2.16.840.1.101.3.4.2.7", node: "sha3-224" },
  { oid: "2.16.840.1.101.3.4.2.8", node: "sha3-256" },
  { oid: "2.16.840.1.101.3.4.2.9", node: "sha3-384" },
  { oid: "2.16.840.1.101.3.4.2.10", node: "sha3-512" },
  { oid: "2.16.840.1.101.3.4.2.11", node: "shake128", outputLength: 32 },
  { oid: "2.16.840.1.101.3.4.2.12", node: "shake256", outputLength: 64 },
];
const BY_OID = new Map(DIGESTS.map((d) => [d.oid, d]));
const BY_NAME = new Map(DIGESTS.map((d) => [d.node, d]));

function info(alg: AlgorithmIdentifier | string): DigestInfo {
  const key = typeof alg === "string" ? alg : alg.algorithm;
  const d = BY_OID.get(key) ?? BY_NAME.get(key.toLowerCase());
  if (!d) throw new UnsupportedAlgorithmError(key, `unsupported digest algorithm ${key}`);
  return d;
}

/** Hash `data` with the algorithm named by OID, AlgorithmIdentifier or node name. */
export function digest(alg: AlgorithmIdentifier | string, data: Uint8Array): Uint8Array {
  const d = info(alg);
  const h = d.outputLength ? createHash(d.node, { outputLength: d.outputLength }) : createHash(d.node);
  return new Uint8Array(h.update(data).digest());
}

export function digestName(alg: AlgorithmIdentifier | string): string {
  return info(alg).node;
}

export function digestOid(name: string): string {
  return info(name).oid;
}

/** AlgorithmIdentifier for a digest; parameters absent as RFC 5754 §2 prefers. */
export function digestAlgorithm(name: string): AlgorithmIdentifier {
  return new AlgorithmIdentifier({ algorithm: info(name).oid });
}
