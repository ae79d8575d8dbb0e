// What the RA answers itself (RFC 9483 §5.1): a genm for caCerts (§4.3.1) from the CA certificates the
// RA is configured with, without asking the upstream.
import { AsnSerializer } from "@peculiar/asn1-schema";
import { CMPCertificates, InfoTypeAndValue } from "../asn1/cmp.js";
import * as oids from "../asn1/oids.js";
import { genpBody } from "../cmp/build/response.js";
import { CmpError } from "../cmp/errors.js";
import type { Answer, HandlerContext } from "../cmp/server/types.js";
import type { RaMaterials } from "./types.js";

/** The genm's single infoType when it names exactly one (the key of a `genm:<OID>` route). */
export function singleInfoType(ctx: HandlerContext): string | undefined {
  const itavs = ctx.request.message.body.genm;
  return itavs?.length === 1 ? itavs[0]!.infoType : undefined;
}

/** RFC 9483 §4.3.1: caCerts holds the CA certificates of this PKI (the RA's issuing anchors and above). */
export function localGenp(ctx: HandlerContext, m: RaMaterials): Answer {
  const itav = ctx.request.message.body.genm?.[0];
  if (ctx.bodyType !== "genm" || itav?.infoType !== oids.id_it_caCerts) {
    throw new CmpError("badRequest", "this RA answers only caCerts itself");
  }
  const certs = [...m.issuingAnchors, ...m.signer.chain.filter((c) => !m.issuingAnchors.includes(c))];
  const value = new CMPCertificates(certs.map((c) => c.cert));
  const answer = new InfoTypeAndValue({
    infoType: oids.id_it_caCerts,
    infoValue: AsnSerializer.serialize(value),
  });
  return { body: genpBody([answer]), next: { state: { state: "done" }, expiresAt: ctx.now } };
}
