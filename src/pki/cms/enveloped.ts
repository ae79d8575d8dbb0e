// CMS EnvelopedData (RFC 5652 §6) with the key management techniques CMP uses (RFC 9481 §4,
// RFC 9483 §4.1.6): KTRI (ktri.ts), KARI (kari.ts), PWRI (pwri.ts), KEMRI (kemri.ts). This module
// picks the technique, assembles and opens the EnvelopedData. Content encryption: AES-256-CBC.
import { randomBytes } from "node:crypto";
import "../../asn1/cms-fix.js";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  ContentInfo,
  EncryptedContent,
  EncryptedContentInfo,
  EnvelopedData,
  RecipientInfo,
  RecipientInfos,
} from "@peculiar/asn1-cms";
import { id_aes256_CBC } from "../../asn1/cms-kem.js";
import { id_envelopedData } from "../../asn1/oids.js";
import {
  aesCbcDecrypt,
  aesCbcEncrypt,
  canAgree,
  canTransport,
  CryptoError,
  importPublicKeySpki,
  isKemType,
  type PrivateKey,
  type PublicKey,
} from "../../crypto/index.js";
import { AES_CBC_OID, algId, CmsError, der, namesCertificate } from "./common.js";
import { kariOpen, kariRecipient } from "./kari.js";
import { kemriOpen, kemriRecipient } from "./kemri.js";
import { ktriOpen, ktriRecipient } from "./ktri.js";
import { pwriOpen, pwriRecipient } from "./pwri.js";

export { CmsError };

/** ML-KEM and composite ML-KEM keys: usable only through encapsulation (the registry's isKemType). */
export function isKemKeyType(type: string): boolean {
  return isKemType(type);
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
  /** `certificate` selects the RecipientInfo by subjectKeyIdentifier or issuer and serial; without it, by the key's kind. */
  | { kind: "key"; key: PrivateKey; certificate?: Uint8Array }
  | { kind: "password"; password: Uint8Array; maxIterations?: number };

/** The technique a recipient certificate's key calls for (RFC 9483 §4.1.6). */
export function techniqueFor(key: PublicKey): "ktri" | "kari" | "kemri" {
  if (canTransport(key.type)) return "ktri";
  if (canAgree(key.type)) return "kari";
  if (isKemType(key.type)) return "kemri";
  throw new CmsError(`a ${key.type} key can neither decrypt, agree on nor decapsulate a key`);
}

const BUILDERS = { ktri: ktriRecipient, kari: kariRecipient, kemri: kemriRecipient };

/** The RecipientInfo carrying `cek` to one recipient (also used by AuthEnvelopedData, RFC 5083 §2.1). */
export function recipientInfo(r: Recipient, cek: Uint8Array): RecipientInfo {
  if (r.kind === "password") return pwriRecipient(r.password, r.iterations ?? 100_000, cek, r.keyWrap);
  const cert = AsnParser.parse(r.certificate, Certificate);
  const key = importPublicKeySpki(der(cert.tbsCertificate.subjectPublicKeyInfo));
  return BUILDERS[techniqueFor(key)](cert, key, cek);
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
  const infos = recipients.map((r) => recipientInfo(r, cek));
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

function recoverCek(info: RecipientInfo, cred: RecipientCredential): Uint8Array | undefined {
  if (cred.kind === "password") {
    return info.pwri ? pwriOpen(info.pwri, cred.password, cred.maxIterations ?? 1_000_000) : undefined;
  }
  const cert = cred.certificate ? AsnParser.parse(cred.certificate, Certificate) : undefined;
  if (info.ktri && namesCertificate(info.ktri.rid, cert)) {
    return ktriOpen(info.ktri, cred.key);
  }
  if (info.kari) return kariOpen(info.kari, cred.key, cert);
  if (info.ori) return kemriOpen(info.ori, cred.key, cert);
  return undefined;
}

/** The content-encryption key from the first RecipientInfo addressed to the credential. */
export function recoverContentKey(infos: Iterable<RecipientInfo>, cred: RecipientCredential): Uint8Array {
  let cek: Uint8Array | undefined;
  try {
    for (const info of infos) {
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
  return cek;
}

/** Decrypts EnvelopedData with the recipient's key (matched by issuer and serial) or password. */
export function openEnvelopedData(env: EnvelopedData, cred: RecipientCredential): Uint8Array {
  const cek = recoverContentKey(env.recipientInfos, cred);
  const eci = env.encryptedContentInfo;
  if (
    eci.contentEncryptionAlgorithm.algorithm !== id_aes256_CBC &&
    !AES_CBC_OID.test(eci.contentEncryptionAlgorithm.algorithm)
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
