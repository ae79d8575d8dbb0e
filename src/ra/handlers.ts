// The RA's handlers for the CMP server engine (RFC 9483 §5.2): every request goes upstream by its
// route's mode — as received, nested, or re-protected (raVerified where asked) — and every answer comes
// back to the EE; continuation messages (certConf, pollReq, error) follow the way their request took.
import { InfoTypeAndValue, PKIBody } from "../asn1/cmp.js";
import { CertReqMessages, CertReqMsg, ProofOfPossession } from "../asn1/crmf.js";
import * as oids from "../asn1/oids.js";
import { certRequestBody } from "../cmp/build/request.js";
import { pkiConfBody } from "../cmp/build/response.js";
import { CmpError } from "../cmp/errors.js";
import { hex } from "../cmp/header.js";
import { encodeNestedContent, type DecodedMessage } from "../cmp/message.js";
import { popKind, templatePublicKey, verifySignaturePop } from "../cmp/pop.js";
import { protectionKind } from "../cmp/protection.js";
import type { Answer, Handler, HandlerContext, Handlers } from "../cmp/server/types.js";
import type { Forwarded } from "../cmp/transaction.js";
import { reprotectedAnswer, stateAfter, update } from "./answer.js";
import { eeCredential } from "./credentials.js";
import type { ForwardMode, RaPolicy } from "./policy.js";
import { askHook, certReqMsgs, effectiveMode, hookRequest, routeFor } from "./route.js";
import { centralKeyRequest, hasKga } from "./kga.js";
import { singleInfoType, type LocalAnswers } from "./local.js";
import type { InventoryHook, RaLogEvent, RaMaterials } from "./types.js";
import type { DeferredDelivery } from "./deferred.js";
import { UpstreamUnreachable, type Upstreams } from "./upstream.js";

/** RFC 9483 §6.1 operation paths by request body type. */
const OPERATION: Readonly<Record<string, string>> = {
  ir: "initialization",
  cr: "certification",
  kur: "keyupdate",
  p10cr: "pkcs10",
  rr: "revocation",
  genm: "getcacerts",
};

export interface RaHandlerContext {
  policy: RaPolicy;
  materials: RaMaterials;
  upstreams: Upstreams;
  hook?: InventoryHook;
  log: (e: RaLogEvent) => void;
  /** The genm answers the RA gives itself (RFC 9483 §5.1). */
  local: LocalAnswers;
  /** Holds what cannot go upstream now (delayed delivery); absent: the EE gets systemFailure at once. */
  deferred?: DeferredDelivery;
}

/** Passes `ctx`'s message upstream by `f.mode` and turns the upstream's answer into the EE's answer. */
async function passOn(
  c: RaHandlerContext,
  ctx: HandlerContext,
  f: Forwarded,
  body?: PKIBody,
  extraInfo?: InfoTypeAndValue,
): Promise<Answer> {
  let sent: { rsp: DecodedMessage; upstreamNonce?: string };
  try {
    sent = await c.upstreams.deliver(f, ctx, {
      credential: eeCredential(c.materials, ctx.header),
      body,
      extraInfo,
    });
  } catch (e) {
    // RFC 9483 §5.1.2 / §4.4: the RA holds what it cannot deliver now and answers "waiting".
    if (e instanceof UpstreamUnreachable && c.deferred?.holds(f))
      return c.deferred.hold(ctx, f, e, body, extraInfo);
    throw e;
  }
  const { rsp } = sent;
  if (f.mode === "forward" || f.mode === "nest" || f.mode === "batch") {
    const senderNonce = rsp.message.header.senderNonce;
    return {
      body: rsp.message.body,
      raw: { der: rsp.der, senderNonce: senderNonce ? new Uint8Array(senderNonce) : undefined },
      next: update(c.policy, ctx, stateAfter(rsp, f)),
    };
  }
  return reprotectedAnswer(c.policy, ctx, rsp, {
    ...f,
    upstreamNonce: sent.upstreamNonce,
    pvno: rsp.message.header.pvno,
  });
}

/**
 * RFC 9483 §5.2.3.2: the RA checks the EE's POP itself, applies the hook's template, and marks the
 * request raVerified; the EE's original message goes along in origPKIMessage (RFC 9810 §5.1.1.3) when
 * its MAC cannot be checked by the CA or its template was changed.
 */
function raVerifiedBody(ctx: HandlerContext, template: CertReqMsg["certReq"]["certTemplate"] | undefined) {
  const msgs = certReqMsgs(ctx)!;
  const out = msgs.map((m) => {
    if (popKind(m) !== "signature") {
      throw new CmpError("badPOP", "the RA verifies only signature proof-of-possession (RFC 9483 §5.2.3.2)");
    }
    const key = templatePublicKey(m);
    if (!key) throw new CmpError("badCertTemplate", "the request names no public key");
    verifySignaturePop(m, key);
    const certReq = m.certReq;
    if (template) certReq.certTemplate = template;
    return new CertReqMsg({ certReq, popo: new ProofOfPossession({ raVerified: null }) });
  });
  const type = ctx.bodyType as "ir" | "cr";
  const body = certRequestBody(type, new CertReqMessages(out));
  const macProtected = protectionKind(ctx.header) !== "signature";
  const orig =
    macProtected || template
      ? new InfoTypeAndValue({
          infoType: oids.id_it_origPKIMessage,
          infoValue: encodeNestedContent([ctx.request.der]),
        })
      : undefined;
  return { body, orig };
}

function forwarded(mode: ForwardMode, upstream: string, profile: string, ctx: HandlerContext): Forwarded {
  if (mode === "local") throw new CmpError("badRequest", `the RA does not answer ${ctx.bodyType} itself`);
  return { mode, upstream, profile, operation: ctx.path.operation ?? OPERATION[ctx.bodyType] ?? "nested" };
}

/** ir, cr, kur, p10cr, rr and genm: a new transaction that goes upstream. */
function request(c: RaHandlerContext): Handler {
  return async (ctx) => {
    const r = routeFor(c.policy, ctx, singleInfoType(ctx));
    const decision = await askHook(c.hook, r, ctx);
    const { mode, generateKey: kga } = effectiveMode(r.route, ctx, hasKga(c.materials, c.policy));
    if (mode === "local") return c.local.answer(ctx, r.route.upstream, r.profile);
    let f = forwarded(mode, r.route.upstream, r.profile, ctx);
    c.log({
      event: "ra-forward",
      transactionId: hex(ctx.header.transactionID),
      requester: ctx.requester.id,
      upstream: f.upstream,
      detail: `${ctx.bodyType} ${kga ? "with a key generated by the RA's KGA, reprotect" : mode}`,
    });
    let body: PKIBody | undefined;
    let orig: InfoTypeAndValue | undefined;
    if (kga) {
      const k = centralKeyRequest(c.materials, c.policy, ctx);
      ({ body, orig } = k);
      f = { ...f, centralKey: k.centralKey };
    } else if (mode === "raverified") {
      ({ body, orig } = raVerifiedBody(ctx, decision.decision === "modify" ? decision.template : undefined));
    }
    if (r.route.approval) {
      if (!c.deferred) throw new CmpError("systemFailure", "this RA cannot hold requests for approval");
      const h = hookRequest(ctx, r.profile);
      const summary = `${ctx.bodyType} for "${h.subject ?? "(no subject)"}" by ${h.requester}`;
      return c.deferred.holdForApproval(ctx, f, summary, body, orig);
    }
    return passOn(c, ctx, f, body, orig);
  };
}

/** certConf, pollReq and error in a transaction the RA passed upstream: the same way again. */
function continuation(c: RaHandlerContext): Handler {
  return async (ctx) => {
    const s = ctx.transaction?.state;
    if (s?.state !== "forwarded") {
      if (ctx.bodyType === "error")
        return {
          body: pkiConfBody(),
          next: ctx.transaction ? update(c.policy, ctx, { state: "done" }) : undefined,
        };
      throw new CmpError("badRequest", `no forwarded transaction for this ${ctx.bodyType}`);
    }
    const f = s.forwarded;
    // An raVerified request's continuation is re-protected like the request was.
    return passOn(c, ctx, f.mode === "raverified" ? { ...f, mode: "reprotect" } : f);
  };
}

export function raHandlers(c: RaHandlerContext): Handlers {
  const req = request(c);
  const cont = continuation(c);
  return {
    certRequest: req,
    rr: req,
    genmMessage: req,
    certConf: cont,
    pollReq: cont,
    error: cont,
    delayed: c.deferred?.handler(),
  };
}
