// Delayed delivery initiated by the RA (RFC 9483 §5.1.2, §4.4): what cannot go upstream now is held in
// the RA's store and answered "waiting"; the EE's pollReqs get pollRep until the upstream's answer is in.
import { AsnConvert } from "@peculiar/asn1-schema";
import { InfoTypeAndValue, PKIBody } from "../asn1/cmp.js";
import { certRepBody, rejectedCertResponse } from "../cmp/build/response.js";
import { CmpError } from "../cmp/errors.js";
import type { FailInfo } from "../cmp/failinfo.js";
import { hex } from "../cmp/header.js";
import { decodePKIMessage } from "../cmp/message.js";
import { waitingAnswer } from "../cmp/server/delayed.js";
import type { Answer, DelayedContext, DelayedHandler, HandlerContext } from "../cmp/server/types.js";
import type { Forwarded, Outbox } from "../cmp/transaction.js";
import { reprotectedAnswer, update } from "./answer.js";
import type { RaPolicy } from "./policy.js";
import type { RaLogEvent } from "./types.js";
import type { UpstreamUnreachable } from "./upstream.js";

/** Back-off of the attempts: `initialDelayMs` doubled per attempt up to `maxDelayMs` (RFC 9483 §6: timeouts). */
export function nextDelay(r: { initialDelayMs: number; maxDelayMs: number }, attempts: number): number {
  return Math.min(r.maxDelayMs, r.initialDelayMs * 2 ** Math.max(0, attempts - 1));
}

const b64 = (d: Uint8Array): string => Buffer.from(d).toString("base64");

export interface DeferredContext {
  policy: RaPolicy;
  log: (e: RaLogEvent) => void;
}

export class DeferredDelivery {
  constructor(private readonly c: DeferredContext) {}

  /** Whether the upstream of `f` has delayed delivery (a retry window); else the EE is refused at once. */
  holds(f: Forwarded): boolean {
    return (this.c.policy.upstream(f.upstream)?.retry.giveUpAfterMs ?? 0) > 0;
  }

  /** RFC 9483 §4.4: answers "waiting" and keeps the message, with what goes upstream, for the retrier. */
  hold(
    ctx: HandlerContext,
    f: Forwarded,
    e: UpstreamUnreachable,
    body?: PKIBody,
    extraInfo?: InfoTypeAndValue,
  ): Answer {
    const retry = this.c.policy.upstream(f.upstream)!.retry;
    const t = ctx.now.getTime();
    this.c.log({
      event: "ra-held",
      transactionId: hex(ctx.header.transactionID),
      requester: ctx.requester.id,
      upstream: f.upstream,
      detail: `${ctx.bodyType}: ${e.detail}`,
    });
    return this.waiting(ctx, f, body, extraInfo, {
      reason: `the RA holds the request until upstream ${f.upstream} answers`,
      attempts: 1,
      nextAttemptAt: new Date(t + nextDelay(retry, 1)).toISOString(),
      giveUpAt: new Date(t + retry.giveUpAfterMs).toISOString(),
      lastError: e.detail,
      sent: e.sent ? b64(e.sent) : undefined,
      expiresAt: new Date(t + retry.giveUpAfterMs + this.c.policy.transactions.transactionWaitMs),
    });
  }

  /** RFC 9483 §5.1: the request waits for an RA officer (`lwcmp approvals`), then goes upstream. */
  holdForApproval(
    ctx: HandlerContext,
    f: Forwarded,
    summary: string,
    body?: PKIBody,
    extraInfo?: InfoTypeAndValue,
  ): Answer {
    const p = this.c.policy;
    const t = ctx.now.getTime();
    const wait = p.transactions.approvalWaitMs;
    const retry = p.upstream(f.upstream)!.retry;
    this.c.log({
      event: "ra-approval-waiting",
      transactionId: hex(ctx.header.transactionID),
      requester: ctx.requester.id,
      detail: summary,
    });
    const a = this.waiting(ctx, f, body, extraInfo, {
      reason: "the request waits for approval by an RA officer",
      approval: "pending",
      attempts: 0,
      nextAttemptAt: ctx.now.toISOString(),
      giveUpAt: new Date(t + wait + retry.giveUpAfterMs).toISOString(),
      expiresAt: new Date(t + wait + retry.giveUpAfterMs + p.transactions.transactionWaitMs),
    });
    const tid = hex(ctx.header.transactionID);
    const profile = f.profile ?? p.defaultProfile;
    return {
      ...a,
      writes: (s) =>
        s
          .createApproval(
            { transactionId: tid, requester: ctx.requester.id, profile, summary, request: ctx.request.der },
            ctx.now,
          )
          .then(() => undefined),
    };
  }

  private waiting(
    ctx: HandlerContext,
    f: Forwarded,
    body: PKIBody | undefined,
    extraInfo: InfoTypeAndValue | undefined,
    o: Pick<Outbox, "approval" | "attempts" | "nextAttemptAt" | "giveUpAt" | "lastError" | "sent"> & {
      reason: string;
      expiresAt: Date;
    },
  ): Answer {
    const outbox: Outbox = {
      forwarded: f,
      body: body ? b64(new Uint8Array(AsnConvert.serialize(body))) : undefined,
      extraInfo: extraInfo ? b64(new Uint8Array(AsnConvert.serialize(extraInfo))) : undefined,
      approval: o.approval,
      attempts: o.attempts,
      nextAttemptAt: o.nextAttemptAt,
      giveUpAt: o.giveUpAt,
      lastError: o.lastError,
      sent: o.sent,
    };
    return waitingAnswer(ctx, {
      checkAfter: Math.max(1, Math.round(this.c.policy.transactions.pollIntervalMs / 1000)),
      reason: o.reason,
      expiresAt: o.expiresAt,
      outbox,
    });
  }

  /** The EE's pollReq: "pending" until the retrier stored the upstream's answer, then that answer. */
  handler(): DelayedHandler {
    return async (ctx: DelayedContext) => {
      const s = ctx.transaction.state;
      const outbox = s.state === "waiting-delayed" ? s.delayed.outbox : undefined;
      if (!outbox) throw new CmpError("systemFailure", "this RA holds nothing for the transaction");
      if (outbox.failure) return rejection(this.c, ctx, outbox.failure);
      if (!outbox.answer) return "pending";
      const rsp = decodePKIMessage(new Uint8Array(Buffer.from(outbox.answer, "base64")));
      // The answer goes to the EE under the RA's protection (its nonces answer the pollReq); what
      // follows in the transaction goes upstream re-protected, since only the RA knows the upstream's nonce.
      const f = outbox.forwarded;
      const next: Forwarded = { ...f, mode: f.mode === "raverified" ? "raverified" : "reprotect" };
      return reprotectedAnswer(this.c.policy, ctx, rsp, next);
    };
  }
}

/** The failure of a held message as the final answer the EE's request was waiting for. */
function rejection(c: DeferredContext, ctx: DelayedContext, failure: NonNullable<Outbox["failure"]>): Answer {
  const err = new CmpError(failure.failInfo as FailInfo[], failure.text);
  const type = ctx.original.bodyType;
  if (type === "ir" || type === "cr" || type === "kur" || type === "p10cr") {
    const s = ctx.transaction.state;
    const certReqId = s.state === "waiting-delayed" ? (s.delayed.certReqId ?? -1) : -1;
    return {
      body: certRepBody(type, [rejectedCertResponse(certReqId, err)]),
      next: update(c.policy, ctx, { state: "rejected" }),
    };
  }
  throw err;
}
