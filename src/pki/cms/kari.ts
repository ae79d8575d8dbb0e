// KeyAgreeRecipientInfo (RFC 5652 §6.2.2): ephemeral-static ECDH / X25519 / X448 (RFC 5753, RFC 8418)
// with the X9.63 KDF (SHA-256 when building; SHA-1 or SHA-2 when opening) and AES key wrap.
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
  RecipientKeyIdentifier,
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
import { algId, CmsError, der, namesCertificate, recipientId } from "./common.js";

/** RFC 5753 §7.1.4 / RFC 8418 §2: the dhSinglePass-stdDH schemes by the X9.63 KDF's hash. */
const STD_DH_SCHEMES: Readonly<Record<string, string>> = {
  "1.3.133.16.840.63.0.2": "sha1",
  "1.3.132.1.11.0": "sha224",
  [dhSinglePass_stdDH_sha256kdf_scheme]: "sha256",
  "1.3.132.1.11.2": "sha384",
  "1.3.132.1.11.3": "sha512",
};

/** ANSI X9.63 KDF as RFC 5753 §7.2 uses it for a KEK of `bytes` length. */
function x963Kdf(hash: string, z: Uint8Array, sharedInfo: Uint8Array, bytes: number): Uint8Array {
  const out: Buffer[] = [];
  let have = 0;
  for (let counter = 1; have < bytes; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(z).update(c).update(sharedInfo).digest();
    out.push(block);
    have += block.length;
  }
  return new Uint8Array(Buffer.concat(out).subarray(0, bytes));
}

function kariKek(z: Uint8Array, wrapOid: string, ukm?: OctetString, hash = "sha256"): Uint8Array {
  const bits = wrapOid === id_aes128_wrap ? 128 : 256;
  const supp = Buffer.alloc(4);
  supp.writeUInt32BE(bits);
  const info = new EccCmsSharedInfo({
    keyInfo: algId(wrapOid),
    entityUInfo: ukm,
    suppPubInfo: new OctetString(supp),
  });
  return x963Kdf(hash, z, der(info), bits / 8);
}

/**
 * RFC 9483 §4.1.6.2: version 3; the recipient named by rKeyId (its subjectKeyIdentifier) when its
 * certificate has one, else by issuer and serial; ephemeral-static agreement, the originator's key given.
 */
export function kariRecipient(cert: Certificate, key: PublicKey, cek: Uint8Array): RecipientInfo {
  const id = recipientId(cert);
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
          rid: new KeyAgreeRecipientIdentifier(
            "ski" in id
              ? { rKeyId: new RecipientKeyIdentifier({ subjectKeyIdentifier: id.ski }) }
              : { issuerAndSerialNumber: id.ias },
          ),
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
  const rek = kari.recipientEncryptedKeys.find((r) =>
    namesCertificate(
      {
        issuerAndSerialNumber: r.rid.issuerAndSerialNumber,
        subjectKeyIdentifier: r.rid.rKeyId?.subjectKeyIdentifier,
      },
      cert,
    ),
  );
  if (!rek) return undefined;
  const orig = kari.originator.originatorKey;
  if (!orig) throw new CmsError("KeyAgreeRecipientInfo without an ephemeral originator key");
  const hash = STD_DH_SCHEMES[kari.keyEncryptionAlgorithm.algorithm];
  if (!hash) {
    throw new CmsError(`key agreement scheme ${kari.keyEncryptionAlgorithm.algorithm} is not supported`);
  }
  const wrap = AsnParser.parse(kari.keyEncryptionAlgorithm.parameters!, AlgorithmIdentifier).algorithm;
  // Rebuild the ephemeral key's SPKI with the recipient key's algorithm and curve parameters.
  const spki = new SubjectPublicKeyInfo({
    algorithm: AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo).algorithm,
    subjectPublicKey: orig.publicKey,
  });
  const z = ecdh(key, importPublicKeySpki(der(spki)));
  return aesKeyUnwrap(kariKek(z, wrap, kari.ukm, hash), new Uint8Array(rek.encryptedKey.buffer));
}
