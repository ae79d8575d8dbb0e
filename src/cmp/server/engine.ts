// The CMP server engine (RFC 9483 §3-4): decode -> validate the header -> authenticate the sender ->
// check replay and the transaction -> dispatch to the role's handler -> record the transaction and
// protect the answer. It never throws and answers every request with a PKIMessage.
import type { PKIBodyType } from "../../asn1/cmp.js";
import type { Store, TransactionRecord } from "../../store/store.js";
import { ConcurrentUpdateError, TransactionIdInUseError } from "../../store/store.js";
import { errorBody } from "../build/response.js";
import { CmpError, MessageDecodeError } from "../errors.js";
import { hex } from "../header.js";
import { decodePKIMessage, type DecodedMessage, type DecodeLimits } from "../message.js";
import {
  checkTransition,
  decodeState,
  encodeState,
  type SecretSealer,
  type TxStateName,
} from "../transaction.js";
import {
  bytesEqual,
  checkBody,
  checkFirstMessage,
  checkHeader,
  TOLERANT_RULES,
  type StrictRules,
} from "../validate.js";
import { authenticate } from "./authenticate.js";
import { delayedPollHandler, isDelayedPoll } from "./delayed.js";
import { dispatchGenm, unprotectedGenmHandler } from "./genm.js";
import { isCertRequest, rejectionBody } from "./failure.js";
import { answerCredential, answerHeader, protectAnswer } from "./respond.js";
import { checkReplay, recordNonce, type ReplayGuard } from "./replay.js";
import type {
  Answer,
  CredentialResolver,
  Handler,
  HandlerContext,
  Handlers,
  Requester,
  ServerIdentity,
  Transaction,
} from "./types.js";

/** Which body types each RFC 9483 §6.1 operation path accepts; continuation messages fit every path. */
const OPERATION_BODIES: Readonly<Record<string, readonly PKIBodyType[]>> = {
  initialization: ["ir"],
  certification: ["cr"],
  keyupdate: ["kur"],
  pkcs10: ["p10cr"],
  revocation: ["rr"],
  getcacerts: ["genm"],
  getrootupdate: ["genm"],
  getcertreqtemplate: ["genm"],
  getcrls: ["genm"],
  nested: ["nested"],
};
const CONTINUATION: readonly PKIBodyType[] = ["certConf", "pollReq", "error"];

export interface EngineLogEvent {
  event: string;
  transactionId?: string;
  requester?: string;
  detail?: string;
}

export interface CmpServerOptions {
  identity: ServerIdentity;
  credentials: CredentialResolver;
  handlers: Handlers;
  /** Continuation messages and the transaction states they continue. */
  continues?: Partial<Record<"certConf" | "pollReq", TxStateName>>;
  /**
   * Requesters that may continue other requesters' transactions: an RA replacing the protection of an
   * EE's certConf / pollReq (RFC 9483 §5.2.3), e.g. after the RA delayed delivery itself (§5.1.2).
   */
  continuesFor?: (who: Requester) => boolean;
  store: Pick<Store, "getTransaction" | "recordNonce" | "nonceSeen" | "withTransaction">;
  sealer: SecretSealer;
  now: () => Date;
  /** Accepted messageTime skew (RFC 9483 §3.1); senderNonces are remembered twice as long plus a day. */
  maxClockSkewMs: number;
  /** Receiver rules stricter than the tolerant defaults (docs/conformance.md). */
  strict?: Partial<StrictRules>;
  log?: (e: EngineLogEvent) => void;
  /** Decode limits of a message on the "nested" path, which carries a batch (RFC 9483 §5.2.2.2). */
  nestedLimits?: Partial<DecodeLimits>;
}

export interface RequestInfo {
  profile?: string;
  operation?: string;
  signal?: AbortSignal;
  /**
   * The RA whose nested message carried this one (RFC 9483 §5.2.2; the RFC 4514 subject of its
   * certificate), and how deep it was nested.
   */
  forwardedBy?: string;
  nestingLevel?: number;
}

export class CmpServer {
  private readonly log: (e: EngineLogEvent) => void;
  private readonly strict: StrictRules;
  constructor(private readonly o: CmpServerOptions) {
    this.log = o.log ?? (() => undefined);
    this.strict = { ...TOLERANT_RULES, ...o.strict };
  }

  /** Handles one DER request; always returns a DER PKIMessage (an error message when it must). */
  async handle(der: Uint8Array, info: RequestInfo = {}): Promise<Uint8Array> {
    let d: DecodedMessage | undefined;
    let who: Requester | undefined;
    let replay: ReplayGuard | undefined;
    try {
      d = decodePKIMessage(der, info.operation === "nested" ? this.o.nestedLimits : undefined);
      const now = this.o.now();
      const unprotected = unprotectedGenmHandler(d, this.o.handlers) !== undefined;
      if (!unprotected) checkOperation(d.bodyType, info.operation);
      const h = d.message.header;
      checkHeader(h, {
        role: "server",
        now,
        maxClockSkewMs: this.o.maxClockSkewMs,
        ownNames: this.o.identity.names,
        minNonceBytes: this.strict.minNonceBytes,
      });
      const tx = await this.loadTransaction(d, now);
      who = await authenticate(d, this.o.credentials, {
        now,
        unprotectedCertificate: unprotected,
        kemSecret: tx?.kemSecret,
        requireSenderKID: this.strict.requireSenderKID,
      });
      replay = await checkReplay(this.o.store, d, now, this.o.maxClockSkewMs);
      this.checkTransaction(d, who, tx);
      checkBody(d);
      const ctx: HandlerContext = {
        request: d,
        header: h,
        bodyType: d.bodyType,
        requester: who,
        path: { profile: info.profile, operation: info.operation },
        now,
        signal: info.signal,
        forwardedBy: info.forwardedBy,
        nestingLevel: info.nestingLevel ?? 0,
        // An error message never touches another requester's transaction (its nonce or state).
        transaction: d.bodyType === "error" && tx?.requester !== who.id ? undefined : tx,
      };
      return await this.answerAndRespond(ctx, replay);
    } catch (e) {
      // An authenticated message that failed is remembered too: replaying it later is refused.
      if (replay && !replay.recorded) await recordNonce(replay, this.o.store).catch(() => undefined);
      return this.errorAnswer(d, who, e);
    }
  }

  /** The open (not expired) transaction the message's transactionID names, if any. */
  private async loadTransaction(d: DecodedMessage, now: Date): Promise<Transaction | undefined> {
    const id = hex(d.message.header.transactionID);
    const rec = await this.o.store.getTransaction(id);
    if (!rec || rec.expiresAt <= now) return undefined;
    return this.fromRecord(rec);
  }

  private fromRecord(rec: TransactionRecord): Transaction {
    return {
      id: rec.transactionId,
      requester: rec.requester,
      kind: rec.kind,
      state: decodeState(rec.data, rec.state),
      lastSenderNonce: rec.lastSenderNonce ?? undefined,
      kemSecret: rec.kemSecret ? this.o.sealer.open(rec.transactionId, rec.kemSecret) : undefined,
      expiresAt: rec.expiresAt,
      version: rec.version,
    };
  }

  /** A continuation belongs to an open transaction of the same requester; a new request needs a free ID. */
  private checkTransaction(d: DecodedMessage, who: Requester, tx: Transaction | undefined): void {
    const h = d.message.header;
    const expected = isDelayedPoll(d, tx)
      ? "waiting-delayed"
      : this.o.continues?.[d.bodyType as "certConf" | "pollReq"];
    if (expected) {
      if (!tx)
        throw new CmpError("badRequest", `no open transaction ${hex(h.transactionID)} (unknown or expired)`);
      if (tx.requester !== who.id && !this.o.continuesFor?.(who))
        throw new CmpError("notAuthorized", "the transaction belongs to another requester");
      if (tx.state.state !== expected) {
        throw new CmpError(
          tx.state.state !== "waiting-approval" && d.bodyType === "certConf" ? "certConfirmed" : "badRequest",
          `transaction is in state "${tx.state.state}", a ${d.bodyType} does not fit`,
        );
      }
      // RFC 9483 §3.1: recipNonce repeats the senderNonce of our last message in this transaction.
      if (!bytesEqual(h.recipNonce && new Uint8Array(h.recipNonce), tx.lastSenderNonce)) {
        throw new CmpError(
          "badRecipientNonce",
          "recipNonce does not match the senderNonce of the last answer",
        );
      }
      return;
    }
    if (d.bodyType === "error") return;
    if (!tx) return checkFirstMessage(h);
    // A transaction opened by a KEM exchange (RFC 9810 §5.1.3.4) goes on with the real request.
    const kemContinues =
      tx.state.state === "kem-protection" && tx.requester === who.id && who.kind === "cert";
    if (!kemContinues || !who.kemSecret) {
      throw new CmpError(
        "transactionIdInUse",
        "transactionID is already in use; start a new transaction with a fresh one",
      );
    }
  }

  private handlerFor(t: PKIBodyType): Handler | undefined {
    const hs = this.o.handlers;
    if (isCertRequest(t)) return hs.certRequest;
    if (t === "genm") return hs.genmMessage ?? (hs.genm ? (ctx) => dispatchGenm(ctx, hs.genm!) : undefined);
    if (t === "certConf" || t === "pollReq" || t === "rr" || t === "error" || t === "nested") return hs[t];
    return undefined;
  }

  /**
   * The answer, recorded. A pollReq for a delayed answer reads the transaction only, so when the role
   * changed the record meanwhile (an RA's retrier storing the upstream's answer) it is answered again
   * from the record as it is now, instead of failing the EE's poll.
   */
  private async answerAndRespond(ctx: HandlerContext, replay: ReplayGuard): Promise<Uint8Array> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.respond(ctx, await this.answer(ctx), replay);
      } catch (e) {
        if (
          !(e instanceof ConcurrentUpdateError) ||
          attempt >= 3 ||
          !isDelayedPoll(ctx.request, ctx.transaction)
        )
          throw e;
        const fresh = await this.loadTransaction(ctx.request, ctx.now);
        if (!fresh || !isDelayedPoll(ctx.request, fresh)) throw e;
        ctx = { ...ctx, transaction: fresh };
      }
    }
  }

  /** The handler's answer; its request-specific failures become the rejection RFC 9483 §3.6.4 names. */
  private async answer(ctx: HandlerContext): Promise<Answer> {
    const handler = isDelayedPoll(ctx.request, ctx.transaction)
      ? delayedPollHandler(this.o.handlers)
      : this.handlerFor(ctx.bodyType);
    if (!handler) throw new CmpError("badRequest", `this server does not accept ${ctx.bodyType} messages`);
    try {
      return await handler(ctx);
    } catch (e) {
      if (!(e instanceof CmpError)) throw e;
      const body = rejectionBody(ctx.request, e);
      if (!body) throw e;
      this.log({
        event: isCertRequest(ctx.bodyType) ? "enrollment-rejected" : "request-rejected",
        transactionId: hex(ctx.header.transactionID),
        requester: ctx.requester.id,
        detail: `${e.failInfo.join(",")}: ${e.statusString}`,
      });
      const state = isCertRequest(ctx.bodyType) ? "rejected" : "done";
      return { body, next: { state: { state }, expiresAt: this.defaultExpiry(ctx) } };
    }
  }

  private defaultExpiry(ctx: HandlerContext): Date {
    return new Date(ctx.now.getTime() + 2 * this.o.maxClockSkewMs);
  }

  /** One unit of work per answer: the role's writes and the transaction with the answer's senderNonce. */
  private async respond(ctx: HandlerContext, a: Answer, replay: ReplayGuard): Promise<Uint8Array> {
    const header = a.raw ? undefined : answerHeader(this.o.identity, ctx.header, a);
    const nonce = header ? new Uint8Array(header.senderNonce!) : a.raw?.senderNonce;
    const tx = ctx.transaction;
    if (a.writes || a.next || tx) {
      // A client that went away before the answer is ready gets nothing issued or recorded.
      if (ctx.signal?.aborted) throw new CmpError("systemFailure", "the request was aborted");
      // Only the transitions src/cmp/transaction.ts lists: a role cannot reopen a finished transaction.
      if (tx && a.next) checkTransition(tx.state.state, a.next.state.state);
      await this.o.store
        .withTransaction(
          async (s) => {
            // Rolled back with the unit when it fails; a retry or the error answer records it again.
            await recordNonce(replay, s);
            await a.writes?.(s);
            const id = hex(ctx.header.transactionID);
            const state = a.next ? encodeState(a.next.state) : undefined;
            const kemSecret = a.next?.kemSecret ? this.o.sealer.seal(id, a.next.kemSecret) : undefined;
            if (tx) {
              await s.updateTransaction(
                tx.id,
                tx.version,
                a.next
                  ? {
                      state: a.next.state.state,
                      data: state!,
                      lastSenderNonce: nonce ?? null,
                      expiresAt: a.next.expiresAt,
                      ...(kemSecret ? { kemSecret } : {}),
                    }
                  : { lastSenderNonce: nonce ?? null },
                ctx.now,
              );
            } else if (a.next) {
              await s.createTransaction(
                {
                  transactionId: id,
                  requester: ctx.requester.id,
                  kind: a.next.kind ?? ctx.bodyType,
                  state: a.next.state.state,
                  data: state!,
                  lastSenderNonce: nonce ?? null,
                  kemSecret: kemSecret ?? null,
                  expiresAt: a.next.expiresAt,
                },
                ctx.now,
              );
            }
          },
          { durable: a.writes !== undefined },
        )
        .catch((e: unknown) => {
          replay.recorded = false;
          throw e;
        });
    } else {
      await recordNonce(replay, this.o.store);
    }
    if (!header) return a.raw!.der;
    const cred = answerCredential(this.o.identity, ctx.request, ctx.requester, a.signed);
    return protectAnswer(header, a.body, cred, a.extraCerts);
  }

  /** RFC 9483 §3.6.4: an error message, protected whenever the server can. */
  private errorAnswer(d: DecodedMessage | undefined, who: Requester | undefined, e: unknown): Uint8Array {
    let err: CmpError;
    if (e instanceof CmpError) err = e;
    else if (e instanceof TransactionIdInUseError) {
      err = new CmpError("transactionIdInUse", "transactionID is already in use");
    } else {
      this.log({ event: "internal-error", detail: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      err = new CmpError("systemFailure", "the request could not be processed; try again later");
    }
    if (!(e instanceof MessageDecodeError) && e instanceof CmpError) {
      this.log({
        event: "request-failed",
        transactionId: d ? hex(d.message.header.transactionID) : undefined,
        requester: who?.id,
        detail: `${err.failInfo.join(",")}: ${err.statusString}`,
      });
    }
    const header = answerHeader(this.o.identity, d?.message.header, {});
    return protectAnswer(header, errorBody(err), answerCredential(this.o.identity, d, who));
  }
}

function checkOperation(bodyType: PKIBodyType, operation?: string): void {
  if (!operation || CONTINUATION.includes(bodyType)) return;
  const allowed = OPERATION_BODIES[operation];
  if (allowed && !allowed.includes(bodyType)) {
    throw new CmpError("badRequest", `a ${bodyType} message does not belong on the "${operation}" path`);
  }
}

/** Operation paths (RFC 9483 §6.1) a server offers, for discovery. */
export const OPERATIONS: readonly string[] = Object.keys(OPERATION_BODIES);
