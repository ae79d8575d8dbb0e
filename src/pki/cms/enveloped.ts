// CMS EnvelopedData (RFC 5652 §6) with the key management techniques CMP uses (RFC 9481 §4,
// RFC 9483 §4.1.6): KeyTransRecipientInfo (RSA-OAEP), KeyAgreeRecipientInfo (ECDH / X25519 / X448
// ephemeral-static, RFC 5753 / RFC 8418), PasswordRecipientInfo (PBKDF2 + AES key wrap) and
// KEMRecipientInfo (RFC 9629, ML-KEM per RFC 9936). Content encryption: AES-256-CBC.
import { createCipheriv, createDecipheriv, createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import "../../asn1/cms-fix.js";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import {
  ContentInfo,
  EncryptedContent,
  EncryptedContentInfo,
  EnvelopedData,
  IssuerAndSerialNumber,
  KeyAgreeRecipientIdentifier,
  KeyAgreeRecipientInfo,
  KeyTransRecipientInfo,
  OriginatorIdentifierOrKey,
  OriginatorPublicKey,
  OtherRecipientInfo,
  PasswordRecipientInfo,
  RecipientEncryptedKey,
  RecipientEncryptedKeys,
  RecipientIdentifier,
  RecipientInfo,
  RecipientInfos,
} from "@peculiar/asn1-cms";
import {
  CMSORIforKEMOtherInfo,
  dhSinglePass_stdDH_sha256kdf_scheme,
  EccCmsSharedInfo,
  id_aes128_wrap,
  id_aes256_CBC,
  id_aes256_wrap,
  id_alg_PWRI_KEK,
  id_mgf1,
  id_ori_kem,
  id_RSAES_OAEP,
  KEMRecipientInfo,
  RsaesOaepParams,
} from "../../asn1/cms-kem.js";
import {
  id_alg_hkdf_with_sha256,
  id_envelopedData,
  id_hmacWithSHA256,
  id_PBKDF2,
  id_sha256,
} from "../../asn1/oids.js";
import { PBKDF2Params, PBKDF2Salt } from "../../asn1/pkcs5.js";
import {
  aesCbcDecrypt,
  aesCbcEncrypt,
  aesKeyUnwrap,
  aesKeyWrap,
  canAgree,
  canTransport,
  CryptoError,
  digestName,
  ecdh,
  hkdf,
  hkdfHash,
  importPublicKeySpki,
  isKemType,
  keyAlgorithm,
  kemDecapsulate,
  kemEncapsulate,
  macAlgorithmInfo,
  pbkdf2,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  wrapPrivateKey,
  type PrivateKey,
  type PublicKey,
} from "../../crypto/index.js";

/** ML-KEM and composite ML-KEM keys: usable only through encapsulation (the registry's isKemType). */
export function isKemKeyType(type: string): boolean {
  return isKemType(type);
}

export class CmsError extends Error {
  override readonly name = "CmsError";
}

export type Recipient =
  | { kind: "certificate"; certificate: Uint8Array }
  | {
      kind: "password";
      password: Uint8Array;
      iterations?: number;
      /** Key encryption: AES key wrap (RFC 9481 §4.4, default) or the RFC 3211 id-alg-PWRI-KEK wrap. */
      keyWrap?: "aes-kw" | "pwri-kek";
    };

export type RecipientCredential =
  /** `certificate` selects the RecipientInfo by issuer and serial; without it, by the key's kind. */
  | { kind: "key"; key: PrivateKey; certificate?: Uint8Array }
  | { kind: "password"; password: Uint8Array; maxIterations?: number };

const ab = (u: Uint8Array) => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
const der = (v: unknown) => new Uint8Array(AsnSerializer.serialize(v));
const algId = (oid: string, params?: ArrayBuffer) =>
  new AlgorithmIdentifier(params ? { algorithm: oid, parameters: params } : { algorithm: oid });
const nullParams = () => new Uint8Array([5, 0]).buffer;

/** The technique a recipient certificate's key calls for (RFC 9483 §4.1.6). */
export function techniqueFor(key: PublicKey): "ktri" | "kari" | "kemri" {
  if (canTransport(key.type)) return "ktri";
  if (canAgree(key.type)) return "kari";
  if (isKemType(key.type)) return "kemri";
  throw new CmsError(`a ${key.type} key can neither decrypt, agree on nor decapsulate a key`);
}

function issuerAndSerial(cert: Certificate): IssuerAndSerialNumber {
  return new IssuerAndSerialNumber({
    issuer: cert.tbsCertificate.issuer,
    serialNumber: cert.tbsCertificate.serialNumber,
  });
}

// ---- key derivation pieces ----

/** ANSI X9.63 KDF with SHA-256 as RFC 5753 §7.2 uses it for a KEK of `bits` length. */
function x963Kdf(z: Uint8Array, sharedInfo: Uint8Array, bytes: number): Uint8Array {
  const out: Buffer[] = [];
  for (let counter = 1; out.length * 32 < bytes; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash("sha256").update(z).update(c).update(sharedInfo).digest());
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, bytes));
}

function kariKek(z: Uint8Array, wrapOid: string, ukm?: OctetString): Uint8Array {
  const bits = wrapOid === id_aes128_wrap ? 128 : 256;
  const supp = Buffer.alloc(4);
  supp.writeUInt32BE(bits);
  const info = new EccCmsSharedInfo({
    keyInfo: algId(wrapOid),
    entityUInfo: ukm,
    suppPubInfo: new OctetString(supp),
  });
  return x963Kdf(z, der(info), bits / 8);
}

function kemriWrapFor(kemType: string): { wrap: string; kekLength: number } {
  // RFC 9936 §3: ML-KEM-512 with AES-128 key wrap, ML-KEM-768/1024 with AES-256.
  return kemType === "ml-kem-512"
    ? { wrap: id_aes128_wrap, kekLength: 16 }
    : { wrap: id_aes256_wrap, kekLength: 32 };
}

function kemriKek(
  ss: Uint8Array,
  kdf: AlgorithmIdentifier,
  wrap: string,
  kekLength: number,
  ukm?: OctetString,
): Uint8Array {
  const info = der(new CMSORIforKEMOtherInfo({ wrap: algId(wrap), kekLength, ukm }));
  return hkdf(hkdfHash(kdf), ss, new Uint8Array(0), info, kekLength);
}

// ---- building ----

function ktri(cert: Certificate, key: PublicKey, cek: Uint8Array): RecipientInfo {
  const sha256 = algId(id_sha256);
  const params = new RsaesOaepParams({
    hashFunc: sha256,
    maskGenFunc: algId(id_mgf1, AsnSerializer.serialize(sha256)),
  });
  return new RecipientInfo({
    ktri: new KeyTransRecipientInfo({
      version: 0,
      rid: new RecipientIdentifier({ issuerAndSerialNumber: issuerAndSerial(cert) }),
      keyEncryptionAlgorithm: algId(id_RSAES_OAEP, AsnSerializer.serialize(params)),
      encryptedKey: new OctetString(rsaOaepEncrypt(key, cek, "sha256")),
    }),
  });
}

function kari(cert: Certificate, key: PublicKey, cek: Uint8Array): RecipientInfo {
  const a = keyAlgorithm(key.type)!;
  const eph =
    a.family === "ec"
      ? generateKeyPairSync("ec", { namedCurve: a.curve! })
      : a.type === "x448"
        ? generateKeyPairSync("x448")
        : generateKeyPairSync("x25519");
  const z = ecdh(wrapPrivateKey(eph.privateKey), key);
  const kek = kariKek(z, id_aes256_wrap);
  const ephSpki = AsnParser.parse(
    eph.publicKey.export({ format: "der", type: "spki" }),
    SubjectPublicKeyInfo,
  );
  // RFC 5753 §3.1.1: the originator's ephemeral EC key is given with id-ecPublicKey and no curve parameters.
  const origAlg = a.family === "ec" ? algId(ephSpki.algorithm.algorithm) : ephSpki.algorithm;
  return new RecipientInfo({
    kari: new KeyAgreeRecipientInfo({
      version: 3,
      originator: new OriginatorIdentifierOrKey({
        originatorKey: new OriginatorPublicKey({ algorithm: origAlg, publicKey: ephSpki.subjectPublicKey }),
      }),
      keyEncryptionAlgorithm: algId(
        dhSinglePass_stdDH_sha256kdf_scheme,
        AsnSerializer.serialize(algId(id_aes256_wrap)),
      ),
      recipientEncryptedKeys: new RecipientEncryptedKeys([
        new RecipientEncryptedKey({
          rid: new KeyAgreeRecipientIdentifier({ issuerAndSerialNumber: issuerAndSerial(cert) }),
          encryptedKey: new OctetString(aesKeyWrap(kek, cek)),
        }),
      ]),
    }),
  });
}

function kemri(cert: Certificate, key: PublicKey, cek: Uint8Array): RecipientInfo {
  const { sharedSecret, ciphertext } = kemEncapsulate(key);
  const { wrap, kekLength } = kemriWrapFor(key.type);
  const kdf = algId(id_alg_hkdf_with_sha256);
  const kek = kemriKek(sharedSecret, kdf, wrap, kekLength);
  const info = new KEMRecipientInfo({
    version: 0,
    rid: new RecipientIdentifier({ issuerAndSerialNumber: issuerAndSerial(cert) }),
    kem: algId(AsnParser.parse(key.spki, SubjectPublicKeyInfo).algorithm.algorithm),
    kemct: new OctetString(ciphertext),
    kdf,
    kekLength,
    wrap: algId(wrap),
    encryptedKey: new OctetString(aesKeyWrap(kek, cek)),
  });
  return new RecipientInfo({
    ori: new OtherRecipientInfo({ oriType: id_ori_kem, oriValue: AsnSerializer.serialize(info) }),
  });
}

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

function pwri(
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

/** Encrypts `content` for the recipients; returns the EnvelopedData (for CMP's EncryptedKey). */
export function buildEnvelopedData(
  content: Uint8Array,
  contentType: string,
  recipients: Recipient[],
): EnvelopedData {
  if (recipients.length === 0) throw new CmsError("EnvelopedData needs at least one recipient");
  const cek = new Uint8Array(randomBytes(32));
  const iv = new Uint8Array(randomBytes(16));
  const infos = recipients.map((r) => {
    if (r.kind === "password") return pwri(r.password, r.iterations ?? 100_000, cek, r.keyWrap);
    const cert = AsnParser.parse(r.certificate, Certificate);
    const key = importPublicKeySpki(der(cert.tbsCertificate.subjectPublicKeyInfo));
    const t = techniqueFor(key);
    return t === "ktri" ? ktri(cert, key, cek) : t === "kari" ? kari(cert, key, cek) : kemri(cert, key, cek);
  });
  // RFC 5652 §6.1: version 3 with pwri or ori recipients, 2 with other non-v0 ones, else 0.
  const version = infos.some((i) => i.pwri || i.ori)
    ? 3
    : infos.some((i) => !i.ktri || i.ktri.version !== 0)
      ? 2
      : 0;
  return new EnvelopedData({
    version,
    recipientInfos: new RecipientInfos(infos),
    encryptedContentInfo: new EncryptedContentInfo({
      contentType,
      contentEncryptionAlgorithm: algId(id_aes256_CBC, AsnSerializer.serialize(new OctetString(iv))),
      encryptedContent: new EncryptedContent({ value: new OctetString(aesCbcEncrypt(cek, iv, content)) }),
    }),
  });
}

/** ContentInfo { id-envelopedData, EnvelopedData } in DER, the form `openssl cms` reads. */
export function envelopedContentInfoDer(env: EnvelopedData): Uint8Array {
  return der(new ContentInfo({ contentType: id_envelopedData, content: AsnSerializer.serialize(env) }));
}

// ---- opening ----

/** Without a certificate (an encrypted certificate being opened) any recipient of the key's kind matches. */
function sameIssuerSerial(a: IssuerAndSerialNumber | undefined, cert: Certificate | undefined): boolean {
  if (!cert) return true;
  return !!a && Buffer.from(der(a)).equals(Buffer.from(der(issuerAndSerial(cert))));
}

function recoverCek(info: RecipientInfo, cred: RecipientCredential): Uint8Array | undefined {
  if (cred.kind === "password") {
    if (!info.pwri) return undefined;
    const p = info.pwri;
    if (p.keyDerivationAlgorithm?.algorithm !== id_PBKDF2 || !p.keyDerivationAlgorithm.parameters) {
      throw new CmsError("PasswordRecipientInfo without PBKDF2 parameters");
    }
    const kdf = AsnParser.parse(p.keyDerivationAlgorithm.parameters, PBKDF2Params);
    if (!kdf.salt.specified) throw new CmsError("PBKDF2 salt must be given");
    const max = cred.maxIterations ?? 1_000_000;
    if (kdf.iterationCount < 1 || kdf.iterationCount > max)
      throw new CmsError(`PBKDF2 iteration count ${kdf.iterationCount} is not acceptable`);
    const wrap = p.keyEncryptionAlgorithm.algorithm;
    let pwriKekIv: Uint8Array | undefined;
    let kekLen = wrap === id_aes128_wrap ? 16 : 32;
    if (wrap === id_alg_PWRI_KEK) {
      const inner = AsnParser.parse(p.keyEncryptionAlgorithm.parameters!, AlgorithmIdentifier);
      if (!/^2\.16\.840\.1\.101\.3\.4\.1\.(2|22|42)$/.test(inner.algorithm)) {
        throw new CmsError(`PWRI-KEK with ${inner.algorithm} is not supported`);
      }
      kekLen = { "2": 16, "22": 24, "42": 32 }[inner.algorithm.split(".").pop()!]!;
      pwriKekIv = new Uint8Array(AsnParser.parse(inner.parameters!, OctetString).buffer);
    } else if (wrap !== id_aes128_wrap && wrap !== id_aes256_wrap && wrap !== "2.16.840.1.101.3.4.1.25") {
      throw new CmsError(`password key encryption ${wrap} is not supported`);
    }
    const prf = kdf.prf ? macAlgorithmInfo(kdf.prf).hash : "sha1";
    const kek = pbkdf2(
      cred.password,
      new Uint8Array(kdf.salt.specified),
      kdf.iterationCount,
      kdf.keyLength ?? kekLen,
      prf,
    );
    const wrapped = new Uint8Array(p.encryptedKey.buffer);
    return pwriKekIv ? pwriKekUnwrap(kek, pwriKekIv, wrapped) : aesKeyUnwrap(kek, wrapped);
  }
  const cert = cred.certificate ? AsnParser.parse(cred.certificate, Certificate) : undefined;
  if (info.ktri && sameIssuerSerial(info.ktri.rid.issuerAndSerialNumber, cert)) {
    const alg = info.ktri.keyEncryptionAlgorithm;
    if (alg.algorithm !== id_RSAES_OAEP)
      throw new CmsError(`key transport ${alg.algorithm} is not RSAES-OAEP`);
    const p = alg.parameters ? AsnParser.parse(alg.parameters, RsaesOaepParams) : new RsaesOaepParams();
    return rsaOaepDecrypt(
      cred.key,
      new Uint8Array(info.ktri.encryptedKey.buffer),
      p.hashFunc ? digestName(p.hashFunc) : "sha1",
    );
  }
  if (info.kari) {
    const rek = info.kari.recipientEncryptedKeys.find((r) =>
      sameIssuerSerial(r.rid.issuerAndSerialNumber, cert),
    );
    if (!rek) return undefined;
    const orig = info.kari.originator.originatorKey;
    if (!orig) throw new CmsError("KeyAgreeRecipientInfo without an ephemeral originator key");
    if (info.kari.keyEncryptionAlgorithm.algorithm !== dhSinglePass_stdDH_sha256kdf_scheme) {
      throw new CmsError(
        `key agreement scheme ${info.kari.keyEncryptionAlgorithm.algorithm} is not supported`,
      );
    }
    const wrap = AsnParser.parse(info.kari.keyEncryptionAlgorithm.parameters!, AlgorithmIdentifier).algorithm;
    // Rebuild the ephemeral key's SPKI with the recipient key's algorithm and curve parameters.
    const spki = new SubjectPublicKeyInfo({
      algorithm: AsnParser.parse(cred.key.publicKey.spki, SubjectPublicKeyInfo).algorithm,
      subjectPublicKey: orig.publicKey,
    });
    const z = ecdh(cred.key, importPublicKeySpki(der(spki)));
    return aesKeyUnwrap(kariKek(z, wrap, info.kari.ukm), new Uint8Array(rek.encryptedKey.buffer));
  }
  if (info.ori?.oriType === id_ori_kem) {
    const k = AsnParser.parse(info.ori.oriValue, KEMRecipientInfo);
    if (!sameIssuerSerial(k.rid.issuerAndSerialNumber, cert)) return undefined;
    const ss = kemDecapsulate(cred.key, new Uint8Array(k.kemct.buffer));
    const kek = kemriKek(ss, k.kdf, k.wrap.algorithm, k.kekLength, k.ukm);
    return aesKeyUnwrap(kek, new Uint8Array(k.encryptedKey.buffer));
  }
  return undefined;
}

/** Decrypts EnvelopedData with the recipient's key (matched by issuer and serial) or password. */
export function openEnvelopedData(env: EnvelopedData, cred: RecipientCredential): Uint8Array {
  let cek: Uint8Array | undefined;
  try {
    for (const info of env.recipientInfos) {
      cek = recoverCek(info, cred);
      if (cek) break;
    }
  } catch (e) {
    if (e instanceof CmsError) throw e;
    if (e instanceof CryptoError)
      throw new CmsError(`cannot recover the content-encryption key: ${e.message}`);
    throw e;
  }
  if (!cek) throw new CmsError("no RecipientInfo is addressed to this key or password");
  const eci = env.encryptedContentInfo;
  if (
    eci.contentEncryptionAlgorithm.algorithm !== id_aes256_CBC &&
    !/^2\.16\.840\.1\.101\.3\.4\.1\.(2|22|42)$/.test(eci.contentEncryptionAlgorithm.algorithm)
  ) {
    throw new CmsError(`content encryption ${eci.contentEncryptionAlgorithm.algorithm} is not supported`);
  }
  const iv = AsnParser.parse(eci.contentEncryptionAlgorithm.parameters!, OctetString);
  const ct =
    eci.encryptedContent?.value ??
    (eci.encryptedContent?.constructedValue
      ? new OctetString(
          Buffer.concat(eci.encryptedContent.constructedValue.map((o) => Buffer.from(o.buffer))),
        )
      : undefined);
  if (!ct) throw new CmsError("EnvelopedData without encrypted content");
  try {
    return aesCbcDecrypt(cek, new Uint8Array(iv.buffer), new Uint8Array(ct.buffer));
  } catch {
    throw new CmsError("content decryption failed: wrong key or altered data");
  }
}

export function parseEnvelopedContentInfo(derBytes: Uint8Array): EnvelopedData {
  const ci = AsnParser.parse(derBytes, ContentInfo);
  if (ci.contentType !== id_envelopedData) throw new CmsError("not an EnvelopedData ContentInfo");
  return AsnParser.parse(ci.content, EnvelopedData);
}
