// Delayed delivery seen from the client (RFC 9483 §4.4): an ip / cp / kup saying "waiting", or an
// error message with status "waiting" to any request, is followed by pollReq / pollRep until the
// final answer; waits follow each pollRep's checkAfter, on an injected clock and sleep, up to a bound.
import { PKIStatus, type CertRepMessage, type PKIBody, type PKIBodyType } from "../../asn1/cmp.js";
import type { CertResponseBodyType } from "../build/response.js";
import { pollReqBody } from "../build/request.js";
import type { DecodedMessage } from "../message.js";
import { CmpClientError, statusError } from "./errors.js";
import { isWaitingError, type ClientSession, type ExchangeOptions } from "./session.js";

/** How long and on what the client waits for a delayed answer. */
export interface PollSettings {
  /** Bound on the total time spent waiting, ms (default 5 minutes). */
  totalTimeoutMs?: number;
  /** Waits between polls; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called while waiting: seconds until the next poll and the server's reason. */
  onProgress?: (info: { checkAfter: number; elapsedMs: number; reason?: string }) => void;
  /** Start of the bounded time in ms on the session's clock (default: when polling starts). */
  startedAt?: number;
}

export interface PollOptions extends PollSettings {
  operation: string;
  /** The final answer types; ip / cp / kup may also say "waiting" for their CertResponse. */
  expect: readonly PKIBodyType[];
  /** certReqId of a certificate request (-1 for p10cr); a waiting error is always polled with -1. */
  certReqId?: number;
}

export const DEFAULT_POLL_TIMEOUT_MS = 300_000;

/** RFC 9483 §4.4: a pollReq after an error message with status "waiting" refers to the whole answer. */
export const WHOLE_RESPONSE = -1;

const CERT_REP_TYPES: readonly PKIBodyType[] = ["ip", "cp", "kup"];

/** The CertRepMessage of an answer, if the answer is one of the expected type. */
export function certRep(rsp: DecodedMessage, repType: CertResponseBodyType): CertRepMessage | undefined {
  return rsp.bodyType === repType ? rsp.message.body[repType] : undefined;
}

function timer(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Sends `body` and returns its final answer, polling while the server says "waiting". */
export async function exchangeDelayed(
  session: ClientSession,
  body: PKIBody,
  o: PollOptions & Pick<ExchangeOptions, "generalInfo">,
): Promise<DecodedMessage> {
  const startedAt = o.startedAt ?? session.now().getTime();
  const first = await session.exchange(body, {
    operation: o.operation,
    expect: o.expect,
    generalInfo: o.generalInfo,
    acceptWaiting: true,
  });
  return pollUntilReady(session, first, { ...o, startedAt });
}

/** What to do with one answer: it is final, or the pollReq's certReqId and the wait before it. */
type Step = { final: true } | { final: false; certReqId: number; checkAfter: number; reason?: string };

function nextStep(rsp: DecodedMessage, o: PollOptions, polled: number | undefined): Step {
  if (isWaitingError(rsp)) {
    // RFC 9483 §4.4: a pollReq is answered with pollRep or the final answer, never "waiting" again.
    if (polled !== undefined) throw new CmpClientError("the server answered a pollReq with waiting");
    return { final: false, certReqId: WHOLE_RESPONSE, checkAfter: 0 };
  }
  if (rsp.bodyType === "error") {
    throw statusError("the server reported an error", rsp.message.body.error!.pKIStatusInfo);
  }
  if (rsp.bodyType === "pollRep") {
    const entry = rsp.message.body.pollRep![0];
    if (!entry) throw new CmpClientError("the pollRep holds no entry");
    // RFC 9810 §5.3.22: the pollRep answers the certReqId that was polled.
    if (polled !== undefined && entry.certReqId !== polled) {
      throw new CmpClientError(`the pollRep names certReqId ${entry.certReqId}, expected ${polled}`, [
        "badRequest",
      ]);
    }
    return {
      final: false,
      certReqId: polled ?? entry.certReqId,
      checkAfter: entry.checkAfter,
      reason: entry.reason?.join("; "),
    };
  }
  if (CERT_REP_TYPES.includes(rsp.bodyType)) {
    const rep = certRep(rsp, rsp.bodyType as CertResponseBodyType)!;
    const response = rep.response[0];
    if (!response) throw new CmpClientError(`the ${rsp.bodyType} holds no response`);
    // A waiting ip/cp/kup says nothing of when to come back: ask again after a second.
    if (response.status.status === PKIStatus.waiting) {
      return { final: false, certReqId: o.certReqId ?? response.certReqId, checkAfter: 1 };
    }
  }
  if (!o.expect.includes(rsp.bodyType)) {
    throw new CmpClientError(`expected ${o.expect.join(" or ")} but the server sent ${rsp.bodyType}`);
  }
  return { final: true };
}

/**
 * From the first answer to the final one: returns at once when nothing is waiting, else polls (time
 * measured with session.now(), bounded by totalTimeoutMs from `startedAt`).
 */
export async function pollUntilReady(
  session: ClientSession,
  first: DecodedMessage,
  o: PollOptions,
): Promise<DecodedMessage> {
  let rsp = first;
  let polled: number | undefined;
  const started = o.startedAt ?? session.now().getTime();
  const total = o.totalTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
  for (;;) {
    const step = nextStep(rsp, o, polled);
    if (step.final) return rsp;
    const elapsed = session.now().getTime() - started;
    if (elapsed + step.checkAfter * 1000 > total) {
      throw new CmpClientError(
        `gave up waiting after ${Math.round(elapsed / 1000)} s (limit ${Math.round(total / 1000)} s)`,
      );
    }
    o.onProgress?.({ checkAfter: step.checkAfter, elapsedMs: elapsed, reason: step.reason });
    if (step.checkAfter > 0) await (o.sleep ?? timer)(step.checkAfter * 1000);
    polled = step.certReqId;
    rsp = await session.exchange(pollReqBody(polled), {
      operation: o.operation,
      expect: [...o.expect, "pollRep"],
      acceptWaiting: true,
    });
  }
}
