// Key generation authority (RFC 9483 §4.1.6), for the CA and the RA alike: generates the requested key pair, wraps it as an
// AsymmetricKeyPackage (RFC 5958) in SignedData signed by the KGA, inside EnvelopedData for the
// requester: PasswordRecipientInfo for MAC-protected requests, otherwise the technique the
// protection certificate's key allows (KeyTrans for RSA, KeyAgree for EC/X25519/X448, KEM for ML-KEM).
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, type SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import type { AttributeTypeAndValue } from "../asn1/crmf.js";
import { EncryptedKey } from "../asn1/crmf.js";
import { IntegerValue } from "../asn1/itav.js";
import * as oids from "../asn1/oids.js";
import { CmpError } from "./errors.js";
import {
  generateKeyPair,
  id_ecPublicKey,
  importPublicKeySpki,
  keyAlgorithmForSpki,
  type PrivateKey,
} from "../crypto/index.js";
import { derTlv } from "../pki/der.js";
import { buildEnvelopedData, CmsError, techniqueFor, type Recipient } from "../pki/cms/enveloped.js";
import { buildSignedData } from "../pki/cms/signed.js";
import type { Requester } from "./server/types.js";

/** The KGA's signer (its certificate carries id-kp-cmKGA, RFC 9483 §4.1.6) and chain. */
export interface KgaSigner {
  cert: { der: Uint8Array };
  key: PrivateKey;
  chain: readonly Uint8Array[];
}

export type PasswordKeyWrap = "aes-kw" | "pwri-kek";

/** The key type (generation spec for RSA) an AlgorithmIdentifier asks for; undefined when not offered. */
function typeOfAlgorithm(alg: AlgorithmIdentifier, rsaBits?: number): string | undefined {
  if (!alg.algorithm) return undefined;
  // An id-ecPublicKey without a curve leaves the curve to us.
  if (alg.algorithm === id_ecPublicKey && !alg.parameters) return "ec-p256";
  const a = keyAlgorithmForSpki(alg);
  if (a?.family === "rsa" || a?.family === "rsa-pss") return `${a.type}${rsaBits ?? a.minimumKeyBits}`;
  return a?.type;
}

/**
 * The key type to generate: the algorithm in the template's (empty) publicKey, else the
 * id-regCtrl-algId control, else the profile's default (RFC 9483 §4.1.6).
 */
export function centralKeyType(
  spki: SubjectPublicKeyInfo | undefined,
  controls: AttributeTypeAndValue[] | undefined,
  defaultType: string,
): string {
  const rsaCtl = controls?.find((c) => c.type === oids.id_regCtrl_rsaKeyLen);
  const rsaBits = rsaCtl ? AsnParser.parse(rsaCtl.value, IntegerValue).value : undefined;
  const algCtl = controls?.find((c) => c.type === oids.id_regCtrl_algId);
  const requested = spki?.algorithm.algorithm
    ? spki.algorithm
    : algCtl
      ? AsnParser.parse(algCtl.value, AlgorithmIdentifier)
      : undefined;
  if (!requested) return defaultType;
  const t = typeOfAlgorithm(requested, rsaBits);
  if (!t)
    throw new CmpError("badAlg", `central key generation of ${requested.algorithm} keys is not offered`);
  return t;
}

/**
 * Where the generated key goes: a password recipient for MAC (RFC 9483 §4.1.6.3; its key encryption
 * from the policy, AES key wrap by default), the protection certificate otherwise (§4.1.6.1-2).
 */
export function keyRecipient(who: Requester, keyWrap: PasswordKeyWrap = "aes-kw"): Recipient {
  if (who.kind === "mac") {
    return { kind: "password", password: who.secret.secret, iterations: 10_000, keyWrap };
  }
  const key = importPublicKeySpki(
    new Uint8Array(AsnSerializer.serialize(who.cert.cert.tbsCertificate.subjectPublicKeyInfo)),
  );
  try {
    techniqueFor(key);
  } catch {
    throw new CmpError(
      "notAuthorized",
      `central key generation cannot deliver a key to a ${key.type} certificate: it can neither decrypt, agree on nor ` +
        "decapsulate a key; use MAC protection or a certificate with an RSA, EC, X25519/X448 or ML-KEM key",
    );
  }
  return { kind: "certificate", certificate: who.cert.der };
}

export function generateCentralKey(type: string): PrivateKey {
  try {
    return generateKeyPair(type);
  } catch (e) {
    throw new CmpError("badAlg", `central key generation of ${type} keys failed: ${(e as Error).message}`);
  }
}

/** EnvelopedData(SignedData(AsymmetricKeyPackage { key })) for CertifiedKeyPair.privateKey. */
export function packageKey(kga: KgaSigner | undefined, key: PrivateKey, recipient: Recipient): EncryptedKey {
  if (!kga) throw new CmpError("badCertTemplate", "central key generation is not offered here");
  // AsymmetricKeyPackage ::= SEQUENCE SIZE (1..MAX) OF OneAsymmetricKey (RFC 5958 §2).
  const akp = derTlv(0x30, key.pkcs8());
  const sd = buildSignedData(akp, oids.id_ct_KP_aKeyPackage, {
    key: kga.key,
    certificate: kga.cert.der,
    chain: [...kga.chain],
  });
  try {
    const env = buildEnvelopedData(new Uint8Array(AsnSerializer.serialize(sd)), oids.id_signedData, [
      recipient,
    ]);
    return new EncryptedKey({ envelopedData: env });
  } catch (e) {
    if (e instanceof CmsError)
      throw new CmpError("systemFailure", `cannot encrypt the generated key: ${e.message}`);
    throw e;
  }
}
