// Symmetric ciphers: AES key wrap (RFC 3394), AES-GCM and AES-CBC with PKCS#7 padding (RFC 9481 §4-5).
import { createCipheriv, createDecipheriv } from "node:crypto";
import { CryptoError } from "./errors.js";

const WRAP_IV = Buffer.from("a6a6a6a6a6a6a6a6", "hex");

function aesBits(key: Uint8Array): number {
  if (![16, 24, 32].includes(key.length))
    throw new CryptoError(`AES keys are 16, 24 or 32 bytes, not ${key.length}`);
  return key.length * 8;
}

export function aesKeyWrap(kek: Uint8Array, key: Uint8Array): Uint8Array {
  if (key.length < 16 || key.length % 8)
    throw new CryptoError("AES key wrap needs a key of 16+ bytes in 8-byte blocks");
  const c = createCipheriv(`id-aes${aesBits(kek)}-wrap`, kek, WRAP_IV);
  return new Uint8Array(Buffer.concat([c.update(key), c.final()]));
}

export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  try {
    const d = createDecipheriv(`id-aes${aesBits(kek)}-wrap`, kek, WRAP_IV);
    return new Uint8Array(Buffer.concat([d.update(wrapped), d.final()]));
  } catch {
    throw new CryptoError("AES key unwrap failed: wrong key or altered data");
  }
}

export function aesGcmEncrypt(
  key: Uint8Array,
  iv: Uint8Array,
  data: Uint8Array,
  aad?: Uint8Array,
  tagLength = 16,
) {
  const c = createCipheriv(`aes-${aesBits(key)}-gcm` as "aes-256-gcm", key, iv, { authTagLength: tagLength });
  if (aad) c.setAAD(aad);
  const ciphertext = new Uint8Array(Buffer.concat([c.update(data), c.final()]));
  return { ciphertext, tag: new Uint8Array(c.getAuthTag()) };
}

export function aesGcmDecrypt(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad?: Uint8Array,
): Uint8Array {
  try {
    const d = createDecipheriv(`aes-${aesBits(key)}-gcm` as "aes-256-gcm", key, iv, {
      authTagLength: tag.length,
    });
    if (aad) d.setAAD(aad);
    d.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([d.update(ciphertext), d.final()]));
  } catch {
    throw new CryptoError("AES-GCM decryption failed: wrong key or altered data");
  }
}

export function aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const c = createCipheriv(`aes-${aesBits(key)}-cbc`, key, iv);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

export function aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  try {
    const d = createDecipheriv(`aes-${aesBits(key)}-cbc`, key, iv);
    return new Uint8Array(Buffer.concat([d.update(data), d.final()]));
  } catch {
    throw new CryptoError("AES-CBC decryption failed: wrong key or bad padding");
  }
}
