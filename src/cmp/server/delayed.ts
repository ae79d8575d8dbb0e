// Delayed delivery on the server side for every body type (RFC 9483 §4.4, RFC 9810 §5.3.22): a handler
// answers "waiting" (ip/cp/kup with a waiting CertResponse, else an error message); pollReq gets pollRep
// until the role's hook has the answer.
import { ErrorMsgContent, PKIBody, PKIStatus } from "../../asn1/cmp.js";
import { certRepBody, certResponse, pollRepBody } from "../build/response.js";
import type { Delayed, Outbox } from "../transaction.js";
import { CmpError } from "../errors.js";
import { decodePKIMessage, type DecodedMessage } from "../message.js";
import { statusInfo } from "../status.js";
import type { Answer, Handler, HandlerContext, Handlers, Transaction } from "./types.js";

/** RFC 9483 §4.4: the pollReq after an error with status "waiting" names the whole answer. */
export const DELAYED_CERT_REQ_ID = -1;

export interface WaitingOptions {
  /** Seconds the client is asked to wait between pollReqs (the pollRep's checkAfter). */
  checkAfter: number;
  /** Text for the client, in the error's statusString and the pollReps' reason. */
  reason?: string;
  /** Until when the transaction stays open for polling. */
  expiresAt: Date;
  /** Role writes committed with the waiting transaction. */
  writes?: Answer["writes"];
  /** An RA's upstream delivery kept with the request (src/ra/deferred.ts). */
  outbox?: Outbox;
}

type CertRequestType = "ir" | "cr" | "kur" | "p10cr";
const CERT_REQUESTS: readonly string[] = ["ir", "cr", "kur", "p10cr"];

/** The certReqId a waiting answer to `ctx`'s request names: its first CertReqMsg's, -1 for p10cr and others. */
function waitingCertReqId(ctx: HandlerContext): number {
  const b = ctx.request.message.body;
  const msgs = b.ir ?? b.cr ?? b.kur;
  return msgs?.[0] ? Number(msgs[0].certReq.certReqId) : DELAYED_CERT_REQ_ID;
}

/**
 * The answer a handler gives when it cannot answer now: an error message with status "waiting"
 * (RFC 9483 §4.4); the transaction waits, keeping the request for the role's `Handlers.delayed`.
 */
export function waitingAnswer(ctx: HandlerContext, o: WaitingOptions): Answer {
  const status = statusInfo(PKIStatus.waiting, { text: o.reason });
  const certRequest = CERT_REQUESTS.includes(ctx.bodyType);
  const certReqId = waitingCertReqId(ctx);
  // RFC 9483 §4.4: a certificate request gets its CertResponse with status "waiting"; others an error.
  const body = certRequest
    ? certRepBody(ctx.bodyType as CertRequestType, [certResponse(certReqId, status)])
    : new PKIBody({ error: new ErrorMsgContent({ pKIStatusInfo: status }) });
  const delayed: Delayed = {
    bodyType: ctx.bodyType,
    request: Buffer.from(ctx.request.der).toString("base64"),
    certReqId,
    checkAfter: Math.max(0, Math.round(o.checkAfter)),
    reason: o.reason,
    outbox: o.outbox,
  };
  return {
    body,
    writes: o.writes,
    next: {
      state: { state: "waiting-delayed", delayed },
      expiresAt: o.expiresAt,
      kind: ctx.transaction?.kind ?? ctx.bodyType,
    },
  };
}

/** Whether a message is a pollReq for a transaction waiting for a delayed answer. */
export function isDelayedPoll(d: DecodedMessage, tx: Transaction | undefined): boolean {
  return d.bodyType === "pollReq" && tx?.state.state === "waiting-delayed";
}

/** The pollReq handler of delayed answers: pollRep while the role's hook says "pending", then its answer. */
export function delayedPollHandler(handlers: Handlers): Handler {
  return async (ctx) => {
    const tx = ctx.transaction;
    if (tx?.state.state !== "waiting-delayed")
      throw new CmpError("badRequest", "nothing is waiting in this transaction");
    const w = tx.state.delayed;
    const ids = ctx.request.message.body.pollReq!.map((p) => Number(p.certReqId));
    const expected = w.certReqId ?? DELAYED_CERT_REQ_ID;
    if (ids.length !== 1 || ids[0] !== expected) {
      throw new CmpError(
        "badRequest",
        `a pollReq for a delayed ${w.bodyType} answer names certReqId ${expected}`,
      );
    }
    if (!handlers.delayed) throw new CmpError("systemFailure", "this server cannot answer delayed requests");
    const original = decodePKIMessage(new Uint8Array(Buffer.from(w.request, "base64")));
    const a = await handlers.delayed({ ...ctx, transaction: tx, original });
    if (a === "pending") return { body: pollRepBody(expected, w.checkAfter, w.reason) };
    // A final answer without a next state ends the transaction (rr, genm, certConf).
    return a.next ? a : { ...a, next: { state: { state: "done" }, expiresAt: tx.expiresAt } };
  };
}
