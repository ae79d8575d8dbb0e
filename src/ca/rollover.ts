// Root CA key rollover (RFC 9483 §4.3.2, RFC 9810 §4.4): a new root key with its self-signed
// certificate (newWithNew) and the two cross certificates newWithOld and oldWithNew.
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { AsnSerializer } from "@peculiar/asn1-schema";
import { generateKeyPair, type PrivateKey } from "../crypto/index.js";
import { buildCertificate } from "../pki/build.js";
import {
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  keyIdentifier,
  keyUsageExt,
  subjectKeyIdentifierExt,
} from "../pki/extensions.js";

export interface RolloverResult {
  newKey: PrivateKey;
  newWithNew: Uint8Array;
  newWithOld: Uint8Array;
  oldWithNew: Uint8Array;
}

function keyIdOf(spki: Uint8Array): Uint8Array {
  return keyIdentifier(AsnParser.parse(spki, SubjectPublicKeyInfo).subjectPublicKey);
}

/**
 * Makes the new root and its cross certificates. The new root keeps the old root's name; the key
 * identifiers tell the two apart. newWithOld lets holders of the old root trust the new one;
 * oldWithNew lets holders of the new root validate certificates issued under the old one.
 */
export function rolloverRoot(
  oldRootDer: Uint8Array,
  oldKey: PrivateKey,
  opts: { alg?: string; days?: number; now?: Date } = {},
): RolloverResult {
  const old = AsnParser.parse(oldRootDer, Certificate);
  const now = opts.now ?? new Date();
  const newKey = generateKeyPair(opts.alg ?? oldKey.type);
  const name = old.tbsCertificate.subject;
  const oldSpki = new Uint8Array(AsnSerializer.serialize(old.tbsCertificate.subjectPublicKeyInfo));
  const newId = keyIdOf(newKey.publicKey.spki);
  const oldId = keyIdOf(oldSpki);
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + (opts.days ?? 3650) * 86_400_000);
  const ca = (subjectId: Uint8Array, issuerId: Uint8Array) => [
    basicConstraintsExt(true),
    keyUsageExt(["keyCertSign", "crlSign"]),
    subjectKeyIdentifierExt(subjectId),
    authorityKeyIdentifierExt(issuerId),
  ];
  const oldNotAfter = old.tbsCertificate.validity.notAfter.getTime();
  return {
    newKey,
    newWithNew: buildCertificate({
      issuer: name,
      subject: name,
      notBefore,
      notAfter,
      subjectPublicKeyInfo: newKey.publicKey.spki,
      extensions: ca(newId, newId),
      issuerKey: newKey,
    }),
    newWithOld: buildCertificate({
      issuer: name,
      subject: name,
      notBefore,
      notAfter: notAfter < oldNotAfter ? notAfter : oldNotAfter,
      subjectPublicKeyInfo: newKey.publicKey.spki,
      extensions: ca(newId, oldId),
      issuerKey: oldKey,
    }),
    oldWithNew: buildCertificate({
      issuer: name,
      subject: name,
      notBefore,
      notAfter: oldNotAfter,
      subjectPublicKeyInfo: oldSpki,
      extensions: ca(oldId, newId),
      issuerKey: newKey,
    }),
  };
}
