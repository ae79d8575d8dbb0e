// What the RA answers itself (RFC 9483 §5.1): genm caCerts (§4.3.1) from the CA certificates it is
// configured with; rootCaCert, certReqTemplate and crlStatusList (§4.3.2-4.3.4) from the upstream's last
// answer to the RA's own genm, kept for a while (and while the upstream cannot be reached).
import { AsnConvert, AsnSerializer } from "@peculiar/asn1-schema";
import { createHash } from "node:crypto";
import { CMPCertificates, InfoTypeAndValue } from "../asn1/cmp.js";
import * as oids from "../asn1/oids.js";
import { genmBody } from "../cmp/build/request.js";
import { genpBody } from "../cmp/build/response.js";
import { CmpError } from "../cmp/errors.js";
import type { Answer, HandlerContext } from "../cmp/server/types.js";
import type { Forwarded } from "../cmp/transaction.js";
import { LOCAL_GENM } from "./policy.js";
import type { RaMaterials } from "./types.js";
import { UpstreamUnreachable, type Upstreams } from "./upstream.js";

/** Upstream answers kept at most. */
const MAX_ENTRIES = 256;

/** The genm's InfoTypeAndValue when it holds exactly one. */
function singleItav(ctx: HandlerContext): InfoTypeAndValue | undefined {
  const itavs = ctx.request.message.body.genm;
  return itavs?.length === 1 ? itavs[0] : undefined;
}

/** The genm's single infoType when it names exactly one (the key of a `genm:<OID>` route). */
export function singleInfoType(ctx: HandlerContext): string | undefined {
  return singleItav(ctx)?.infoType;
}

function genp(ctx: HandlerContext, itavs: readonly InfoTypeAndValue[]): Answer {
  return { body: genpBody([...itavs]), next: { state: { state: "done" }, expiresAt: ctx.now } };
}

export class LocalAnswers {
  /** Upstream genp contents (DER of each InfoTypeAndValue) by upstream, profile and the asked itav. */
  private readonly cache = new Map<string, { itavs: Uint8Array[]; at: number }>();
  constructor(
    private readonly m: RaMaterials,
    private readonly upstreams: Upstreams,
    private readonly ttlMs: number,
  ) {}

  /** The RA's own genp for `ctx`'s genm; `upstream` and `profile` name where a kept answer comes from. */
  async answer(ctx: HandlerContext, upstream: string, profile: string): Promise<Answer> {
    const itav = singleItav(ctx);
    const operation = itav ? LOCAL_GENM[itav.infoType] : undefined;
    if (ctx.bodyType !== "genm" || !itav || !operation) {
      throw new CmpError(
        "badRequest",
        "this RA answers only caCerts, rootCaCert, certReqTemplate and crlStatusList itself",
      );
    }
    if (itav.infoType === oids.id_it_caCerts) return genp(ctx, [this.caCerts()]);
    const der = new Uint8Array(AsnConvert.serialize(itav));
    const key = `${upstream}\u0000${profile}\u0000${createHash("sha256").update(der).digest("hex")}`;
    const kept = this.cache.get(key);
    const now = ctx.now.getTime();
    if (kept && now - kept.at < this.ttlMs) return genp(ctx, kept.itavs.map(parseItav));
    const f: Forwarded = { mode: "reprotect", upstream, profile, operation };
    let itavs: Uint8Array[];
    try {
      const rsp = await this.upstreams.ask(f, ctx, genmBody([itav]), "genp");
      itavs = [...rsp.message.body.genp!].map((i) => new Uint8Array(AsnConvert.serialize(i)));
    } catch (e) {
      // An upstream that cannot be reached: the answer kept before still serves (its content is signed).
      if (e instanceof UpstreamUnreachable && kept) return genp(ctx, kept.itavs.map(parseItav));
      throw e;
    }
    this.cache.delete(key);
    this.cache.set(key, { itavs, at: now });
    if (this.cache.size > MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return genp(ctx, itavs.map(parseItav));
  }

  /** RFC 9483 §4.3.1: caCerts holds the CA certificates of this PKI (the RA's issuing anchors and above). */
  private caCerts(): InfoTypeAndValue {
    const m = this.m;
    const certs = [...m.issuingAnchors, ...m.signer.chain.filter((c) => !m.issuingAnchors.includes(c))];
    return new InfoTypeAndValue({
      infoType: oids.id_it_caCerts,
      infoValue: AsnSerializer.serialize(new CMPCertificates(certs.map((c) => c.cert))),
    });
  }
}

function parseItav(der: Uint8Array): InfoTypeAndValue {
  return AsnConvert.parse(der, InfoTypeAndValue);
}
