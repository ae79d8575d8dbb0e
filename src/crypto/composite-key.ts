// The key objects of the composite algorithms (ML-DSA and ML-KEM composites): the ML component, the
// traditional component and their raw concatenation, which is what SPKI and PKCS#8 carry.
import type { KeyObject } from "node:crypto";
import { oidDer, pkcs8Der, spkiDer, tlv } from "./der.js";
import { CryptoError } from "./errors.js";
import type { PrivateKey, PublicKey } from "./key-types.js";
import { assertStrictDer } from "./strict-der.js";

/** What the key classes need of a composite algorithm. */
export interface CompositeAlgorithmId {
  readonly oid: string;
  readonly name: string;
}

abstract class CompositeKeyParts<A extends CompositeAlgorithmId> {
  readonly type: string;
  constructor(
    readonly alg: A,
    /** The ML-DSA or ML-KEM component. */
    readonly ml: KeyObject,
    readonly trad: KeyObject,
    /** Public: ML key || traditional key; private: ML seed || traditional private key. */
    readonly raw: Uint8Array,
  ) {
    this.type = `composite:${alg.name.toLowerCase()}`;
  }

  /** AlgorithmIdentifier of the composite: its OID and no parameters. */
  protected get algorithmDer(): Uint8Array {
    return tlv(0x30, oidDer(this.alg.oid));
  }
}

export class CompositePublicKeyBase<A extends CompositeAlgorithmId>
  extends CompositeKeyParts<A>
  implements PublicKey
{
  get spki(): Uint8Array {
    return spkiDer(this.algorithmDer, this.raw);
  }
}

export class CompositePrivateKeyBase<A extends CompositeAlgorithmId, P extends CompositePublicKeyBase<A>>
  extends CompositeKeyParts<A>
  implements PrivateKey
{
  constructor(
    alg: A,
    ml: KeyObject,
    trad: KeyObject,
    raw: Uint8Array,
    readonly publicKey: P,
  ) {
    super(alg, ml, trad, raw);
  }
  pkcs8(): Uint8Array {
    return pkcs8Der(this.algorithmDer, this.raw);
  }
}

/** Parameters a composite OID fixes for its traditional component. */
export interface ComponentParameters {
  kind: string;
  bits?: number;
  curve?: string;
}

/**
 * The traditional component must have what the composite OID names: the RSA modulus size, the EC
 * curve (draft-ietf-lamps-pq-composite-sigs / -kem, algorithm tables); its DER must be strict.
 */
export function checkComponent(
  k: KeyObject,
  p: ComponentParameters,
  der: Uint8Array | undefined,
  what: string,
): KeyObject {
  if (der) assertStrictDer(der, `${what} traditional component`);
  const d = k.asymmetricKeyDetails ?? {};
  if (p.bits !== undefined && d.modulusLength !== p.bits)
    throw new CryptoError(
      `${what}: the RSA component has ${d.modulusLength} bits, the algorithm names ${p.bits}`,
    );
  if (p.curve !== undefined && d.namedCurve !== p.curve)
    throw new CryptoError(`${what}: the EC component is on ${d.namedCurve}, the algorithm names ${p.curve}`);
  return k;
}
