// PKIMessage protection (RFC 9810 §5.1.3): signature, PasswordBasedMac and PBMAC1 over the DER of
// ProtectedPart; the MAC computations live in password-mac.ts, KEM-based MAC in kem-protection.ts.
import { AsnParser, AsnSerializer, BitString } from "@peculiar/asn1-schema";
import { Certificate, type AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { writeCertRepBody, writePKIHeader } from "../asn1/der/index.js";
import type { PKIMessage } from "../asn1/cmp.js";
import {
  CryptoError,
  defaultSignatureAlgorithm,
  sign,
  signatureAlgorithmInfo,
  timingSafeEqualBytes,
  UnsupportedAlgorithmError,
  verify,
  type PrivateKey,
  type PublicKey,
} from "../crypto/index.js";
import { CmpError } from "./errors.js";
import { toArrayBuffer } from "./header.js";
import { derSequence, derTlv } from "../pki/der.js";
import type { DecodedMessage } from "./message.js";
import { deriveSsk, kemBasedMacAlgorithm, kemMac } from "./kem-protection.js";
import {
  computeMacProtection,
  DEFAULT_MAC_LIMITS,
  mapCrypto,
  MIN_MAC_ITERATIONS,
  pbmac1ProtectionAlg,
  pbmProtectionAlg,
  type MacLimits,
} from "./password-mac.js";

export {
  computeMacProtection,
  DEFAULT_MAC_LIMITS,
  macParameters,
  MIN_MAC_ITERATIONS,
  MIN_MAC_SALT_BYTES,
  type MacLimits,
  type MacParameters,
} from "./password-mac.js";

export interface SignatureCredential {
  kind: "signature";
  key: PrivateKey;
  /** The protection certificate (DER); it goes first in extraCerts (RFC 9483 §3.3). */
  certificate: Uint8Array;
  /** Further certificates for the receiver to build the chain (DER), without the trust anchor. */
  chain?: Uint8Array[];
  algorithm?: AlgorithmIdentifier;
}
export interface PbmCredential {
  kind: "pbm";
  secret: Uint8Array;
  /** senderKID: the reference the receiver looks the secret up by (RFC 9483 §3.1). */
  senderKID?: Uint8Array;
  iterations?: number;
  /** OWF digest (node name), default sha256. */
  owf?: string;
  /** HMAC digest (node name), default sha256. */
  mac?: string;
  /** Certificates to add to extraCerts, e.g. the CA chain in an ip (RFC 9483 §4.1.1). */
  extraCerts?: Uint8Array[];
}
export interface Pbmac1Credential {
  kind: "pbmac1";
  secret: Uint8Array;
  senderKID?: Uint8Array;
  iterations?: number;
  /** PRF / HMAC digest (node name), default sha256. */
  hash?: string;
  extraCerts?: Uint8Array[];
}
/** KEM-based MAC (RFC 9810 §5.1.3.4) with the shared secret of this transaction's KEM exchange. */
export interface KemCredential {
  kind: "kem";
  sharedSecret: Uint8Array;
  senderKID?: Uint8Array;
  extraCerts?: Uint8Array[];
}
/** No protection: only for the message that starts a KEM exchange (it carries the KEM certificate). */
export interface NoProtection {
  kind: "none";
  extraCerts?: Uint8Array[];
}
export type ProtectionCredential =
  SignatureCredential | PbmCredential | Pbmac1Credential | KemCredential | NoProtection;

export { protectionKind, type ProtectionKind } from "./protection-kind.js";
import { protectionKind } from "./protection-kind.js";

/**
 * Sets protectionAlg (and senderKID) in the header, computes the protection, fills extraCerts
 * and returns the DER of the protected message. The header must be final apart from those fields.
 */
export function protectMessage(message: PKIMessage, cred: ProtectionCredential): Uint8Array {
  const h = message.header;
  let extra: Uint8Array[];
  if (cred.kind === "kem" || cred.kind === "none") {
    h.protectionAlg = cred.kind === "kem" ? kemBasedMacAlgorithm() : undefined;
    if (cred.kind === "kem" && cred.senderKID) h.senderKID = toArrayBuffer(cred.senderKID);
    extra = cred.extraCerts ?? [];
  } else if (cred.kind === "signature") {
    h.protectionAlg = cred.algorithm ?? defaultSignatureAlgorithm(cred.key);
    // RFC 9483 §3.1: senderKID holds the subjectKeyIdentifier of the protection certificate, if it has one.
    const ski = cachedSki(cred.certificate);
    if (ski && !h.senderKID) h.senderKID = toArrayBuffer(ski);
    extra = [cred.certificate, ...(cred.chain ?? [])];
  } else {
    // RFC 9810 §5.1.3.1 / RFC 9481 §6.1.2: a fresh salt per message.
    h.protectionAlg =
      cred.kind === "pbm"
        ? pbmProtectionAlg(cred.iterations ?? 10_000, cred.owf, cred.mac)
        : pbmac1ProtectionAlg(cred.iterations ?? 10_000, cred.hash);
    if (cred.senderKID) h.senderKID = toArrayBuffer(cred.senderKID);
    extra = cred.extraCerts ?? [];
  }
  // The message is assembled from its parts so that certificates travel as the DER they came in,
  // without a parse and re-encode per message.
  const headerDer = writePKIHeader(message.header);
  const bodyDer = writeCertRepBody(message.body) ?? new Uint8Array(AsnSerializer.serialize(message.body));
  const protectedPart = derSequence(headerDer, bodyDer);
  const extraDer = extra.length > 0 ? [derTlv(0xa1, derSequence(...extra))] : [];
  if (cred.kind === "none") return derSequence(headerDer, bodyDer, ...extraDer);
  let value: Uint8Array;
  if (cred.kind === "signature") value = sign(h.protectionAlg!, cred.key, protectedPart);
  else if (cred.kind === "kem") {
    const ssk = deriveSsk(cred.sharedSecret, new Uint8Array(h.transactionID!), h.protectionAlg!);
    value = kemMac(h.protectionAlg!, ssk, protectedPart);
  } else {
    value = computeMacProtection(h.protectionAlg!, cred.secret, protectedPart, {
      maxIterations: Number.MAX_SAFE_INTEGER,
      minIterations: MIN_MAC_ITERATIONS,
    });
  }
  message.protection = new BitString(value);
  const protection = derTlv(0xa0, derTlv(0x03, Uint8Array.of(0), value));
  return derSequence(headerDer, bodyDer, protection, ...extraDer);
}

/**
 * Verifies MAC protection of a received message with the shared secret; throws CmpError:
 * badMessageCheck when the MAC differs, badAlg for unknown or unacceptable parameters,
 * wrongIntegrity when the message is not MAC-protected.
 */
export function verifyMacProtection(
  msg: DecodedMessage,
  secret: Uint8Array,
  limits: MacLimits = DEFAULT_MAC_LIMITS,
) {
  const { header, protection } = msg.message;
  const kind = protectionKind(header);
  if (kind !== "pbm" && kind !== "pbmac1") {
    throw new CmpError("wrongIntegrity", `expected MAC-based protection, found ${kind}`);
  }
  if (!protection) throw new CmpError("badMessageCheck", "the message carries no protection value");
  const expected = computeMacProtection(header.protectionAlg!, secret, msg.protectedPart, limits);
  if (!timingSafeEqualBytes(expected, new Uint8Array(protection.value))) {
    throw new CmpError(
      "badMessageCheck",
      "MAC-based protection does not verify: wrong shared secret or altered message",
    );
  }
}

/**
 * Verifies signature protection with the signer's public key (taken by the caller from the
 * validated protection certificate). Throws CmpError badMessageCheck / badAlg / wrongIntegrity.
 */
export function verifySignatureProtection(msg: DecodedMessage, signerKey: PublicKey): void {
  const { header, protection } = msg.message;
  const kind = protectionKind(header);
  if (kind !== "signature")
    throw new CmpError("wrongIntegrity", `expected signature-based protection, found ${kind}`);
  if (!protection) throw new CmpError("badMessageCheck", "the message carries no protection value");
  const alg = header.protectionAlg!;
  const info = mapCrypto(() => signatureAlgorithmInfo(alg), "signature");
  if (!info.keyTypes.includes(signerKey.type)) {
    throw new CmpError(
      "badMessageCheck",
      `protection algorithm ${info.name} does not fit the signer's ${signerKey.type} key`,
    );
  }
  let ok: boolean;
  try {
    ok = verify(alg, signerKey, msg.protectedPart, new Uint8Array(protection.value));
  } catch (e) {
    if (e instanceof UnsupportedAlgorithmError)
      throw new CmpError("badAlg", `unsupported signature algorithm ${e.oid}`);
    if (e instanceof CryptoError)
      throw new CmpError("badMessageCheck", `signature check failed: ${e.message}`);
    throw e;
  }
  if (!ok) throw new CmpError("badMessageCheck", "signature-based protection does not verify");
}

const skiCache = new WeakMap<Uint8Array, Uint8Array | null>();
function cachedSki(der: Uint8Array): Uint8Array | undefined {
  let ski = skiCache.get(der);
  if (ski === undefined) {
    ski = subjectKeyIdentifier(AsnParser.parse(der, Certificate)) ?? null;
    skiCache.set(der, ski);
  }
  return ski ?? undefined;
}

/** The protection certificate: the first extraCerts entry (RFC 9483 §3.3). */
export function protectionCertificate(message: PKIMessage): Certificate | undefined {
  return message.extraCerts?.[0];
}

const id_ce_subjectKeyIdentifier = "2.5.29.14";
/** The subjectKeyIdentifier extension value of a certificate, if present. */
export function subjectKeyIdentifier(cert: Certificate): Uint8Array | undefined {
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  if (!ext) return undefined;
  const inner = new Uint8Array(ext.extnValue.buffer);
  // extnValue holds the DER of KeyIdentifier ::= OCTET STRING: skip its short tag and length.
  if (inner[0] !== 0x04 || inner.length < 2 || inner[1]! >= 0x80) return undefined;
  return inner.subarray(2, 2 + inner[1]!);
}
