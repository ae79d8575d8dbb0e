// KeyAgreeRecipientInfo (RFC 5652 §6.2.2): ephemeral-static ECDH / X25519 / X448 (RFC 5753, RFC 8418)
// with the X9.63 SHA-256 KDF and AES key wrap, for building and for recovering the content key.
import { generateKeyPairSync, createHash } from "node:crypto";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import {
  KeyAgreeRecipientIdentifier,
  KeyAgreeRecipientInfo,
  OriginatorIdentifierOrKey,
  OriginatorPublicKey,
  RecipientEncryptedKey,
  RecipientEncryptedKeys,
  RecipientInfo,
} from "@peculiar/asn1-cms";
import {
  dhSinglePass_stdDH_sha256kdf_scheme,
  EccCmsSharedInfo,
  id_aes128_wrap,
  id_aes256_wrap,
} from "../../asn1/cms-kem.js";
import {
  aesKeyUnwrap,
  aesKeyWrap,
  ecdh,
  importPublicKeySpki,
  keyAlgorithm,
  wrapPrivateKey,
  type PrivateKey,
  type PublicKey,
} from "../../crypto/index.js";
import { algId, CmsError, der, issuerAndSerial, sameIssuerSerial } from "./common.js";

/** ANSI X9.63 KDF with SHA-256 as RFC 5753 §7.2 uses it for a KEK of `bytes` length. */
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

export function kariRecipient(cert: Certificate, key: PublicKey, cek: Uint8Array): RecipientInfo {
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

/** The content key from the RecipientEncryptedKey addressed to `cert` (any, without one); undefined if none is. */
export function kariOpen(
  kari: KeyAgreeRecipientInfo,
  key: PrivateKey,
  cert: Certificate | undefined,
): Uint8Array | undefined {
  const rek = kari.recipientEncryptedKeys.find((r) => sameIssuerSerial(r.rid.issuerAndSerialNumber, cert));
  if (!rek) return undefined;
  const orig = kari.originator.originatorKey;
  if (!orig) throw new CmsError("KeyAgreeRecipientInfo without an ephemeral originator key");
  if (kari.keyEncryptionAlgorithm.algorithm !== dhSinglePass_stdDH_sha256kdf_scheme) {
    throw new CmsError(`key agreement scheme ${kari.keyEncryptionAlgorithm.algorithm} is not supported`);
  }
  const wrap = AsnParser.parse(kari.keyEncryptionAlgorithm.parameters!, AlgorithmIdentifier).algorithm;
  // Rebuild the ephemeral key's SPKI with the recipient key's algorithm and curve parameters.
  const spki = new SubjectPublicKeyInfo({
    algorithm: AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo).algorithm,
    subjectPublicKey: orig.publicKey,
  });
  const z = ecdh(key, importPublicKeySpki(der(spki)));
  return aesKeyUnwrap(kariKek(z, wrap, kari.ukm), new Uint8Array(rek.encryptedKey.buffer));
}
