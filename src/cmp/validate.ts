// The rules for a received PKIMessage (RFC 9483 §3.1-3.5, RFC 9810 §5.1): one set, used by the server
// engine on requests and by the client session on responses; role options say which apply.
import type { Name } from "@peculiar/asn1-x509";
import { PKIStatus, type PKIHeader } from "../asn1/cmp.js";
import { getKeyUsage, getSubjectKeyIdentifier } from "../pki/extensions.js";
import { generalNameToString, nameToString, namesEqual } from "../pki/names.js";
import type { CertEntry } from "../pki/path.js";
import { checkGeneralInfo } from "./build/general-info.js";
import { CmpError } from "./errors.js";
import { PVNO_CMP2000, PVNO_CMP2021 } from "./header.js";
import type { DecodedMessage } from "./message.js";

/** The shortest nonce accepted: RFC 9483 §3.1 asks senders for 128 bits; 64 are tolerated. */
export const MIN_NONCE_BYTES = 8;

/**
 * Where a receiver may be stricter than the tolerant defaults (docs/conformance.md names each rule).
 * Both default to accepting what RFC 9483 lets a receiver accept and other implementations send.
 */
export interface StrictRules {
  /** Shortest transactionID and senderNonce accepted, in octets: default 8; 16 is what §3.1 asks of senders. */
  minNonceBytes: number;
  /** Refuse a signature-protected message without senderKID when the certificate has an SKI (§3.1). */
  requireSenderKID: boolean;
}
export const TOLERANT_RULES: StrictRules = { minNonceBytes: MIN_NONCE_BYTES, requireSenderKID: false };
export const STRICT_RULES: StrictRules = { minNonceBytes: 16, requireSenderKID: true };

export interface HeaderRules {
  role: "server" | "client";
  now: Date;
  /** Largest accepted |messageTime - now| in ms; undefined: messageTime is not checked. */
  maxClockSkewMs?: number;
  /** Names this entity answers to in `recipient`; NULL-DN is always accepted; undefined: not checked. */
  ownNames?: readonly Name[];
  /** Client: the request this message answers (its transactionID and senderNonce). */
  answers?: { transactionID: Uint8Array; senderNonce: Uint8Array };
  /** Shortest transactionID / senderNonce accepted (default MIN_NONCE_BYTES). */
  minNonceBytes?: number;
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
  // RFC 9483 §3.1 / RFC 9810 §5.1.1: sender (and recipient) are directoryNames, NULL-DN when unknown.
  if (!h.sender.directoryName) {
    throw new CmpError("badRequest", "the sender field is not a directoryName (use the NULL-DN if unknown)");
  }
  const min = rules.minNonceBytes ?? MIN_NONCE_BYTES;
  const tid = bytes(h.transactionID);
  if (!tid || tid.length === 0) throw new CmpError("badRequest", "transactionID is missing");
  // RFC 9483 §3.1: senders use 128 random bits; shorter IDs collide (the receiver's floor is `min`).
  if (tid.length < min) {
    throw new CmpError(
      "badRequest",
      `transactionID of ${tid.length * 8} bits is shorter than ${min * 8} bits`,
    );
  }
  const nonce = bytes(h.senderNonce);
  if (!nonce || nonce.length < min) {
    throw new CmpError("badSenderNonce", `senderNonce is missing or shorter than ${min * 8} bits`);
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
  checkGeneralInfo(h);
}

/** RFC 9483 §3.1: the first message of a transaction has no recipNonce (there is nothing to echo). */
export function checkFirstMessage(h: PKIHeader): void {
  if (h.recipNonce) {
    throw new CmpError(
      "badRecipientNonce",
      "recipNonce is present in the first message of a transaction; leave it out",
    );
  }
}

/**
 * Body rules that hold for every receiver (RFC 9483 §4.1.1): a CertStatus with status accepted
 * carries no failInfo; its status is accepted or rejection.
 */
export function checkBody(d: DecodedMessage): void {
  if (d.bodyType !== "certConf") return;
  for (const st of d.message.body.certConf ?? []) {
    const info = st.statusInfo;
    if (!info) continue;
    if (info.status !== PKIStatus.accepted && info.status !== PKIStatus.rejection) {
      throw new CmpError("badRequest", `certConf status ${info.status} is neither accepted nor rejection`);
    }
    const bits = info.failInfo ? new Uint8Array(info.failInfo.value).some((b) => b !== 0) : false;
    if (info.status === PKIStatus.accepted && bits) {
      throw new CmpError("badRequest", "certConf with status accepted carries a failInfo");
    }
  }
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
export function checkSigner(h: PKIHeader, signer: CertEntry, requireSenderKID = false): void {
  checkSenderName(h, signer);
  const subject = signer.cert.tbsCertificate.subject;
  const kid = bytes(h.senderKID);
  const ski = getSubjectKeyIdentifier(signer.cert);
  // RFC 9483 §3.1: senderKID is RECOMMENDED; when sent it MUST be the SKI. Its absence is refused on request.
  if (!kid && ski && requireSenderKID) {
    throw new CmpError(
      "badMessageCheck",
      "signature-protected message without senderKID (the protection certificate has a subjectKeyIdentifier)",
    );
  }
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
