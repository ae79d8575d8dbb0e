// PasswordRecipientInfo (RFC 5652 §6.2.4): PBKDF2 (RFC 8018) and AES key wrap (RFC 9481 §4.4) or the
// RFC 3211 id-alg-PWRI-KEK wrap, for building and for recovering the content key.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { PasswordRecipientInfo, RecipientInfo } from "@peculiar/asn1-cms";
import { id_aes128_wrap, id_aes256_CBC, id_aes256_wrap, id_alg_PWRI_KEK } from "../../asn1/cms-kem.js";
import { id_hmacWithSHA256, id_PBKDF2 } from "../../asn1/oids.js";
import { PBKDF2Params, PBKDF2Salt } from "../../asn1/pkcs5.js";
import { aesKeyUnwrap, aesKeyWrap, macAlgorithmInfo, pbkdf2 } from "../../crypto/index.js";
import { AES_CBC_OID, ab, algId, CmsError, nullParams } from "./common.js";

// RFC 3211 §2.3: the PWRI-KEK wrap — length, check bytes, key and padding, CBC-encrypted twice.
function pwriKekWrap(kek: Uint8Array, iv: Uint8Array, cek: Uint8Array): Uint8Array {
  const block = 16;
  const len = Math.max(2 * block, Math.ceil((4 + cek.length) / block) * block);
  const p = new Uint8Array(len);
  p.set(randomBytes(len), 0);
  p[0] = cek.length;
  p[1] = ~cek[0]! & 0xff;
  p[2] = ~cek[1]! & 0xff;
  p[3] = ~cek[2]! & 0xff;
  p.set(cek, 4);
  const c1 = cbcRaw(kek, iv, p, true);
  return cbcRaw(kek, c1.subarray(len - block), c1, true);
}

function pwriKekUnwrap(kek: Uint8Array, iv: Uint8Array, c2: Uint8Array): Uint8Array {
  const block = 16;
  const n = c2.length;
  if (n < 2 * block || n % block) throw new CmsError("PWRI-KEK wrapped key has a bad length");
  // The IV of the second pass is the last block of the first pass: recover it from the last two blocks.
  const lastPlain = ecbDecrypt(kek, c2.subarray(n - block));
  const c1Last = lastPlain.map((b, i) => b ^ c2[n - 2 * block + i]!);
  const c1 = cbcRaw(kek, c1Last, c2, false);
  const p = cbcRaw(kek, iv, c1, false);
  const keyLen = p[0]!;
  if (keyLen < 16 || keyLen + 4 > n || ((p[1]! ^ p[4]!) & (p[2]! ^ p[5]!) & (p[3]! ^ p[6]!)) !== 0xff) {
    throw new CmsError("password-based key unwrap failed: wrong password or altered data");
  }
  return p.slice(4, 4 + keyLen);
}

function cbcRaw(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt: boolean): Uint8Array {
  const name = `aes-${key.length * 8}-cbc`;
  const c = encrypt ? createCipheriv(name, key, iv) : createDecipheriv(name, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

function ecbDecrypt(key: Uint8Array, block: Uint8Array): Uint8Array {
  const d = createDecipheriv(`aes-${key.length * 8}-ecb`, key, null);
  d.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([d.update(block), d.final()]));
}

export function pwriRecipient(
  password: Uint8Array,
  iterations: number,
  cek: Uint8Array,
  keyWrap: "aes-kw" | "pwri-kek" = "aes-kw",
): RecipientInfo {
  const salt = new Uint8Array(randomBytes(16));
  const params = new PBKDF2Params({
    salt: new PBKDF2Salt({ specified: ab(salt) }),
    iterationCount: iterations,
    keyLength: 32,
    prf: algId(id_hmacWithSHA256, nullParams()),
  });
  const kek = pbkdf2(password, salt, iterations, 32, "sha256");
  let keyEncryptionAlgorithm: AlgorithmIdentifier;
  let encryptedKey: Uint8Array;
  if (keyWrap === "pwri-kek") {
    const iv = new Uint8Array(randomBytes(16));
    keyEncryptionAlgorithm = algId(
      id_alg_PWRI_KEK,
      AsnSerializer.serialize(algId(id_aes256_CBC, AsnSerializer.serialize(new OctetString(iv)))),
    );
    encryptedKey = pwriKekWrap(kek, iv, cek);
  } else {
    keyEncryptionAlgorithm = algId(id_aes256_wrap);
    encryptedKey = aesKeyWrap(kek, cek);
  }
  return new RecipientInfo({
    pwri: new PasswordRecipientInfo({
      version: 0,
      keyDerivationAlgorithm: algId(id_PBKDF2, AsnSerializer.serialize(params)),
      keyEncryptionAlgorithm,
      encryptedKey: new OctetString(encryptedKey),
    }),
  });
}

/** The key encryption of a PasswordRecipientInfo: the KEK length and, for PWRI-KEK, its CBC IV. */
function pwriKeyEncryption(alg: AlgorithmIdentifier): { kekLen: number; pwriKekIv?: Uint8Array } {
  const wrap = alg.algorithm;
  if (wrap === id_alg_PWRI_KEK) {
    const inner = AsnParser.parse(alg.parameters!, AlgorithmIdentifier);
    if (!AES_CBC_OID.test(inner.algorithm)) {
      throw new CmsError(`PWRI-KEK with ${inner.algorithm} is not supported`);
    }
    const kekLen = { "2": 16, "22": 24, "42": 32 }[inner.algorithm.split(".").pop()!]!;
    return { kekLen, pwriKekIv: new Uint8Array(AsnParser.parse(inner.parameters!, OctetString).buffer) };
  }
  if (wrap !== id_aes128_wrap && wrap !== id_aes256_wrap && wrap !== "2.16.840.1.101.3.4.1.25") {
    throw new CmsError(`password key encryption ${wrap} is not supported`);
  }
  return { kekLen: wrap === id_aes128_wrap ? 16 : 32 };
}

/** The content key a PasswordRecipientInfo wraps under `password`; at most `maxIterations` PBKDF2 rounds. */
export function pwriOpen(p: PasswordRecipientInfo, password: Uint8Array, maxIterations: number): Uint8Array {
  if (p.keyDerivationAlgorithm?.algorithm !== id_PBKDF2 || !p.keyDerivationAlgorithm.parameters) {
    throw new CmsError("PasswordRecipientInfo without PBKDF2 parameters");
  }
  const kdf = AsnParser.parse(p.keyDerivationAlgorithm.parameters, PBKDF2Params);
  if (!kdf.salt.specified) throw new CmsError("PBKDF2 salt must be given");
  if (kdf.iterationCount < 1 || kdf.iterationCount > maxIterations)
    throw new CmsError(`PBKDF2 iteration count ${kdf.iterationCount} is not acceptable`);
  const { kekLen, pwriKekIv } = pwriKeyEncryption(p.keyEncryptionAlgorithm);
  const prf = kdf.prf ? macAlgorithmInfo(kdf.prf).hash : "sha1";
  const kek = pbkdf2(
    password,
    new Uint8Array(kdf.salt.specified),
    kdf.iterationCount,
    kdf.keyLength ?? kekLen,
    prf,
  );
  const wrapped = new Uint8Array(p.encryptedKey.buffer);
  return pwriKekIv ? pwriKekUnwrap(kek, pwriKekIv, wrapped) : aesKeyUnwrap(kek, wrapped);
}
