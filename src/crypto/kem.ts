// Key establishment: ML-KEM encapsulation (FIPS 203), ECDH / X25519 / X448, RSA-OAEP.
import {
  constants,
  decapsulate,
  diffieHellman,
  encapsulate,
  privateDecrypt,
  publicEncrypt,
} from "node:crypto";
import { CryptoError } from "./errors.js";
import { keyAlgorithm } from "./registry.js";
import type { PrivateKey, PublicKey } from "./key-types.js";
import {
  CompositeKemPrivateKey,
  CompositeKemPublicKey,
  compositeKemDecapsulate,
  compositeKemEncapsulate,
} from "./composite-kem.js";

export function kemEncapsulate(key: PublicKey): { sharedSecret: Uint8Array; ciphertext: Uint8Array } {
  if (key instanceof CompositeKemPublicKey) return compositeKemEncapsulate(key);
  if (!key.native || keyAlgorithm(key.type)?.family !== "ml-kem")
    throw new CryptoError(`a ${key.type} key cannot encapsulate`);
  const r = encapsulate(key.native);
  return { sharedSecret: new Uint8Array(r.sharedKey), ciphertext: new Uint8Array(r.ciphertext) };
}

export function kemDecapsulate(key: PrivateKey, ciphertext: Uint8Array): Uint8Array {
  if (key instanceof CompositeKemPrivateKey) return compositeKemDecapsulate(key, ciphertext);
  if (!key.native || keyAlgorithm(key.type)?.family !== "ml-kem")
    throw new CryptoError(`a ${key.type} key cannot decapsulate`);
  try {
    return new Uint8Array(decapsulate(key.native, ciphertext));
  } catch (e) {
    throw new CryptoError(`decapsulation failed: ${(e as Error).message}`);
  }
}

export function ecdh(privateKey: PrivateKey, publicKey: PublicKey): Uint8Array {
  if (!privateKey.native || !publicKey.native) throw new CryptoError("ECDH needs software keys");
  try {
    return new Uint8Array(diffieHellman({ privateKey: privateKey.native, publicKey: publicKey.native }));
  } catch (e) {
    throw new CryptoError(`key agreement failed: ${(e as Error).message}`);
  }
}

export function rsaOaepEncrypt(key: PublicKey, data: Uint8Array, hash = "sha256"): Uint8Array {
  if (!key.native) throw new CryptoError("RSA-OAEP needs a software key");
  return new Uint8Array(
    publicEncrypt({ key: key.native, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data),
  );
}

export function rsaOaepDecrypt(key: PrivateKey, data: Uint8Array, hash = "sha256"): Uint8Array {
  if (!key.native) throw new CryptoError("RSA-OAEP needs a software key");
  try {
    return new Uint8Array(
      privateDecrypt({ key: key.native, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data),
    );
  } catch {
    throw new CryptoError("RSA-OAEP decryption failed");
  }
}
