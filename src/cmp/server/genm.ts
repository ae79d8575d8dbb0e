// genm dispatch (RFC 9483 §4.3): each InfoTypeAndValue goes to the handler of its infoType; the genp
// carries the answers in order. A handler may accept an unprotected genm (the KEM bootstrap).
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import type { InfoTypeAndValue } from "../../asn1/cmp.js";
import { CRLStatusListValue } from "../../asn1/itav.js";
import * as oids from "../../asn1/oids.js";
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

/** RFC 9483 §4.3.1 / §4.3.3, RFC 9810 §5.1.3.4: requests whose infoValue MUST be absent. */
const NO_VALUE: ReadonlySet<string> = new Set([
  oids.id_it_caCerts,
  oids.id_it_certReqTemplate,
  oids.id_it_KemCiphertextInfo,
]);
/** RFC 9483 §4.3.2 / §4.3.4: requests whose infoValue, when present, has this syntax. */
const VALUE_SYNTAX: ReadonlyMap<string, new () => object> = new Map<string, new () => object>([
  [oids.id_it_rootCaCert, Certificate],
  [oids.id_it_crlStatusList, CRLStatusListValue],
]);

/** The request syntax of the infoTypes RFC 9483 §4.3 profiles; a broken value is badDataFormat. */
export function checkGenmValue(itav: InfoTypeAndValue): void {
  const name = oids.infoTypeNames[itav.infoType] ?? itav.infoType;
  // A NULL value (decoded as null) is tolerated as "no value".
  if (NO_VALUE.has(itav.infoType) && itav.infoValue) {
    throw new CmpError("badDataFormat", `genm ${name} must come without infoValue`);
  }
  const syntax = VALUE_SYNTAX.get(itav.infoType);
  if (syntax && itav.infoValue) {
    try {
      AsnParser.parse(itav.infoValue, syntax);
    } catch {
      throw new CmpError("badDataFormat", `genm ${name} value is not the ASN.1 its infoType names`);
    }
  }
}

export async function dispatchGenm(ctx: HandlerContext, handlers: GenmHandlers): Promise<Answer> {
  const itavs = ctx.request.message.body.genm!;
  if (itavs.length === 0) throw new CmpError("badRequest", "genm holds no InfoTypeAndValue");
  const out = [];
  let next: TransactionUpdate | undefined;
  let signed = false;
  for (const itav of itavs) checkGenmValue(itav);
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
