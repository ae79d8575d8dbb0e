// Proof-of-possession checks for CRMF requests (RFC 4211 §4, RFC 9810 §5.2.8, RFC 9483 §4.1.1).
import { AsnSerializer } from "@peculiar/asn1-schema";
import type { CertReqMsg } from "../asn1/crmf.js";
import { receivedDer } from "../asn1/der/index.js";
import {
  CryptoError,
  importPublicKeySpki,
  signatureAlgorithmInfo,
  UnsupportedAlgorithmError,
  verify,
  type PublicKey,
} from "../crypto/index.js";
import { CmpError } from "./errors.js";

export type PopKind =
  "signature" | "raVerified" | "encrCert" | "challengeResp" | "agreeMAC" | "encryptedKey" | "none";

export function popKind(msg: CertReqMsg): PopKind {
  const p = msg.popo;
  if (!p) return "none";
  if (p.raVerified !== undefined) return "raVerified";
  if (p.signature) return "signature";
  const priv = p.keyEncipherment ?? p.keyAgreement;
  if (priv?.subsequentMessage === 0) return "encrCert";
  if (priv?.subsequentMessage === 1) return "challengeResp";
  if (priv?.agreeMAC) return "agreeMAC";
  if (priv?.encryptedKey) return "encryptedKey";
  return "none";
}

/** The public key of a request template, or undefined for central key generation (empty BIT STRING). */
export function templatePublicKey(msg: CertReqMsg): PublicKey | undefined {
  const spki = msg.certReq.certTemplate.publicKey;
  if (!spki || spki.subjectPublicKey.byteLength === 0) return undefined;
  try {
    return importPublicKeySpki(receivedDer(spki) ?? new Uint8Array(AsnSerializer.serialize(spki)));
  } catch (e) {
    if (e instanceof UnsupportedAlgorithmError) {
      throw new CmpError("badAlg", `the requested public key algorithm ${e.oid} is not supported`);
    }
    throw new CmpError("badCertTemplate", "the public key in the certificate template cannot be read");
  }
}

/**
 * Verifies a signature POP (RFC 4211 §4.1): without poposkInput the signature covers the DER of
 * certReq; with it, the DER of poposkInput, whose public key must equal the template's.
 */
export function verifySignaturePop(msg: CertReqMsg, key: PublicKey): void {
  const pop = msg.popo?.signature;
  if (!pop) throw new CmpError("badPOP", "no signature proof-of-possession in the request");
  let signed: Uint8Array;
  if (pop.poposkInput) {
    const tplKey = msg.certReq.certTemplate.publicKey;
    const inputKey = new Uint8Array(AsnSerializer.serialize(pop.poposkInput.publicKey));
    if (tplKey && tplKey.subjectPublicKey.byteLength > 0) {
      throw new CmpError("badPOP", "poposkInput must be absent when the template carries the public key");
    }
    if (!Buffer.from(inputKey).equals(Buffer.from(key.spki))) {
      throw new CmpError("badPOP", "the key in poposkInput differs from the requested key");
    }
    signed = new Uint8Array(AsnSerializer.serialize(pop.poposkInput));
  } else {
    // RFC 4211 §4.1: the DER of certReq — as received when it was DER, which is the same bytes.
    signed = receivedDer(msg.certReq) ?? new Uint8Array(AsnSerializer.serialize(msg.certReq));
  }
  let ok: boolean;
  try {
    const info = signatureAlgorithmInfo(pop.algorithmIdentifier);
    if (!info.keyTypes.includes(key.type)) {
      throw new CmpError("badPOP", `POP algorithm ${info.name} does not fit a ${key.type} key`);
    }
    ok = verify(pop.algorithmIdentifier, key, signed, new Uint8Array(pop.signature.value));
  } catch (e) {
    if (e instanceof CmpError) throw e;
    if (e instanceof UnsupportedAlgorithmError)
      throw new CmpError("badAlg", `unsupported POP algorithm ${e.oid}`);
    if (e instanceof CryptoError)
      throw new CmpError("badPOP", `POP signature cannot be checked: ${e.message}`);
    throw e;
  }
  if (!ok)
    throw new CmpError("badPOP", "the proof-of-possession signature does not verify with the requested key");
}
