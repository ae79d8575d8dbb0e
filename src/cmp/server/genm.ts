// genm dispatch (RFC 9483 §4.3): each InfoTypeAndValue goes to the handler of its infoType; the genp
// carries the answers in order. A handler may accept an unprotected genm (the KEM bootstrap).
import { genpBody } from "../build/response.js";
import { CmpError } from "../errors.js";
import type { DecodedMessage } from "../message.js";
import { protectionKind } from "../protection.js";
import { waitingAnswer } from "./delayed.js";
import type { Answer, GenmHandler, HandlerContext, Handlers, TransactionUpdate } from "./types.js";

type GenmHandlers = NonNullable<Handlers["genm"]>;

/** The handler of an unprotected genm with a single InfoTypeAndValue, when that handler allows it. */
export function unprotectedGenmHandler(d: DecodedMessage, handlers: Handlers): GenmHandler | undefined {
  if (d.bodyType !== "genm" || protectionKind(d.message.header) !== "none") return undefined;
  const itavs = d.message.body.genm!;
  if (itavs.length !== 1) return undefined;
  const h = handlers.genm?.byType.get(itavs[0]!.infoType);
  return h?.unprotected ? h : undefined;
}

export async function dispatchGenm(ctx: HandlerContext, handlers: GenmHandlers): Promise<Answer> {
  const itavs = ctx.request.message.body.genm!;
  if (itavs.length === 0) throw new CmpError("badRequest", "genm holds no InfoTypeAndValue");
  const out = [];
  let next: TransactionUpdate | undefined;
  let signed = false;
  for (const itav of itavs) {
    const h = handlers.byType.get(itav.infoType) ?? handlers.default;
    if (!h) throw new CmpError("badRequest", `genm infoType ${itav.infoType} is not answered here`);
    const a = await h.answer(itav, ctx);
    if ("waiting" in a) return waitingAnswer(ctx, a.waiting);
    out.push(a.itav);
    next = a.next ?? next;
    signed ||= !!a.signed;
  }
  return { body: genpBody(out), next, signed };
}
