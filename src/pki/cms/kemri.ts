// KEMRecipientInfo (RFC 9629) for ML-KEM and composite ML-KEM keys (RFC 9936): encapsulation, HKDF
// over CMSORIforKEMOtherInfo and AES key wrap, for building and for recovering the content key.
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { OtherRecipientInfo, RecipientIdentifier, RecipientInfo } from "@peculiar/asn1-cms";
import {
  CMSORIforKEMOtherInfo,
  id_aes128_wrap,
  id_aes256_wrap,
  id_ori_kem,
  KEMRecipientInfo,
} from "../../asn1/cms-kem.js";
import { id_alg_hkdf_with_sha256 } from "../../asn1/oids.js";
import {
  aesKeyUnwrap,
  aesKeyWrap,
  hkdf,
  hkdfHash,
  kemDecapsulate,
  kemEncapsulate,
  spkiAlgorithmOid,
  type PrivateKey,
  type PublicKey,
} from "../../crypto/index.js";
import { algId, CmsError, der, namesCertificate, recipientId } from "./common.js";

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

export function kemriRecipient(cert: Certificate, key: PublicKey, cek: Uint8Array): RecipientInfo {
  const { sharedSecret, ciphertext } = kemEncapsulate(key);
  const { wrap, kekLength } = kemriWrapFor(key.type);
  const kdf = algId(id_alg_hkdf_with_sha256);
  const kek = kemriKek(sharedSecret, kdf, wrap, kekLength);
  const id = recipientId(cert);
  const info = new KEMRecipientInfo({
    version: 0,
    // RFC 9629 §3: rid as in KeyTransRecipientInfo; the subjectKeyIdentifier when the certificate has one.
    rid: new RecipientIdentifier(
      "ski" in id ? { subjectKeyIdentifier: id.ski } : { issuerAndSerialNumber: id.ias },
    ),
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

/** The content key from an id-ori-kem OtherRecipientInfo addressed to `cert` (any, without one). */
export function kemriOpen(
  ori: OtherRecipientInfo,
  key: PrivateKey,
  cert: Certificate | undefined,
): Uint8Array | undefined {
  if (ori.oriType !== id_ori_kem) return undefined;
  const k = AsnParser.parse(ori.oriValue, KEMRecipientInfo);
  if (!namesCertificate(k.rid, cert)) return undefined;
  // RFC 9629 §3: kem names the KEM of the recipient's key; another algorithm is not ours to run.
  const keyOid = spkiAlgorithmOid(key.publicKey.spki);
  if (k.kem.algorithm !== keyOid)
    throw new CmsError(
      `KEMRecipientInfo kem ${k.kem.algorithm} does not match the recipient key (${keyOid})`,
    );
  const ss = kemDecapsulate(key, new Uint8Array(k.kemct.buffer));
  const kek = kemriKek(ss, k.kdf, k.wrap.algorithm, k.kekLength, k.ukm);
  return aesKeyUnwrap(kek, new Uint8Array(k.encryptedKey.buffer));
}
