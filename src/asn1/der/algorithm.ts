// DER of AlgorithmIdentifiers written again and again (a CA's or server's signature algorithm): the ones
// without parameters or with NULL are encoded once; any others (MAC parameters with a fresh salt) each time.
import { AsnSerializer } from "@peculiar/asn1-schema";
import type { AlgorithmIdentifier } from "@peculiar/asn1-x509";

const kept = new Map<string, Uint8Array>();

export function algorithmDer(alg: AlgorithmIdentifier): Uint8Array {
  if (alg.parameters) return new Uint8Array(AsnSerializer.serialize(alg));
  const key = `${alg.algorithm}/${alg.parameters === null ? "null" : ""}`;
  let der = kept.get(key);
  if (!der) {
    der = new Uint8Array(AsnSerializer.serialize(alg));
    if (kept.size < 64) kept.set(key, der);
  }
  return der;
}
