// The rules for a received PKIMessage (RFC 9483 §3.1-3.5, RFC 9810 §5.1): one set, used by the server
// engine on requests and by the client session on responses; role options say which apply.
import type { Name } from "@peculiar/asn1-x509";
import type { PKIHeader } from "../asn1/cmp.js";
import { getKeyUsage, getSubjectKeyIdentifier } from "../pki/extensions.js";
import { generalNameToString, nameToString, namesEqual } from "../pki/names.js";
import type { CertEntry } from "../pki/path.js";
import { CmpError } from "./errors.js";
import { PVNO_CMP2000, PVNO_CMP2021 } from "./header.js";

/** The shortest nonce accepted: RFC 9483 §3.1 asks senders for 128 bits; 64 are tolerated. */
export const MIN_NONCE_BYTES = 8;

export interface HeaderRules {
  role: "server" | "client";
  now: Date;
  /** Largest accepted |messageTime - now| in ms; undefined: messageTime is not checked. */
  maxClockSkewMs?: number;
  /** Names this entity answers to in `recipient`; NULL-DN is always accepted; undefined: not checked. */
  ownNames?: readonly Name[];
  /** Client: the request this message answers (its transactionID and senderNonce). */
  answers?: { transactionID: Uint8Array; senderNonce: Uint8Array };
}

function bytes(b: ArrayBuffer | undefined): Uint8Array | undefined {
  return b ? new Uint8Array(b) : undefined;
}

export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return !!a && !!b && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** RFC 9810 §7 / RFC 9483 §3.1: pvno is cmp2000 (2) or cmp2021 (3). */
export function checkPvno(h: PKIHeader): void {
  if (h.pvno !== PVNO_CMP2000 && h.pvno !== PVNO_CMP2021) {
    throw new CmpError(
      "unsupportedVersion",
      `pvno ${h.pvno} is not supported; use 2 (cmp2000) or 3 (cmp2021)`,
    );
  }
}

/** RFC 9483 §3.1: transactionID and senderNonce are REQUIRED; the client checks they answer its request. */
export function checkHeader(h: PKIHeader, rules: HeaderRules): void {
  checkPvno(h);
  const tid = bytes(h.transactionID);
  if (!tid || tid.length === 0) throw new CmpError("badRequest", "transactionID is missing");
  const nonce = bytes(h.senderNonce);
  if (!nonce || nonce.length < MIN_NONCE_BYTES) {
    throw new CmpError("badSenderNonce", "senderNonce is missing or shorter than 64 bits");
  }
  if (rules.answers) {
    // RFC 9483 §3.1: a response keeps the transactionID and echoes our senderNonce as recipNonce.
    if (!bytesEqual(tid, rules.answers.transactionID)) {
      throw new CmpError("badRequest", "the response's transactionID differs from the request's");
    }
    if (!bytesEqual(bytes(h.recipNonce), rules.answers.senderNonce)) {
      throw new CmpError("badRecipientNonce", "the response's recipNonce does not match our senderNonce");
    }
  }
  checkMessageTime(h, rules);
  checkRecipient(h, rules);
}

function checkMessageTime(h: PKIHeader, rules: HeaderRules): void {
  if (!h.messageTime || rules.maxClockSkewMs === undefined) return;
  const skew = Math.abs(rules.now.getTime() - h.messageTime.getTime());
  if (skew > rules.maxClockSkewMs) {
    const who = rules.role === "server" ? "the server's" : "our";
    throw new CmpError("badTime", `messageTime differs from ${who} clock by ${Math.round(skew / 1000)} s`);
  }
}

function checkRecipient(h: PKIHeader, rules: HeaderRules): void {
  const r = h.recipient.directoryName;
  if (!rules.ownNames || !r || r.length === 0) return;
  if (!rules.ownNames.some((n) => namesEqual(n, r))) {
    throw new CmpError("wrongAuthority", `recipient "${nameToString(r)}" is not this entity`);
  }
}

/** RFC 9483 §3.1: the sender field names the subject of the certificate that protects the message. */
export function checkSenderName(h: PKIHeader, cert: CertEntry): void {
  const subject = cert.cert.tbsCertificate.subject;
  const sender = h.sender.directoryName;
  if (!sender || !namesEqual(sender, subject)) {
    throw new CmpError(
      "badMessageCheck",
      `header sender "${generalNameToString(h.sender)}" differs from the protection certificate subject ` +
        `"${nameToString(subject)}"`,
    );
  }
}

/**
 * RFC 9483 §3.1: with signature protection, sender is the subject of the protection certificate and
 * senderKID (when present) its subjectKeyIdentifier; RFC 5280 §4.2.1.3: the key must be allowed to sign.
 */
export function checkSigner(h: PKIHeader, signer: CertEntry): void {
  checkSenderName(h, signer);
  const subject = signer.cert.tbsCertificate.subject;
  const kid = bytes(h.senderKID);
  const ski = getSubjectKeyIdentifier(signer.cert);
  if (kid && ski && !bytesEqual(kid, ski)) {
    throw new CmpError(
      "badMessageCheck",
      "senderKID is not the subjectKeyIdentifier of the protection certificate",
    );
  }
  const ku = getKeyUsage(signer.cert);
  if (ku && !ku.includes("digitalSignature")) {
    throw new CmpError(
      "badMessageCheck",
      `the protection certificate "${nameToString(subject)}" may not sign messages (keyUsage lacks digitalSignature)`,
    );
  }
}

/** RFC 9483 §3.1: a MAC-protected message names its shared secret in senderKID. */
export function macSenderKid(h: PKIHeader): Uint8Array {
  const kid = bytes(h.senderKID);
  if (!kid || kid.length === 0)
    throw new CmpError("badMessageCheck", "MAC-protected message without senderKID");
  return kid;
}
