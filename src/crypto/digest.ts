// Hashing by algorithm (RFC 9481 §2): digests named by OID, AlgorithmIdentifier or node name, over the
// registry's digest table.
import { createHash } from "node:crypto";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { digestInfo, type DigestAlgorithm } from "./algorithms/digests.js";
import { UnsupportedAlgorithmError } from "./errors.js";

function info(alg: AlgorithmIdentifier | string): DigestAlgorithm {
  const key = typeof alg === "string" ? alg : alg.algorithm;
  const d = digestInfo(key);
  if (!d) throw new UnsupportedAlgorithmError(key, `unsupported digest algorithm ${key}`);
  return d;
}

/** Hash `data` with the algorithm named by OID, AlgorithmIdentifier or node name. */
export function digest(alg: AlgorithmIdentifier | string, data: Uint8Array): Uint8Array {
  const d = info(alg);
  const h = d.outputLength ? createHash(d.hash, { outputLength: d.outputLength }) : createHash(d.hash);
  return new Uint8Array(h.update(data).digest());
}

export function digestName(alg: AlgorithmIdentifier | string): string {
  return info(alg).hash;
}

export function digestOid(name: string): string {
  return info(name).oid;
}

/** AlgorithmIdentifier for a digest; parameters absent as RFC 5754 §2 prefers. */
export function digestAlgorithm(name: string): AlgorithmIdentifier {
  return new AlgorithmIdentifier({ algorithm: info(name).oid });
}
