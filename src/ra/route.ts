// Which route a downstream request takes (RFC 9483 §5.2: per profile and body type), whether its
// sender may use it, what the inventory hook says, and the mode that applies to this very message.
import type { CertReqMsg } from "../asn1/crmf.js";
import { certProfileOf } from "../cmp/build/general-info.js";
import { CmpError } from "../cmp/errors.js";
import { hex } from "../cmp/header.js";
import type { HandlerContext } from "../cmp/server/types.js";
import { nameToString } from "../pki/names.js";
import type { ForwardMode, RaPolicy, RaRoute } from "./policy.js";
import type { HookDecision, HookRequest, InventoryHook } from "./types.js";

export interface Routed {
  route: RaRoute;
  profile: string;
}

/** The route of `ctx` under its profile (path, then generalInfo certProfile, then the default). */
export function routeFor(policy: RaPolicy, ctx: HandlerContext, infoType?: string): Routed {
  const profile = ctx.path.profile ?? certProfileOf(ctx.header) ?? policy.defaultProfile;
  const route = policy.forRequest(profile, ctx.bodyType, infoType);
  if (!route) throw new CmpError("badRequest", `certificate profile "${profile}" is not offered by this RA`);
  const kind = ctx.requester.kind === "mac" ? "mac" : ctx.requester.source;
  // RFC 9483 §5.2.3: the RA checks that the authenticated sender is authorized for the request.
  if (!route.requesters.includes(kind)) {
    throw new CmpError(
      "notAuthorized",
      `${kind === "mac" ? "shared-secret" : kind} requesters may not send ${ctx.bodyType} for profile "${profile}"`,
    );
  }
  return { route, profile };
}

export function certReqMsgs(ctx: HandlerContext): readonly CertReqMsg[] | undefined {
  const b = ctx.request.message.body;
  return b.ir ?? b.cr ?? b.kur;
}

/** RFC 9483 §4.1.6: a request without a public key asks the KGA for one. */
export function isCentralKeyGeneration(ctx: HandlerContext): boolean {
  const key = certReqMsgs(ctx)?.[0]?.certReq.certTemplate.publicKey;
  return certReqMsgs(ctx) !== undefined && (!key || key.subjectPublicKey.byteLength === 0);
}

/**
 * The mode for this very message, and whether the RA's own KGA generates its key (`raHasKga`).
 * RFC 9483 §4.1.6 / §5.2.3.2: an ir / cr asking for central key generation gets its key at an RA with a
 * KGA; the request changes, so the RA protects it. RFC 9483 §5.2.3: otherwise kur and central key
 * generation requests keep the EE's protection up to the CA, so a re-protecting route forwards them
 * unchanged (the lwcmp CA's own rules then apply to the EE).
 */
export function effectiveMode(
  route: RaRoute,
  ctx: HandlerContext,
  raHasKga = false,
): { mode: ForwardMode; generateKey: boolean } {
  const central = isCentralKeyGeneration(ctx);
  if (route.mode !== "local" && central && raHasKga && (ctx.bodyType === "ir" || ctx.bodyType === "cr")) {
    return { mode: "reprotect", generateKey: true };
  }
  const replaces = route.mode === "reprotect" || route.mode === "raverified";
  if (replaces && (ctx.bodyType === "kur" || central)) return { mode: "forward", generateKey: false };
  // RFC 9483 §5.2.3.2: raVerified exists for CRMF requests; PKCS#10 and the rest are re-protected only.
  if (route.mode === "raverified" && !certReqMsgs(ctx)) return { mode: "reprotect", generateKey: false };
  return { mode: route.mode, generateKey: false };
}

/** What the inventory hook is told about the request. */
export function hookRequest(ctx: HandlerContext, profile: string): HookRequest {
  const who = ctx.requester;
  const t = certReqMsgs(ctx)?.[0]?.certReq.certTemplate;
  const p10 = ctx.request.message.body.p10cr?.certificationRequestInfo;
  const subject = t?.subject ?? p10?.subject;
  return {
    profile,
    bodyType: ctx.bodyType,
    transactionId: hex(ctx.header.transactionID),
    requester:
      who.kind === "mac" ? `mac:${who.secret.kid}` : nameToString(who.cert.cert.tbsCertificate.subject),
    requesterKind: who.kind,
    subject: subject ? nameToString(subject) : undefined,
    message: ctx.request.der,
  };
}

/** Asks the hook when the route wants it; a rejection is notAuthorized with the hook's reason. */
export async function askHook(
  hook: InventoryHook | undefined,
  r: Routed,
  ctx: HandlerContext,
): Promise<HookDecision> {
  if (!r.route.hook || !hook) return { decision: "approve" };
  const d = await hook(hookRequest(ctx, r.profile));
  if (d.decision === "reject") throw new CmpError("notAuthorized", d.reason);
  if (d.decision === "modify" && r.route.mode !== "raverified") {
    throw new CmpError(
      "notAuthorized",
      "the inventory changed the request, which only a raVerified route may forward (RFC 9483 §5.2.3.2)",
    );
  }
  return d;
}
