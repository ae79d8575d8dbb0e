// Sender authentication of a request (RFC 9483 §3.2-3.5): a shared secret found by senderKID for MAC
// protection, or a protection certificate chained to one of the role's trust sources for signature and
// KEM-based protection — all through the role's CredentialResolver.
import type { Certificate } from "@peculiar/asn1-x509";
import { cachedChain, chainKey, keepChain } from "./chain-cache.js";
import { isKemType } from "../../crypto/index.js";
import { serialHex } from "../../pki/certificate.js";
import { nameToString } from "../../pki/names.js";
import {
  certificatePublicKey,
  PathValidationError,
  retainCertEntry,
  validatePath,
  type CertEntry,
} from "../../pki/path.js";
import { CmpError } from "../errors.js";
import { hex } from "../header.js";
import { verifyKemProtection } from "../kem-protection.js";
import type { DecodedMessage } from "../message.js";
import { protectionKind, verifyMacProtection, verifySignatureProtection } from "../protection.js";
import { checkSenderName, checkSigner, macSenderKid } from "../validate.js";
import type { CredentialResolver, Requester, TrustSource } from "./types.js";

export interface AuthOptions {
  now: Date;
  /** The message may be unprotected: only its extraCerts[0] identifies the sender (KEM bootstrap). */
  unprotectedCertificate?: boolean;
  /** The KEM shared secret established earlier in this transaction (RFC 9810 §5.1.3.4). */
  kemSecret?: Uint8Array;
  /** Refuse a signed message without senderKID when its certificate has an SKI (RFC 9483 §3.1). */
  requireSenderKID?: boolean;
}

function certId(cert: Certificate): string {
  return `cert:${nameToString(cert.tbsCertificate.issuer)}#${serialHex(cert.tbsCertificate.serialNumber)}`;
}

function describeKid(kid: Uint8Array): string {
  return kid.every((x) => x >= 0x20 && x < 0x7f) ? `"${Buffer.from(kid).toString("latin1")}"` : hex(kid);
}

function authenticateMac(msg: DecodedMessage, resolver: CredentialResolver): Requester {
  const kid = macSenderKid(msg.message.header);
  const secret = resolver.sharedSecret(kid);
  if (!secret) {
    throw new CmpError(
      "signerNotTrusted",
      `no shared secret is configured for senderKID ${describeKid(kid)}`,
    );
  }
  verifyMacProtection(msg, secret.secret, resolver.macLimits);
  return { kind: "mac", id: `kid:${hex(kid)}`, secret };
}

/** Validates extraCerts[0] against the trust sources in order; the first that accepts it names the source. */
async function chainSigner(
  msg: DecodedMessage,
  resolver: CredentialResolver,
  now: Date,
): Promise<{ target: CertEntry; chain: CertEntry[]; source: TrustSource }> {
  const extra = msg.extraCerts;
  const target = extra[0];
  if (!target) {
    throw new CmpError(
      "badMessageCheck",
      "signature-protected request without its protection certificate in extraCerts",
    );
  }
  // RFC 9483 §3.3: self-signed certificates in extraCerts are never trust anchors.
  const pool = extra.slice(1);
  const sources = resolver.trustSources().filter((s) => s.anchors.length > 0);
  // Two keys at most: sources that take extraCerts as intermediates, and those that do not.
  const alone = chainKey(target, []);
  const withPool = pool.length > 0 ? chainKey(target, pool) : alone;
  const keys = sources.map((s) => (s.useExtraCerts ? withPool : alone));
  for (const [i, source] of sources.entries()) {
    const chain = await cachedChain(source, keys[i]!, now, resolver);
    if (chain) return { target, chain, source };
  }
  let lastError: PathValidationError | undefined;
  for (const [i, source] of sources.entries()) {
    try {
      const chain = await validatePath(target, {
        anchors: source.anchors,
        intermediates: source.useExtraCerts ? pool : [],
        time: now,
        isRevoked: source.checkRevocation ? (e) => resolver.isRevoked(e) : undefined,
      });
      // Only certificates of a chain that authenticated enter the parsed-certificate cache.
      for (const e of chain) retainCertEntry(e);
      keepChain(source, keys[i]!, chain, now);
      return { target, chain, source };
    } catch (e) {
      if (!(e instanceof PathValidationError)) throw e;
      // A precise reason (expired, revoked) beats "untrusted" from a source that was never the right one.
      if (!lastError || lastError.reason === "untrusted") lastError = e;
    }
  }
  throw new CmpError(
    "signerNotTrusted",
    `the protection certificate is not trusted: ${lastError?.message ?? "no trust anchors configured"}`,
  );
}

function checkKemProtection(msg: DecodedMessage, kemSecret: Uint8Array | undefined): void {
  // RFC 9810 §5.1.3.4: a KEM-protected message needs the ciphertext exchanged earlier in the transaction.
  if (!kemSecret) {
    throw new CmpError(
      "wrongIntegrity",
      "no KEM ciphertext was exchanged in this transaction; send genm KemCiphertextInfo first",
    );
  }
  try {
    verifyKemProtection(msg, kemSecret);
  } catch (e) {
    if (e instanceof CmpError) throw e;
    throw new CmpError("badMessageCheck", `KEM-based protection cannot be checked: ${(e as Error).message}`);
  }
}

export async function authenticate(
  msg: DecodedMessage,
  resolver: CredentialResolver,
  opts: AuthOptions,
): Promise<Requester> {
  const h = msg.message.header;
  const kind = protectionKind(h);
  if (kind === "none" && !opts.unprotectedCertificate) {
    throw new CmpError(
      "badMessageCheck",
      "the request is not protected; use MAC- or signature-based protection",
    );
  }
  if (kind === "pbm" || kind === "pbmac1") return authenticateMac(msg, resolver);
  if (kind !== "signature" && kind !== "kem" && kind !== "none") {
    throw new CmpError("badAlg", `${kind} protection is not supported here`);
  }
  const { target, chain, source } = await chainSigner(msg, resolver, opts.now);
  const key = certificatePublicKey(target.cert);
  let kemSecret: Uint8Array | undefined;
  if (kind === "signature") verifySignatureProtection(msg, key);
  else if (kind === "kem") {
    checkKemProtection(msg, opts.kemSecret);
    kemSecret = opts.kemSecret;
  } else if (!isKemType(key.type)) {
    throw new CmpError(
      "badRequest",
      "KemCiphertextInfo needs a certificate with an ML-KEM key in extraCerts",
    );
  }
  if (kind === "signature") checkSigner(h, target, opts.requireSenderKID);
  else checkSenderName(h, target); // a KEM key cannot sign; the sender still names its certificate
  return { kind: "cert", id: certId(target.cert), source: source.name, cert: target, chain, kemSecret };
}
