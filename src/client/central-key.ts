// Central key generation on the client side (RFC 9483 §4.1.6): opening the KGA's EnvelopedData,
// checking its SignedData and the KGA's authorization, and reading the AsymmetricKeyPackage.
import { createPrivateKey } from "node:crypto";
import { AsnParser } from "@peculiar/asn1-schema";
import { SignedData, type EnvelopedData } from "@peculiar/asn1-cms";
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import * as oids from "../asn1/oids.js";
import { CmpClientError } from "../cmp/client/errors.js";
import type { ClientCredential } from "../cmp/client/types.js";
import type { ProtectionKind } from "../cmp/protection.js";
import { generateKeyPair, importPrivateKeyPkcs8, type PrivateKey } from "../crypto/index.js";
import { openEnvelopedData } from "../pki/cms/enveloped.js";
import { verifySignedData } from "../pki/cms/signed.js";
import { readTlv } from "../pki/der.js";
import { certEntry, validatePath, type CertEntry } from "../pki/path.js";
import { isMacProtection } from "./issued.js";

export interface CentralKeyInput {
  envelopedData: EnvelopedData;
  credential: ClientCredential;
  extraCerts: Uint8Array[];
  caPubs: Uint8Array[];
  protection: ProtectionKind;
  anchors: readonly CertEntry[];
  untrusted: readonly Uint8Array[];
  now: Date;
}

/**
 * RFC 9483 §4.1.6: decrypts the EnvelopedData, checks the KGA's SignedData signature, its chain
 * and id-kp-cmKGA authorization (optional for password recipients, enforced here when a trust
 * anchor is known), and reads the AsymmetricKeyPackage.
 */
export async function openCentralKey(i: CentralKeyInput): Promise<PrivateKey> {
  const c = i.credential;
  let content: Uint8Array;
  try {
    content = openEnvelopedData(
      i.envelopedData,
      c.kind === "mac"
        ? { kind: "password", password: c.secret }
        : { kind: "key", key: c.key, certificate: c.certificate },
    );
  } catch (e) {
    throw new CmpClientError(`cannot decrypt the centrally generated key: ${(e as Error).message}`);
  }
  let verified;
  try {
    verified = verifySignedData(AsnParser.parse(content, SignedData));
  } catch (e) {
    throw new CmpClientError(`the key package's signature is invalid: ${(e as Error).message}`);
  }
  // RFC 9483 §4.1.6: id-ct-KP-aKeyPackage; id-data is accepted from KGAs that label the content so.
  if (verified.contentType !== oids.id_ct_KP_aKeyPackage && verified.contentType !== oids.id_data) {
    throw new CmpClientError("the signed content is not an AsymmetricKeyPackage");
  }
  // As for the certificate (RFC 9483 §4.1.5), caPubs of a MAC-protected answer may serve as anchors.
  const anchors =
    i.anchors.length > 0 ? i.anchors : isMacProtection(i.protection) ? i.caPubs.map((d) => certEntry(d)) : [];
  // §4.1.6: checking the KGA is optional for password recipients without a known anchor, required otherwise.
  if (anchors.length > 0 || c.kind !== "mac") {
    try {
      await validatePath(verified.signer, {
        anchors: [...anchors],
        intermediates: [
          ...verified.certificates,
          ...[...i.extraCerts, ...i.caPubs, ...i.untrusted].map((d) => certEntry(d)),
        ],
        requiredEku: oids.id_kp_cmKGA,
        time: i.now,
      });
    } catch (e) {
      throw new CmpClientError(`the key generation authority is not trusted: ${(e as Error).message}`);
    }
  }
  return readKeyPackage(verified.content);
}

/**
 * AsymmetricKeyPackage ::= SEQUENCE OF OneAsymmetricKey (RFC 5958); one key is expected. Also read:
 * a lone OneAsymmetricKey (PKCS#8), a SEC1 ECPrivateKey (RFC 5915) and a PKCS#1 RSAPrivateKey.
 */
export function readKeyPackage(der: Uint8Array): PrivateKey {
  try {
    const seq = readTlv(der, 0);
    const first = readTlv(der, seq.contentStart, seq.end);
    if (first.tag === 0x30) return importPrivateKeyPkcs8(der.slice(first.start, first.end));
    return importBareKey(der.slice(seq.start, seq.end));
  } catch (e) {
    throw new CmpClientError(`the key package holds no usable private key: ${(e as Error).message}`);
  }
}

function importBareKey(der: Uint8Array): PrivateKey {
  for (const type of ["pkcs8", "sec1", "pkcs1"] as const) {
    let pkcs8: Uint8Array;
    try {
      const k = createPrivateKey({ key: Buffer.from(der), format: "der", type });
      pkcs8 = new Uint8Array(k.export({ format: "der", type: "pkcs8" }));
    } catch {
      continue;
    }
    return importPrivateKeyPkcs8(pkcs8);
  }
  throw new Error("neither OneAsymmetricKey, ECPrivateKey nor RSAPrivateKey");
}

/** RFC 9483 §4.1.6: the algorithm of the key asked for, sent with an empty subjectPublicKey. */
export function centralKeyAlgorithm(type: string): AlgorithmIdentifier {
  if (/^rsa/.test(type)) {
    return new AlgorithmIdentifier({
      algorithm: "1.2.840.113549.1.1.1",
      parameters: new Uint8Array([5, 0]).buffer,
    });
  }
  return AsnParser.parse(generateKeyPair(type).publicKey.spki, SubjectPublicKeyInfo).algorithm;
}
