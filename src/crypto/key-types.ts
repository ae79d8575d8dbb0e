// The key handle interfaces every key implementation fulfils (software keys, composite keys, later
// hardware keys); a module of its own so that key implementations need not import each other.
import type { KeyObject } from "node:crypto";

export type KeyType =
  | "rsa"
  | "rsa-pss"
  | "ec-p256"
  | "ec-p384"
  | "ec-p521"
  | "ed25519"
  | "ed448"
  | "x25519"
  | "x448"
  | "ml-dsa-44"
  | "ml-dsa-65"
  | "ml-dsa-87"
  | "ml-kem-512"
  | "ml-kem-768"
  | "ml-kem-1024"
  | `slh-dsa-${string}`;

export interface PublicKey {
  readonly type: KeyType | string;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly native?: KeyObject;
}

export interface PrivateKey {
  readonly type: KeyType | string;
  readonly publicKey: PublicKey;
  readonly native?: KeyObject;
  /** DER PKCS#8 OneAsymmetricKey. */
  pkcs8(): Uint8Array;
}
