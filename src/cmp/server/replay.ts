// Replay protection of the server side (RFC 9483 §3.1, RFC 9810 §5.1.1): a senderNonce is fresh. A read
// checks it before the request is handled; the nonce is recorded in the unit of work that stores the
// answer, so a second copy of a message racing the first meets the record there and its unit fails.
import type { Store } from "../../store/store.js";
import { CmpError } from "../errors.js";
import type { DecodedMessage } from "../message.js";

/** The senderNonce of a request being answered, and whether it is recorded yet. */
export interface ReplayGuard {
  readonly nonce: Uint8Array;
  readonly now: Date;
  readonly expiresAt: Date;
  recorded: boolean;
}

function replayed(): CmpError {
  return new CmpError("badSenderNonce", "senderNonce was used before (replayed message?)");
}

/** Refuses a nonce seen before (and not expired); nonces are kept a day past twice the clock skew. */
export async function checkReplay(
  store: Pick<Store, "nonceSeen">,
  d: DecodedMessage,
  now: Date,
  maxClockSkewMs: number,
): Promise<ReplayGuard> {
  const guard: ReplayGuard = {
    nonce: new Uint8Array(d.message.header.senderNonce!),
    now,
    expiresAt: new Date(now.getTime() + 2 * maxClockSkewMs + 86_400_000),
    recorded: false,
  };
  if (await store.nonceSeen(guard.nonce, now)) throw replayed();
  return guard;
}

/** Records the nonce through `s` (the store, or the session of a unit of work); a replay if it was there. */
export async function recordNonce(g: ReplayGuard, s: Pick<Store, "recordNonce">): Promise<void> {
  const fresh = await s.recordNonce(g.nonce, g.expiresAt, g.now);
  g.recorded = true;
  if (!fresh) throw replayed();
}
