// CMS AuthEnvelopedData (RFC 5083) with AES-GCM (RFC 5084): the recipients of enveloped.ts (KTRI,
// KARI, KEMRI, PWRI) carry the content-authenticated-encryption key; building and opening.
import { randomBytes } from "node:crypto";
import "../../asn1/cms-fix.js";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  Attribute,
  ContentInfo,
  EncryptedContent,
  EncryptedContentInfo,
  RecipientInfos,
} from "@peculiar/asn1-cms";
import {
  AuthAttributes,
  AuthEnvelopedData,
  GCMParameters,
  id_aes128_GCM,
  id_aes192_GCM,
  id_aes256_GCM,
  id_ct_authEnvelopedData,
} from "../../asn1/cms-auth.js";
import { ObjectIdentifierValue } from "../../asn1/itav.js";
import { id_data } from "../../asn1/oids.js";
import { aesGcmDecrypt, aesGcmEncrypt, CryptoError } from "../../crypto/index.js";
import { algId, CmsError, der } from "./common.js";
import { recipientInfo, recoverContentKey, type Recipient, type RecipientCredential } from "./enveloped.js";

export { AuthEnvelopedData };

const id_contentType = "1.2.840.113549.1.9.3";
/** Key length in bytes per AES-GCM OID (RFC 5084 §3.2). */
const GCM_KEY_BYTES: Record<string, number> = {
  [id_aes128_GCM]: 16,
  [id_aes192_GCM]: 24,
  [id_aes256_GCM]: 32,
};

/** RFC 5083 §2.2: the authenticated attributes enter the MAC as DER with the SET OF tag. */
function aadOf(attrs: AuthAttributes | undefined): Uint8Array | undefined {
  return attrs ? der(attrs) : undefined;
}

/** RFC 5083 §2.1: content other than id-data needs authAttrs with its content type. */
function contentTypeAttrs(contentType: string): AuthAttributes | undefined {
  if (contentType === id_data) return undefined;
  const value = AsnSerializer.serialize(new ObjectIdentifierValue(contentType));
  return new AuthAttributes([new Attribute({ attrType: id_contentType, attrValues: [value] })]);
}

/** Encrypts and authenticates `content` with AES-256-GCM (12-octet nonce, 16-octet tag) for the recipients. */
export function buildAuthEnvelopedData(
  content: Uint8Array,
  contentType: string,
  recipients: Recipient[],
): AuthEnvelopedData {
  if (recipients.length === 0) throw new CmsError("AuthEnvelopedData needs at least one recipient");
  const cek = new Uint8Array(randomBytes(32));
  // RFC 5084 §3.2: a 12-octet nonce is recommended; a 16-octet ICV keeps the full tag.
  const nonce = new Uint8Array(randomBytes(12));
  const params = new GCMParameters({ aesNonce: new OctetString(nonce), aesICVlen: 16 });
  const authAttrs = contentTypeAttrs(contentType);
  const { ciphertext, tag } = aesGcmEncrypt(cek, nonce, content, aadOf(authAttrs), 16);
  return new AuthEnvelopedData({
    // RFC 5083 §2.1: version is always 0.
    version: 0,
    recipientInfos: new RecipientInfos(recipients.map((r) => recipientInfo(r, cek))),
    authEncryptedContentInfo: new EncryptedContentInfo({
      contentType,
      contentEncryptionAlgorithm: algId(id_aes256_GCM, AsnSerializer.serialize(params)),
      encryptedContent: new EncryptedContent({ value: new OctetString(ciphertext) }),
    }),
    authAttrs,
    mac: new OctetString(tag),
  });
}

function encryptedOctets(eci: EncryptedContentInfo): Uint8Array {
  const ec = eci.encryptedContent;
  if (ec?.value) return new Uint8Array(ec.value.buffer);
  if (ec?.constructedValue)
    return new Uint8Array(Buffer.concat(ec.constructedValue.map((o) => Buffer.from(o.buffer))));
  throw new CmsError("AuthEnvelopedData without encrypted content");
}

/** The content type named in authAttrs must be the encrypted content's (RFC 5083 §2.1). */
function checkAuthAttrs(a: AuthEnvelopedData): void {
  const contentType = a.authEncryptedContentInfo.contentType;
  const ct = a.authAttrs?.find((x) => x.attrType === id_contentType)?.attrValues[0];
  if (!ct) {
    if (contentType !== id_data) throw new CmsError("authAttrs lack the contentType of non-id-data content");
    return;
  }
  if (AsnParser.parse(ct, ObjectIdentifierValue).value !== contentType)
    throw new CmsError("the contentType attribute differs from the content's type");
}

/** Recovers the key with the recipient's key or password, then decrypts and checks the GCM tag. */
export function openAuthEnvelopedData(a: AuthEnvelopedData, cred: RecipientCredential): Uint8Array {
  const eci = a.authEncryptedContentInfo;
  const alg = eci.contentEncryptionAlgorithm;
  const keyBytes = GCM_KEY_BYTES[alg.algorithm];
  if (!keyBytes || !alg.parameters)
    throw new CmsError(`content encryption ${alg.algorithm} is not supported`);
  const params = AsnParser.parse(alg.parameters, GCMParameters);
  const tag = new Uint8Array(a.mac.buffer);
  // RFC 5084 §3.2: the ICV length is 12 to 16 octets and the mac is exactly that long.
  if (params.aesICVlen < 12 || params.aesICVlen > 16 || tag.length !== params.aesICVlen)
    throw new CmsError("the mac length differs from the GCM parameters' aes-ICVlen");
  checkAuthAttrs(a);
  const cek = recoverContentKey(a.recipientInfos, cred);
  if (cek.length !== keyBytes) throw new CmsError("the recovered key does not fit the AES-GCM key size");
  try {
    return aesGcmDecrypt(
      cek,
      new Uint8Array(params.aesNonce.buffer),
      encryptedOctets(eci),
      tag,
      aadOf(a.authAttrs),
    );
  } catch (e) {
    if (e instanceof CryptoError) throw new CmsError("content decryption failed: wrong key or altered data");
    throw e;
  }
}

/** ContentInfo { id-ct-authEnvelopedData, AuthEnvelopedData } in DER. */
export function authEnvelopedContentInfoDer(a: AuthEnvelopedData): Uint8Array {
  return der(new ContentInfo({ contentType: id_ct_authEnvelopedData, content: AsnSerializer.serialize(a) }));
}

export function parseAuthEnvelopedContentInfo(encoded: Uint8Array): AuthEnvelopedData {
  const ci = AsnParser.parse(encoded, ContentInfo);
  if (ci.contentType !== id_ct_authEnvelopedData) throw new CmsError("not an AuthEnvelopedData ContentInfo");
  return AsnParser.parse(ci.content, AuthEnvelopedData);
}
