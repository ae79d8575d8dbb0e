// Polling for a delayed certificate (RFC 9483 §4.4): while the ip / cp / kup says "waiting", send
// pollReq and wait as each pollRep's checkAfter says, on an injected clock and sleep, up to a total bound.
import { PKIStatus, type CertRepMessage } from "../../asn1/cmp.js";
import type { CertResponseBodyType } from "../build/response.js";
import { pollReqBody } from "../build/request.js";
import type { DecodedMessage } from "../message.js";
import { CmpClientError } from "./errors.js";
import type { ClientSession } from "./session.js";

export interface PollOptions {
  operation: string;
  repType: CertResponseBodyType;
  /** certReqId of the request (-1 for p10cr). */
  certReqId: number;
  /** Bound on the total time spent polling, ms (default 5 minutes). */
  totalTimeoutMs?: number;
  /** Waits between polls; default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called while waiting: seconds until the next poll and the server's reason. */
  onProgress?: (info: { checkAfter: number; elapsedMs: number; reason?: string }) => void;
}

export const DEFAULT_POLL_TIMEOUT_MS = 300_000;

/** The CertRepMessage of an answer, if the answer is one of the expected type. */
export function certRep(rsp: DecodedMessage, repType: CertResponseBodyType): CertRepMessage | undefined {
  return rsp.bodyType === repType ? rsp.message.body[repType] : undefined;
}

function timer(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * From the first answer to a certificate request to the final one: returns at once when the
 * response is not "waiting", else polls (time measured with session.now()).
 */
export async function pollUntilReady(
  session: ClientSession,
  first: DecodedMessage,
  o: PollOptions,
): Promise<DecodedMessage> {
  let rsp = first;
  const started = session.now().getTime();
  const total = o.totalTimeoutMs ?? DEFAULT_POLL_TIMEOUT_MS;
  for (;;) {
    const rep = certRep(rsp, o.repType);
    const response = rep?.response[0];
    if (rep && !response) throw new CmpClientError(`the ${o.repType} holds no response`);
    if (response && response.status.status !== PKIStatus.waiting) return rsp;
    // A waiting ip/cp/kup says nothing of when to come back: ask again after a second.
    const entry = rsp.bodyType === "pollRep" ? rsp.message.body.pollRep![0] : undefined;
    if (rsp.bodyType === "pollRep" && !entry) throw new CmpClientError("the pollRep holds no entry");
    const checkAfter = entry ? entry.checkAfter : 1;
    const reason = entry?.reason?.join("; ");
    const elapsed = session.now().getTime() - started;
    if (elapsed + checkAfter * 1000 > total) {
      throw new CmpClientError(
        `gave up waiting after ${Math.round(elapsed / 1000)} s (limit ${Math.round(total / 1000)} s)`,
      );
    }
    o.onProgress?.({ checkAfter, elapsedMs: elapsed, reason });
    await (o.sleep ?? timer)(Math.max(0, checkAfter) * 1000);
    rsp = await session.exchange(pollReqBody(o.certReqId), {
      operation: o.operation,
      expect: [o.repType, "pollRep"],
    });
  }
}
