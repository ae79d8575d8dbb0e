// Pieces the direct DER readers share: the signal for a shape left to the schema parser, and the
// AlgorithmIdentifier (RFC 5280 §4.1.1.2) in the forms that need no look inside their parameters.
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { oidText } from "./oid.js";
import { DerReader, type DerElement } from "./reader.js";

/** A shape a direct reader leaves to the schema parser (not an error in the message). */
export class Declined extends Error {
  override readonly name = "Declined";
}

/**
 * The value read directly, or, when the direct reader declines or meets anything it does not take, what
 * the schema parser makes of the same bytes (its result or its error stands).
 */
export function directOr<T>(direct: () => T, schema: () => T): T {
  try {
    return direct();
  } catch {
    return schema();
  }
}

/**
 * AlgorithmIdentifier with absent, NULL or OBJECT IDENTIFIER parameters (RSA, EC named curves, EdDSA,
 * ML-DSA); parameters of any other kind are left to the schema parser, which checks their encoding.
 */
export function algorithmIdentifier(e: DerElement): AlgorithmIdentifier {
  const r = DerReader.of(e);
  const alg = new AlgorithmIdentifier({ algorithm: oidText(r.expect(0x06, "algorithm").content) });
  if (!r.empty) {
    const p = r.read();
    // Parameters are ANY: NULL becomes null, anything else its encoding.
    if (p.tag === 0x05 && p.content.length === 0) alg.parameters = null;
    else if (p.tag === 0x06 && oidText(p.content)) alg.parameters = p.bytes.slice().buffer;
    else throw new Declined("algorithm parameters");
  }
  if (!r.empty) throw new Declined("AlgorithmIdentifier with more fields");
  return alg;
}
