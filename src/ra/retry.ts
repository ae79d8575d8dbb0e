// The RA's retrier for held messages (RFC 9483 §5.1.2): due messages in the store go upstream again with
// back-off; a claim in the transaction record keeps two RA processes from sending one message twice.
import { AsnConvert } from "@peculiar/asn1-schema";
import { InfoTypeAndValue, PKIBody, PKIStatus } from "../asn1/cmp.js";
import { CmpError } from "../cmp/errors.js";
import { decodePKIMessage, type DecodedMessage } from "../cmp/message.js";
import type { HandlerContext } from "../cmp/server/types.js";
import { decodeState, encodeState, type Outbox, type TxState } from "../cmp/transaction.js";
import { ConcurrentUpdateError, type Store, type TransactionRecord } from "../store/store.js";
import { nextDelay } from "./deferred.js";
import { eeCredential } from "./credentials.js";
import type { RaPolicy } from "./policy.js";
import type { RaLogEvent, RaMaterials } from "./types.js";
import { UpstreamUnreachable, type Upstreams } from "./upstream.js";

export interface RetrierContext {
  policy: RaPolicy;
  materials: RaMaterials;
  upstreams: Upstreams;
  store: Store;
  now: () => Date;
  log: (e: RaLogEvent) => void;
}

/** Held messages looked at per round. */
const ROUND = 100;

type Waiting = Extract<TxState, { state: "waiting-delayed" }>;

/** The outbox of a record, when it holds a message that is due at `now` and claimed by no one. */
function due(rec: TransactionRecord, now: Date): { state: Waiting; outbox: Outbox } | undefined {
  const state = decodeState(rec.data, rec.state);
  if (state.state !== "waiting-delayed") return undefined;
  const outbox = state.delayed.outbox;
  if (!outbox || outbox.answer || outbox.failure) return undefined;
  if (Date.parse(outbox.nextAttemptAt) > now.getTime()) return undefined;
  if (outbox.claimedUntil && Date.parse(outbox.claimedUntil) > now.getTime()) return undefined;
  return { state, outbox };
}

function withOutbox(s: Waiting, outbox: Outbox): Waiting {
  return { state: "waiting-delayed", delayed: { ...s.delayed, outbox } };
}

const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "base64"));
const b64 = (d: Uint8Array): string => Buffer.from(d).toString("base64");

interface Held {
  rec: TransactionRecord;
  state: Waiting;
  outbox: Outbox;
  ctx: HandlerContext;
}

/** The context an upstream exchange of a held message needs: the EE's message and header. */
function upstreamContext(rec: TransactionRecord, s: Waiting, o: Outbox, now: Date): HandlerContext {
  const original = decodePKIMessage(fromB64(s.delayed.request));
  return {
    request: original,
    header: original.message.header,
    bodyType: original.bodyType,
    // Who sent it was checked on arrival; upstream exchanges use the EE's message and header only.
    requester: { kind: "mac", id: rec.requester, secret: { kid: "", secret: new Uint8Array(0) } },
    path: { profile: o.forwarded.profile, operation: o.forwarded.operation },
    now,
  };
}

export class UpstreamRetrier {
  constructor(private readonly c: RetrierContext) {}

  /** One round: every due held message goes upstream once; returns how many were attempted. */
  async round(): Promise<number> {
    const now = this.c.now();
    const recs = await this.c.store.findTransactionsInState("waiting-delayed", now, ROUND);
    const ready: Held[] = [];
    for (const rec of recs) {
      const d = due(rec, now);
      if (!d) continue;
      const outbox = await this.decided(rec, d.outbox, now);
      if (outbox)
        ready.push({ rec, state: d.state, outbox, ctx: upstreamContext(rec, d.state, outbox, now) });
    }
    this.prepareAll(ready);
    const attempts: Promise<void>[] = [];
    for (const h of ready) {
      const claimed = await this.claim(h, now);
      // Attempts run side by side: members of one held batch share one exchange.
      if (claimed) attempts.push(this.attempt({ ...h, outbox: claimed }));
    }
    await Promise.all(attempts);
    return attempts.length;
  }

  /**
   * The bytes each held message goes up as, built once (the first attempt, or after approval): held
   * requests of a batching route go together in one nested message (RFC 9483 §5.2.2.2).
   */
  private prepareAll(ready: Held[]): void {
    const batches = new Map<string, Held[]>();
    for (const h of ready) {
      if (h.outbox.sent) continue;
      const f = h.outbox.forwarded;
      if (f.mode === "batch" && h.outbox.polling === undefined) {
        const key = `${f.upstream}\u0000${f.profile ?? ""}`;
        batches.set(key, [...(batches.get(key) ?? []), h]);
        continue;
      }
      h.outbox = { ...h.outbox, sent: b64(this.prepareOne(h)) };
    }
    for (const members of batches.values()) {
      const first = members[0]!;
      const max = this.c.policy.upstream(first.outbox.forwarded.upstream)?.batch.maxMessages ?? 50;
      for (let i = 0; i < members.length; i += max) {
        const part = members.slice(i, i + max);
        const ders = part.map((m) => m.ctx.request.der);
        const wrapper = b64(this.c.upstreams.prepareBatch(first.outbox.forwarded, first.ctx, ders));
        for (const m of part) m.outbox = { ...m.outbox, sent: wrapper };
      }
    }
  }

  private prepareOne(h: Held): Uint8Array {
    const o = h.outbox;
    if (o.polling !== undefined) {
      return this.c.upstreams.prepare({ ...o.forwarded, mode: "reprotect" }, h.ctx, { pollReqId: o.polling });
    }
    return this.c.upstreams.prepare(o.forwarded, h.ctx, {
      body: o.body ? AsnConvert.parse(fromB64(o.body), PKIBody) : undefined,
      extraInfo: o.extraInfo ? AsnConvert.parse(fromB64(o.extraInfo), InfoTypeAndValue) : undefined,
    });
  }

  /**
   * A message held for an RA officer goes on once approved (its retry window starting then); a
   * rejection becomes the EE's answer. Undefined while the officer has not decided.
   */
  private async decided(rec: TransactionRecord, o: Outbox, now: Date): Promise<Outbox | undefined> {
    if (o.approval !== "pending") return o;
    const a = await this.c.store.getApprovalByTransaction(rec.transactionId);
    if (a?.status === "pending") return undefined;
    if (a?.status !== "approved") {
      const why = a?.reason ? `: ${a.reason}` : "";
      const failure = { failInfo: ["notAuthorized"], text: `rejected by an RA officer${why}` };
      await this.record(rec.transactionId, { ...o, failure });
      this.c.log({ event: "ra-approval-rejected", transactionId: rec.transactionId, detail: failure.text });
      return undefined;
    }
    const retry = this.c.policy.upstream(o.forwarded.upstream)?.retry;
    const giveUpAt = new Date(now.getTime() + (retry?.giveUpAfterMs ?? 0)).toISOString();
    return { ...o, approval: "approved", giveUpAt };
  }

  /** Marks the message as being sent until the upstream's timeout has passed; undefined if someone else did. */
  private async claim(h: Held, now: Date): Promise<Outbox | undefined> {
    const timeout = this.c.policy.upstream(h.outbox.forwarded.upstream)?.timeoutMs ?? 30_000;
    const claimed = { ...h.outbox, claimedUntil: new Date(now.getTime() + timeout + 5_000).toISOString() };
    try {
      await this.c.store.updateTransaction(
        h.rec.transactionId,
        h.rec.version,
        { data: encodeState(withOutbox(h.state, claimed)) },
        now,
      );
      return claimed;
    } catch (e) {
      if (e instanceof ConcurrentUpdateError) return undefined;
      throw e;
    }
  }

  private async attempt(h: Held): Promise<void> {
    const o = h.outbox;
    const now = this.c.now();
    let next: Outbox;
    try {
      const f = o.polling !== undefined ? { ...o.forwarded, mode: "reprotect" as const } : o.forwarded;
      const credential = eeCredential(this.c.materials, h.ctx.header);
      const { rsp, upstreamNonce } = await this.c.upstreams.sendPrepared(
        f,
        h.ctx,
        fromB64(o.sent!),
        credential,
      );
      next = this.received(o, rsp, upstreamNonce);
    } catch (e) {
      if (!(e instanceof CmpError)) throw e;
      next = this.failed(o, e, now);
    }
    await this.record(h.rec.transactionId, next);
    this.c.log({
      event: next.answer ? "ra-delivered" : next.failure ? "ra-gave-up" : "ra-retry-later",
      transactionId: h.rec.transactionId,
      upstream: o.forwarded.upstream,
      detail: next.failure?.text ?? next.lastError ?? `attempt ${o.attempts + 1}`,
    });
  }

  /** An upstream answer: kept for the EE, or, when the upstream says "waiting" too, polled for later. */
  private received(o: Outbox, rsp: DecodedMessage, upstreamNonce?: string): Outbox {
    const f = { ...o.forwarded, upstreamNonce, pvno: rsp.message.header.pvno };
    const now = this.c.now().getTime();
    const b = rsp.message.body;
    const rep = b.ip ?? b.cp ?? b.kup;
    const waitingRep = rep?.response[0]?.status.status === PKIStatus.waiting;
    const waitingErr = b.error?.pKIStatusInfo.status === PKIStatus.waiting;
    if (b.pollRep || waitingRep || waitingErr) {
      // RFC 9483 §4.4: the upstream delays too; the RA polls it, re-protected, in the same transaction.
      const certReqId = b.pollRep
        ? Number(b.pollRep[0]!.certReqId)
        : waitingRep
          ? Number(rep!.response[0]!.certReqId)
          : -1;
      const after = b.pollRep ? Number(b.pollRep[0]!.checkAfter) * 1000 : 1000;
      return {
        ...o,
        forwarded: f,
        sent: undefined,
        polling: certReqId,
        attempts: 0,
        claimedUntil: undefined,
        nextAttemptAt: new Date(now + Math.max(1000, after)).toISOString(),
      };
    }
    return { ...o, forwarded: f, sent: undefined, answer: b64(rsp.der), claimedUntil: undefined };
  }

  /** No answer: try again later, or give up once the retry window has passed. */
  private failed(o: Outbox, e: CmpError, now: Date): Outbox {
    const retry = this.c.policy.upstream(o.forwarded.upstream)?.retry;
    const attempts = o.attempts + 1;
    if (e instanceof UpstreamUnreachable && retry && now.getTime() < Date.parse(o.giveUpAt)) {
      const at = new Date(now.getTime() + nextDelay(retry, attempts)).toISOString();
      return { ...o, attempts, nextAttemptAt: at, claimedUntil: undefined, lastError: e.detail };
    }
    const text =
      e instanceof UpstreamUnreachable
        ? `the RA gave up after ${attempts} attempts: ${e.statusString}`
        : e.statusString;
    return { ...o, attempts, claimedUntil: undefined, failure: { failInfo: [...e.failInfo], text } };
  }

  /** Writes the outcome into the current record: the EE's polls change the record meanwhile. */
  private async record(transactionId: string, o: Outbox): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const rec = await this.c.store.getTransaction(transactionId);
      if (!rec) return;
      const s = decodeState(rec.data, rec.state);
      if (s.state !== "waiting-delayed") return;
      try {
        const now = this.c.now();
        await this.c.store.updateTransaction(
          transactionId,
          rec.version,
          { data: encodeState(withOutbox(s, o)) },
          now,
        );
        return;
      } catch (e) {
        if (!(e instanceof ConcurrentUpdateError)) throw e;
      }
    }
    throw new CmpError("systemFailure", `the upstream's answer for ${transactionId} could not be recorded`);
  }
}
