// Verification of an answer's protection on the client side (RFC 9483 §3.2-3.5): the MAC with our
// shared secret, KEM-based MAC with the transaction's shared secret, or the server's signature with a
// protection certificate pinned or chained to our trust anchors.
import type { PKIHeader } from "../../asn1/cmp.js";
import { getSubjectKeyIdentifier } from "../../pki/extensions.js";
import { namesEqual } from "../../pki/names.js";
import { certificatePublicKey, PathValidationError, validatePath, type CertEntry } from "../../pki/path.js";
import { CmpError } from "../errors.js";
import { verifyKemProtection } from "../kem-protection.js";
import type { DecodedMessage } from "../message.js";
import {
  MIN_MAC_ITERATIONS,
  protectionKind,
  verifyMacProtection,
  verifySignatureProtection,
  type MacLimits,
} from "../protection.js";
import { CmpClientError } from "./errors.js";
import type { ClientCredential, ServerTrust } from "./types.js";

/** A server picks its own iteration counts; we accept a wide range, bounded against abuse (RFC 4211 §4.4: >= 100). */
export const CLIENT_MAC_LIMITS: MacLimits = { maxIterations: 1_000_000, minIterations: MIN_MAC_ITERATIONS };

export interface VerifyContext {
  credential: ClientCredential;
  trust: ServerTrust;
  now: Date;
  /** KEM shared secret of this transaction, once the server sent its ciphertext. */
  kemSecret?: Uint8Array;
  macLimits?: MacLimits;
}

/**
 * Verifies the answer's protection; returns the protection certificate of a signed answer (for the
 * sender / senderKID checks of validate.ts), undefined for MAC and unprotected error answers.
 */
export async function verifyAnswerProtection(
  rsp: DecodedMessage,
  ctx: VerifyContext,
): Promise<CertEntry | undefined> {
  const kind = protectionKind(rsp.message.header);
  if (kind === "none") {
    if (rsp.bodyType === "error") return undefined; // reported to the user as an (unauthenticated) error
    throw new CmpClientError("the response is not protected");
  }
  try {
    if (kind === "kem") {
      if (!ctx.kemSecret)
        throw new CmpClientError("the server used KEM-based protection before any KEM exchange");
      verifyKemProtection(rsp, ctx.kemSecret);
      return undefined;
    }
    if (kind === "pbm" || kind === "pbmac1") {
      if (ctx.credential.kind !== "mac") {
        throw new CmpClientError("the server answered with MAC protection to a signed request");
      }
      verifyMacProtection(rsp, ctx.credential.secret, ctx.macLimits ?? CLIENT_MAC_LIMITS);
      return undefined;
    }
    const signer = await trustedSigner(rsp, ctx);
    verifySignatureProtection(rsp, certificatePublicKey(signer.cert));
    return signer;
  } catch (e) {
    if (e instanceof CmpClientError) throw e;
    if (e instanceof CmpError) {
      throw new CmpClientError(`the response's protection is invalid: ${e.statusString}`, e.failInfo);
    }
    if (e instanceof PathValidationError) {
      throw new CmpClientError(`the server's certificate is not trusted: ${e.message}`, ["signerNotTrusted"]);
    }
    throw e;
  }
}

/** The protection certificate of a signed answer, pinned or validated up to a trust anchor. */
async function trustedSigner(rsp: DecodedMessage, ctx: VerifyContext): Promise<CertEntry> {
  const { trust } = ctx;
  const extra = rsp.extraCerts;
  const known = [...(trust.serverCert ? [trust.serverCert] : []), ...trust.anchors, ...trust.untrusted];
  // RFC 9483 §3.3: the protection certificate comes first in extraCerts; a server may omit it when
  // the client knows it already (openssl's -srvcert), found then by senderKID or sender name.
  const signer = extra[0] ?? findSigner(rsp.message.header, known);
  if (!signer) {
    throw new CmpClientError(
      "the signed response carries no protection certificate and none of ours matches its sender",
    );
  }
  if (trust.anchors.length === 0 && !trust.serverCert) {
    throw new CmpClientError(
      "cannot check the server's signature: no trusted certificates configured (--trusted)",
    );
  }
  const pinned = trust.serverCert && Buffer.from(trust.serverCert.der).equals(Buffer.from(signer.der));
  if (!pinned) {
    await validatePath(signer, {
      anchors: [...trust.anchors],
      intermediates: [...extra.slice(1), ...trust.untrusted],
      time: ctx.now,
    });
  }
  return signer;
}

function findSigner(h: PKIHeader, pool: CertEntry[]): CertEntry | undefined {
  const kid = h.senderKID ? Buffer.from(h.senderKID) : undefined;
  const byKid =
    kid &&
    pool.find((c) => {
      const ski = getSubjectKeyIdentifier(c.cert);
      return ski && kid.equals(Buffer.from(ski));
    });
  if (byKid) return byKid;
  const name = h.sender.directoryName;
  return name ? pool.find((c) => namesEqual(c.cert.tbsCertificate.subject, name)) : undefined;
}
