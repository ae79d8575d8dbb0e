// The life cycle of one CMP transaction as a typed state union with explicit transitions, and the
// validated codec of its stored record (state data as checked JSON; the KEM shared secret sealed at rest).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import { CmpError } from "./errors.js";

const CertRequestKind = z.enum(["ir", "cr", "kur", "p10cr"]);

/** What an enrollment keeps between its messages (RFC 9483 §4.1, §4.4). */
const Enrollment = z.object({
  profile: z.string(),
  pvno: z.number().int(),
  bodyType: CertRequestKind,
  certReqId: z.number().int(),
  implicitConfirm: z.boolean(),
  /** kur: serial of the certificate being replaced. */
  oldSerial: z.string().optional(),
  /** Indirect POP (RFC 9810 §5.2.8.3): the certificate goes out encrypted; certConf proves possession. */
  encrCert: z.boolean(),
  /** The RA that forwarded the request (RFC 9483 §5.2), recorded with the certificate issued for it. */
  forwardedBy: z.string().optional(),
});
export type Enrollment = z.infer<typeof Enrollment>;

/** The certificate issued in this transaction, waiting for certConf. */
const Issued = z.object({ der: z.string(), serial: z.string(), certReqId: z.number().int() });

/**
 * An RA's transaction whose messages go upstream (RFC 9483 §5.2): how they go, where, and for a
 * re-protected exchange the upstream transaction's state, so any replica continues it.
 */
const Forwarded = z.object({
  mode: z.enum(["forward", "nest", "batch", "reprotect", "raverified"]),
  upstream: z.string(),
  profile: z.string().optional(),
  /** The RFC 9483 §6.1 operation path of the request that opened the transaction. */
  operation: z.string(),
  /** Re-protected exchanges: the upstream's last senderNonce (hex), echoed as the next recipNonce. */
  upstreamNonce: z.string().optional(),
  /** Central key generation at the RA: the key package for the EE (EncryptedKey DER, base64; encrypted to the EE). */
  centralKey: z.string().optional(),
  /** Re-protected exchanges: the protocol version the upstream exchange uses. */
  pvno: z.number().int().optional(),
});
export type Forwarded = z.infer<typeof Forwarded>;

/**
 * An RA's request held while its upstream cannot be reached (RFC 9483 §5.1.2, §4.4): how it goes up,
 * the retry schedule, and once it went, the upstream's answer kept for the EE's next pollReq.
 */
const Outbox = z.object({
  forwarded: Forwarded,
  /** The upstream message as built and (perhaps) sent before, DER base64: sent again unchanged. */
  sent: z.string().optional(),
  /** The re-protected body (and origPKIMessage) to send, DER base64; absent: the EE's message itself. */
  body: z.string().optional(),
  extraInfo: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  /** ISO times: the next attempt, the end of a running attempt's claim, when to give up. */
  nextAttemptAt: z.string(),
  claimedUntil: z.string().optional(),
  giveUpAt: z.string(),
  lastError: z.string().optional(),
  /** Held for an RA officer (`lwcmp approvals`): nothing goes upstream while "pending". */
  approval: z.enum(["pending", "approved"]).optional(),
  /** The upstream delays too (RFC 9483 §4.4): the certReqId the RA's own pollReqs upstream name. */
  polling: z.number().int().optional(),
  /** The upstream's answer (DER base64; for nested exchanges the EE's inner answer) once it came. */
  answer: z.string().optional(),
  /** A CMP failure instead of an answer (the upstream's answer failed the RA's checks, or it gave up). */
  failure: z.object({ failInfo: z.array(z.string()), text: z.string() }).optional(),
});
export type Outbox = z.infer<typeof Outbox>;

/**
 * RFC 9483 §4.4: a request answered "waiting" (error/waiting, or ip/cp/kup with a waiting CertResponse);
 * pollReq (certReqId -1, or the CertResponse's certReqId) asks for its answer.
 */
const Delayed = z.object({
  /** The waiting request's body type and its DER (base64), for the role that answers it later. */
  bodyType: z.string(),
  request: z.string(),
  /** The certReqId the pollReqs name: that of the waiting CertResponse; -1 for a whole answer. */
  certReqId: z.number().int().optional(),
  /** Seconds the pollRep asks the client to wait. */
  checkAfter: z.number().int().nonnegative(),
  reason: z.string().optional(),
  /** An RA's upstream delivery of the request (src/ra/deferred.ts). */
  outbox: Outbox.optional(),
});
export type Delayed = z.infer<typeof Delayed>;

const TxState = z.discriminatedUnion("state", [
  /** A KemCiphertextInfo was sent; the real request follows in the same transaction (RFC 9810 §5.1.3.4). */
  z.object({ state: z.literal("kem-protection") }),
  z.object({ state: z.literal("waiting-approval"), enrollment: Enrollment }),
  z.object({ state: z.literal("waiting-certconf"), enrollment: Enrollment, issued: Issued }),
  z.object({ state: z.literal("waiting-delayed"), delayed: Delayed }),
  z.object({ state: z.literal("forwarded"), forwarded: Forwarded }),
  z.object({ state: z.literal("confirmed") }),
  z.object({ state: z.literal("rejected") }),
  /** Single-exchange operations (rr, genm) and transactions the peer ended with an error message. */
  z.object({ state: z.literal("done") }),
]);
export type TxState = z.infer<typeof TxState>;
export type TxStateName = TxState["state"];

/** Which state may follow which; a new transaction may start in any state. */
const OPEN: readonly TxStateName[] = [
  "forwarded",
  "waiting-approval",
  "waiting-delayed",
  "waiting-certconf",
  "confirmed",
  "rejected",
  "done",
];
const TRANSITIONS: Readonly<Record<TxStateName, readonly TxStateName[]>> = {
  "kem-protection": OPEN,
  "waiting-approval": OPEN,
  "waiting-delayed": OPEN,
  forwarded: OPEN,
  "waiting-certconf": ["waiting-delayed", "confirmed", "rejected", "done"],
  confirmed: [],
  rejected: [],
  done: [],
};

export function canTransition(from: TxStateName, to: TxStateName): boolean {
  return TRANSITIONS[from].includes(to);
}

export function checkTransition(from: TxStateName, to: TxStateName): void {
  if (!canTransition(from, to)) {
    throw new CmpError("systemFailure", `transaction state ${from} cannot become ${to}`);
  }
}

/** States in which the transaction is over. */
export function isFinal(s: TxStateName): boolean {
  return TRANSITIONS[s].length === 0;
}

export function encodeState(s: TxState): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(TxState.parse(s)));
}

export function decodeState(data: Uint8Array | null, stateColumn: string): TxState {
  if (!data) return TxState.parse({ state: stateColumn });
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new CmpError("systemFailure", "a stored transaction record is not readable");
  }
  const r = TxState.safeParse(raw);
  if (!r.success) throw new CmpError("systemFailure", "a stored transaction record is malformed");
  return r.data;
}

/**
 * Seals secrets kept in transaction records (the KEM shared secret) with AES-256-GCM; the
 * transactionID is the associated data, so a sealed value cannot be moved to another transaction.
 */
export class SecretSealer {
  private readonly key: Buffer;
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error("the sealing key must be 32 bytes");
    this.key = Buffer.from(key);
  }

  seal(transactionId: string, secret: Uint8Array): Uint8Array {
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.key, iv);
    c.setAAD(Buffer.from(transactionId, "utf8"));
    const body = Buffer.concat([c.update(secret), c.final()]);
    return new Uint8Array(Buffer.concat([iv, c.getAuthTag(), body]));
  }

  open(transactionId: string, sealed: Uint8Array): Uint8Array {
    const b = Buffer.from(sealed);
    if (b.length < 28) throw new CmpError("systemFailure", "a sealed transaction secret is truncated");
    const d = createDecipheriv("aes-256-gcm", this.key, b.subarray(0, 12));
    d.setAAD(Buffer.from(transactionId, "utf8"));
    d.setAuthTag(b.subarray(12, 28));
    try {
      return new Uint8Array(Buffer.concat([d.update(b.subarray(28)), d.final()]));
    } catch {
      throw new CmpError("systemFailure", "a sealed transaction secret does not open");
    }
  }
}
