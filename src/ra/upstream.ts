// How the RA's messages reach an upstream (RFC 9483 §5.2): client sessions towards the configured
// upstreams, and the three ways a message goes there — as received (§5.2.1), wrapped in a nested
// message signed by the RA (§5.2.2.1), or under the RA's own header and protection (§5.2.3).
import type { InfoTypeAndValue, PKIBody, PKIBodyType } from "../asn1/cmp.js";
import { createHash } from "node:crypto";
import { nestedBody, pollReqBody } from "../cmp/build/request.js";
import { CmpClientError } from "../cmp/client/errors.js";
import { ClientSession } from "../cmp/client/session.js";
import type { ClientCredential } from "../cmp/client/types.js";
import { CmpError } from "../cmp/errors.js";
import { FailInfoNames, type FailInfo } from "../cmp/failinfo.js";
import { bytesEqual } from "../cmp/validate.js";
import { decodeNested, type DecodedMessage, type DecodeLimits } from "../cmp/message.js";
import { Batcher } from "./batch.js";
import type { HandlerContext } from "../cmp/server/types.js";
import type { Forwarded } from "../cmp/transaction.js";
import { parseName } from "../pki/names.js";
import type { RaPolicy } from "./policy.js";
import type { RaMaterials, UpstreamSend } from "./types.js";

/** What a re-protected message may be answered with (RFC 9483 §4). */
const REPROTECT_ANSWERS = ["ip", "cp", "kup", "pollRep", "pkiconf", "rp", "genp", "error"] as const;

/** The upstream could not be reached (connection refused, timeout, HTTP failure): the RA may hold the message. */
export class UpstreamUnreachable extends CmpError {
  /** The bytes that did not get through, to be sent unchanged next time. */
  sent?: Uint8Array;
  constructor(
    readonly upstream: string,
    readonly detail: string,
  ) {
    super("systemFailure", `upstream ${upstream} is not reachable: ${detail}`);
  }
}

/** A nested answer carries a certificate and chain per request: room for a batch of 100 ip. */
const BATCH_ANSWER_LIMITS = { maxNodes: 200_000, maxExtraCerts: 64 };

export class Upstreams {
  private readonly batcher: Batcher;
  /** The forwarding state and a context of each open batch key (for the RA's session). */
  private readonly batchCtx = new Map<string, { f: Forwarded; ctx: HandlerContext }>();
  /** Exchanges under way by the SHA-256 of the bytes sent. */
  private readonly inflight = new Map<string, Promise<DecodedMessage>>();
  constructor(
    private readonly policy: RaPolicy,
    private readonly m: RaMaterials,
    private readonly send: UpstreamSend,
    private readonly now: () => Date,
  ) {
    this.batcher = new Batcher((key, ders) => this.sendBatch(key, ders));
  }

  /** RFC 9483 §5.2.2.2: the EE's message goes up with others in one nested message; its inner answer. */
  private async batch(f: Forwarded, ctx: HandlerContext): Promise<Sent> {
    const key = `${f.upstream}\u0000${f.profile ?? ""}`;
    // The batch's own exchange belongs to no single EE: it does not end when one EE hangs up.
    if (!this.batchCtx.has(key)) this.batchCtx.set(key, { f, ctx: { ...ctx, signal: undefined } });
    const limits = this.policy.upstream(f.upstream)!.batch;
    return sent(await this.batcher.submit(key, ctx.request, limits));
  }

  private async sendBatch(key: string, ders: Uint8Array[]): Promise<DecodedMessage> {
    const { f, ctx } = this.batchCtx.get(key)!;
    this.batchCtx.delete(key);
    return this.sendOnce(f, ctx, this.prepareBatch(f, ctx, ders));
  }

  /** One nested message signed by the RA around `ders` (RFC 9483 §5.2.2), in a transaction of its own. */
  prepareBatch(f: Forwarded, ctx: HandlerContext, ders: readonly Uint8Array[]): Uint8Array {
    return this.session(f, ctx).prepare(nestedBody(ders));
  }

  /** The RA's credential towards `name`: its MAC credential for that upstream, else its CMP signer. */
  private raCredential(name: string): ClientCredential {
    const mac = this.m.upstreams.get(name)?.mac;
    if (mac) return { kind: "mac", reference: mac.kid, secret: mac.secret };
    const s = this.m.signer;
    return { kind: "signature", key: s.key, certificate: s.cert.der, chain: s.chain.map((c) => c.der) };
  }

  /** A session to the upstream of `f`; `credential` verifies MAC-protected answers (the EE's secret). */
  session(
    f: Forwarded,
    ctx: HandlerContext,
    o: {
      credential?: ClientCredential;
      resume?: { transactionID: Uint8Array; lastNonce?: Uint8Array };
      answerLimits?: Partial<DecodeLimits>;
    } = {},
  ): ClientSession {
    const up = this.policy.upstream(f.upstream);
    const um = this.m.upstreams.get(f.upstream);
    if (!up || !um) throw new CmpError("systemFailure", `the RA has no upstream "${f.upstream}"`);
    const recipient = up.recipient ? parseName(up.recipient) : ctx.header.recipient.directoryName;
    return new ClientSession({
      send: (der, operation) => this.transmit(f, der, operation, ctx.signal),
      credential: o.credential ?? this.raCredential(f.upstream),
      trust: { anchors: um.anchors, untrusted: [...this.m.issuingAnchors], serverCert: um.serverCert },
      recipient,
      pvno: ctx.header.pvno,
      now: this.now,
      maxClockSkewMs: this.policy.transactions.messageTimeSkewMs,
      macLimits: { maxIterations: this.policy.maxMacIterations, minIterations: 1 },
      resume: o.resume,
      answerLimits: o.answerLimits,
      // The EE hears about a bad upstream answer from the RA; the upstream is not told.
      reportErrors: false,
    });
  }

  private async transmit(f: Forwarded, der: Uint8Array, operation: string, signal?: AbortSignal) {
    const profile = this.policy.upstream(f.upstream)?.profile ?? f.profile;
    try {
      return await this.send(f.upstream, der, { operation, profile, signal });
    } catch (e) {
      throw new UpstreamUnreachable(f.upstream, e instanceof Error ? e.message : String(e));
    }
  }

  /**
   * `ctx`'s message upstream by `f.mode` (`body` / `extraInfo`: what a re-protected exchange sends instead
   * of the EE's body); the answer and the upstream's last nonce, which a re-protected next message echoes.
   */
  async deliver(
    f: Forwarded,
    ctx: HandlerContext,
    o: { credential?: ClientCredential; body?: PKIBody; extraInfo?: InfoTypeAndValue } = {},
  ): Promise<Sent> {
    if (f.mode === "batch") return this.batch(f, ctx);
    return this.sendPrepared(f, ctx, this.prepare(f, ctx, o), o.credential);
  }

  /**
   * The message that goes upstream for `ctx` by `f.mode`, built once: a held message is sent again as
   * these very bytes, so an upstream that got it before sees a replay, never a second request.
   * RFC 9483 §5.2.1 the EE's message itself; §5.2.2.1 a nested message around it; §5.2.3 `body` (or a
   * pollReq naming `pollReqId`) under the RA's header in the upstream transaction of the EE's transactionID.
   */
  prepare(
    f: Forwarded,
    ctx: HandlerContext,
    o: { body?: PKIBody; extraInfo?: InfoTypeAndValue; pollReqId?: number } = {},
  ): Uint8Array {
    if (f.mode === "forward") return ctx.request.der;
    if (f.mode === "nest" || f.mode === "batch") return this.prepareBatch(f, ctx, [ctx.request.der]);
    const lastNonce = f.upstreamNonce ? new Uint8Array(Buffer.from(f.upstreamNonce, "hex")) : undefined;
    const s = this.session(f, ctx, {
      resume: { transactionID: new Uint8Array(ctx.header.transactionID!), lastNonce },
    });
    if (o.pollReqId !== undefined) return s.prepare(pollReqBody(o.pollReqId));
    // RFC 9483 §5.2: the EE's generalInfo (implicitConfirm, certProfile) goes along unchanged.
    const gi = [...(ctx.header.generalInfo ?? []), ...(o.extraInfo ? [o.extraInfo] : [])];
    return s.prepare(o.body ?? ctx.request.message.body, { generalInfo: gi.length ? gi : undefined });
  }

  /** The RA's own request in a transaction of its own (a genm it answers EEs from); its checked answer. */
  async ask(f: Forwarded, ctx: HandlerContext, body: PKIBody, expect: PKIBodyType): Promise<DecodedMessage> {
    const s = this.session(f, ctx);
    return upstreamCall(f.upstream, () => s.exchange(body, { operation: f.operation, expect }));
  }

  /** Sends prepared bytes and returns the answer to `ctx`'s message (the inner one of a nested answer). */
  async sendPrepared(f: Forwarded, ctx: HandlerContext, der: Uint8Array, credential?: ClientCredential) {
    const rsp = await this.sendOnce(f, ctx, der, f.mode === "forward" ? credential : undefined);
    if (f.mode !== "nest" && f.mode !== "batch") return sent(rsp);
    if (rsp.bodyType !== "nested") return sent(rsp);
    const h = ctx.header;
    const inner = decodeNested(rsp.message.body).find(
      (m) =>
        bytesEqual(new Uint8Array(m.message.header.transactionID!), new Uint8Array(h.transactionID!)) &&
        bytesEqual(
          m.message.header.recipNonce && new Uint8Array(m.message.header.recipNonce),
          new Uint8Array(h.senderNonce!),
        ),
    );
    if (!inner) throw new CmpError("systemFailure", `upstream ${f.upstream} answered without our message`);
    // The inner answer is passed on as received; the EE checks its protection and nonces.
    return sent(inner);
  }

  /**
   * `der` upstream, its answer checked against it; concurrent sends of the same bytes (members of one
   * held batch) share one exchange. Unreachable: the error carries the bytes for the next attempt.
   */
  private sendOnce(f: Forwarded, ctx: HandlerContext, der: Uint8Array, credential?: ClientCredential) {
    const key = createHash("sha256").update(der).digest("hex");
    let p = this.inflight.get(key);
    if (!p) {
      const wrapped = f.mode === "nest" || f.mode === "batch";
      const s = this.session(f, ctx, { credential, answerLimits: wrapped ? BATCH_ANSWER_LIMITS : undefined });
      const expect = wrapped ? (["nested"] as const) : f.mode === "forward" ? undefined : REPROTECT_ANSWERS;
      p = upstreamCall(f.upstream, () => s.forward(der, wrapped ? "nested" : f.operation, { expect }))
        .catch((e: unknown) => {
          if (e instanceof UpstreamUnreachable) e.sent = der;
          throw e;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }
}

export interface Sent {
  rsp: DecodedMessage;
  /** The answer's senderNonce (hex), which a re-protected next message of the RA echoes. */
  upstreamNonce?: string;
}

function sent(rsp: DecodedMessage): Sent {
  const n = rsp.message.header.senderNonce;
  return { rsp, upstreamNonce: n ? Buffer.from(n).toString("hex") : undefined };
}

/** An upstream answer that fails the RA's checks becomes a CMP error for the EE, with the upstream named. */
async function upstreamCall<T>(upstream: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (!(e instanceof CmpClientError)) throw e;
    // Not reaching the upstream is no answer at all: the RA may hold the message (src/ra/deferred.ts).
    if (e.cause instanceof UpstreamUnreachable) throw e.cause;
    const known = e.failInfo.filter((x): x is FailInfo => (FailInfoNames as readonly string[]).includes(x));
    throw new CmpError(known.length ? known : ["systemFailure"], `upstream ${upstream}: ${e.message}`);
  }
}
