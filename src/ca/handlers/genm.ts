// The CA's genm handlers per infoType (RFC 9483 §4.3): caCerts, rootCaCert, certReqTemplate,
// crlStatusList, signKeyPairTypes, the KEM bootstrap, and an empty answer for anything else.
import * as oids from "../../asn1/oids.js";
import type { GenmHandler, HandlerContext, Handlers } from "../../cmp/server/types.js";
import type { CaContext } from "../context.js";
import { answerInfoType } from "../genm.js";
import { requestPolicy } from "./enroll.js";
import { kemBootstrapHandler } from "./kem.js";

function answering(ca: CaContext): GenmHandler {
  return {
    answer: async (itav, ctx: HandlerContext) => ({
      itav: await answerInfoType(itav, {
        materials: ca.materials,
        policy: ca.policy,
        store: ca.store,
        now: ctx.now,
        profile: requestPolicy(ca, ctx).profile.name,
      }),
      // The transactionID stays taken for a while (RFC 9483 §3.1: fresh per transaction).
      next: { state: { state: "done" }, expiresAt: new Date(ctx.now.getTime() + ttl(ca)), kind: "genm" },
    }),
  };
}

function ttl(ca: CaContext): number {
  const t = ca.policy.transactions;
  return Math.max(t.confirmWaitTimeMs, 2 * t.messageTimeSkewMs);
}

export function genmHandlers(ca: CaContext): NonNullable<Handlers["genm"]> {
  const byType = new Map<string, GenmHandler>([
    [oids.id_it_caCerts, answering(ca)],
    [oids.id_it_rootCaCert, answering(ca)],
    [oids.id_it_certReqTemplate, answering(ca)],
    [oids.id_it_crlStatusList, answering(ca)],
    [oids.id_it_signKeyPairTypes, answering(ca)],
    [oids.id_it_KemCiphertextInfo, kemBootstrapHandler(ca)],
  ]);
  return { byType, default: answering(ca) };
}
