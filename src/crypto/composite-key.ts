// The key objects of the composite algorithms (ML-DSA and ML-KEM composites): the ML component, the
// traditional component and their raw concatenation, which is what SPKI and PKCS#8 carry.
import type { KeyObject } from "node:crypto";
import { oidDer, pkcs8Der, spkiDer, tlv } from "./der.js";
import type { PrivateKey, PublicKey } from "./key-types.js";

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
