// KeyTransRecipientInfo (RFC 5652 §6.2.1) with RSAES-OAEP (RFC 9481 §4.2): wrapping the
// content-encryption key for an RSA recipient and recovering it.
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { KeyTransRecipientInfo, RecipientIdentifier, RecipientInfo } from "@peculiar/asn1-cms";
import { id_mgf1, id_RSAES_OAEP, RsaesOaepParams } from "../../asn1/cms-kem.js";
import { id_sha256 } from "../../asn1/oids.js";
import {
  digestName,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  type PrivateKey,
  type PublicKey,
} from "../../crypto/index.js";
import { algId, CmsError, recipientId } from "./common.js";

/** RFC 9483 §4.1.6.1: rid is the recipient's subjectKeyIdentifier (version 2), else issuer and serial (version 0). */
export function ktriRecipient(cert: Certificate, key: PublicKey, cek: Uint8Array): RecipientInfo {
  const id = recipientId(cert);
  const sha256 = algId(id_sha256);
  const params = new RsaesOaepParams({
    hashFunc: sha256,
    maskGenFunc: algId(id_mgf1, AsnSerializer.serialize(sha256)),
  });
  return new RecipientInfo({
    ktri: new KeyTransRecipientInfo({
      version: "ski" in id ? 2 : 0, // RFC 5652 §6.2.1
      rid: new RecipientIdentifier(
        "ski" in id ? { subjectKeyIdentifier: id.ski } : { issuerAndSerialNumber: id.ias },
      ),
      keyEncryptionAlgorithm: algId(id_RSAES_OAEP, AsnSerializer.serialize(params)),
      encryptedKey: new OctetString(rsaOaepEncrypt(key, cek, "sha256")),
    }),
  });
}

export function ktriOpen(ktri: KeyTransRecipientInfo, key: PrivateKey): Uint8Array {
  const alg = ktri.keyEncryptionAlgorithm;
  if (alg.algorithm !== id_RSAES_OAEP) throw new CmsError(`key transport ${alg.algorithm} is not RSAES-OAEP`);
  const p = alg.parameters ? AsnParser.parse(alg.parameters, RsaesOaepParams) : new RsaesOaepParams();
  return rsaOaepDecrypt(
    key,
    new Uint8Array(ktri.encryptedKey.buffer),
    p.hashFunc ? digestName(p.hashFunc) : "sha1",
  );
}
