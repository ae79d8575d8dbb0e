// A nested message from a configured RA (RFC 9483 §5.2.2, RFC 9810 §5.1.3.4): each inner PKIMessage is
// handled on its own by the CA's engine, and the answers go back in one nested message, in order.
import { AsnParser } from "@peculiar/asn1-schema";
import { ExtendedKeyUsage, id_ce_extKeyUsage } from "@peculiar/asn1-x509";
import type { PKIBodyType } from "../../asn1/cmp.js";
import { id_kp_cmcRA } from "../../asn1/oids.js";
import { nestedBody } from "../../cmp/build/request.js";
import { CmpError } from "../../cmp/errors.js";
import { hex } from "../../cmp/header.js";
import { nestedMessages } from "../../cmp/message.js";
import type { RequestInfo } from "../../cmp/server/engine.js";
import type { Handler, Requester } from "../../cmp/server/types.js";
import type { CaContext } from "../context.js";
import { raSubject } from "./forwarding.js";

/**
 * RFC 9810 §5.1.3.4 lets an RA nest a nested message (RA → RA → CA); one such level is allowed, so a
 * message may be enclosed by at most two nested messages.
 */
export const MAX_NESTING = 2;

/** The operation path (RFC 9483 §6.1) an inner message would have arrived on by itself. */
const OPERATION_OF: Partial<Record<PKIBodyType, string>> = {
  ir: "initialization",
  cr: "certification",
  kur: "keyupdate",
  p10cr: "pkcs10",
  rr: "revocation",
  nested: "nested",
};

/** RFC 6402 §2.10: an RA certificate names id-kp-cmcRA in extendedKeyUsage. */
function hasCmcRa(who: Extract<Requester, { kind: "cert" }>): boolean {
  const ext = who.cert.cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_extKeyUsage);
  if (!ext) return false;
  try {
    return AsnParser.parse(ext.extnValue.buffer, ExtendedKeyUsage).includes(id_kp_cmcRA);
  } catch {
    return false;
  }
}

/** RFC 9483 §5.2.2: only a configured RA's signature makes the CA process what the wrapper carries. */
function checkForwarder(who: Requester): void {
  if (who.kind !== "cert" || who.source !== "ra" || who.kemSecret || !hasCmcRa(who)) {
    throw new CmpError("notAuthorized", "nested messages are accepted only from configured RAs");
  }
}

export function nestedHandler(
  ca: CaContext,
  handle: (der: Uint8Array, info: RequestInfo) => Promise<Uint8Array>,
): Handler {
  return async (ctx) => {
    checkForwarder(ctx.requester);
    const forwardedBy = raSubject(ctx.requester);
    const level = (ctx.nestingLevel ?? 0) + 1;
    if (level > MAX_NESTING) {
      throw new CmpError("badRequest", `messages may be nested at most ${MAX_NESTING} levels deep`);
    }
    const inner = nestedMessages(ctx.request.message.body);
    ca.log({
      event: "nested-received",
      transactionId: hex(ctx.header.transactionID),
      requester: ctx.requester.id,
      detail: `${inner.length} message(s)`,
    });
    // RFC 9483 §5.2.2.2: one answer per inner request, each under the rules it would meet alone.
    const answers: Uint8Array[] = [];
    for (const m of inner) {
      if (ctx.signal?.aborted) throw new CmpError("systemFailure", "the request was aborted");
      answers.push(
        await handle(m.der, {
          profile: ctx.path.profile,
          operation: m.bodyType ? OPERATION_OF[m.bodyType] : undefined,
          signal: ctx.signal,
          forwardedBy,
          nestingLevel: level,
        }),
      );
    }
    return { body: nestedBody(answers), signed: true };
  };
}
