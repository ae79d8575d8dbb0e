// Publication of a CA's full CRLs (RFC 5280 §5): built from the store's revoked serials, one per shard,
// with a monotonic crlNumber, stored, and served as the latest; due by interval or after a revocation.
import type { CaMaterials } from "../../config/materials.js";
import { buildCrlStream, CrlSourceChanged, type RevokedEntry } from "../../pki/crl.js";
import { getSubjectKeyIdentifier } from "../../pki/extensions.js";
import { nameToString } from "../../pki/names.js";
import type { CrlInfo, CrlRecord, StoreSession } from "../../store/store.js";
import type { CaLogEvent } from "../context.js";
import type { CaPolicy, CrlPolicy } from "../policy.js";
import { caShortName, crlPath } from "./names.js";
import { shardOf, shardUrl } from "./shard.js";

export const DEFAULT_CRL_POLICY: CrlPolicy = {
  intervalMs: 86_400_000,
  validityMs: 7 * 86_400_000,
  publishOnRevoke: true,
  shards: 1,
  distributionPoints: [],
};

export interface CrlPublisherOptions {
  materials: CaMaterials;
  policy: Pick<CaPolicy, "crl" | "caName" | "crlValidityMs">;
  store: StoreSession;
  log?: (e: CaLogEvent) => void;
}

const PAGE = 10_000;

export class CrlPublisher {
  /** The CA's name as stored with its certificates (RFC 4514). */
  readonly issuer: string;
  /** Short name in download paths. */
  readonly name: string;
  readonly policy: CrlPolicy;
  private readonly cache = new Map<number, CrlRecord>();
  private running: Promise<CrlInfo[]> | undefined;

  constructor(private readonly opts: CrlPublisherOptions) {
    const cert = opts.materials.caCert.cert;
    this.issuer = nameToString(cert.tbsCertificate.subject);
    this.name = caShortName(opts.policy.caName, cert);
    this.policy = opts.policy.crl ?? { ...DEFAULT_CRL_POLICY, validityMs: opts.policy.crlValidityMs };
  }

  get shards(): number {
    return this.policy.shards;
  }

  /** Download path of a shard's CRL below the server's base URL. */
  path(shard: number): string {
    return crlPath(this.name, shard, this.shards);
  }

  /** The distribution point URIs a shard's CRL is published under (its issuingDistributionPoint). */
  distributionPoints(shard: number): string[] {
    return this.policy.distributionPoints.map((t) => shardUrl(t, shard));
  }

  /** Revoked serials of one shard, read page by page (each call starts a new pass). */
  private entries(shard: number): () => AsyncIterable<RevokedEntry> {
    const { store } = this.opts;
    const { issuer, shards } = this;
    return async function* () {
      let after = "";
      for (;;) {
        const page = await store.revokedPage(issuer, after, PAGE);
        for (const r of page) if (shardOf(r.serial, shards) === shard) yield r;
        if (page.length < PAGE) return;
        after = page[page.length - 1]!.serial;
      }
    };
  }

  private async build(shard: number, now: Date): Promise<CrlRecord> {
    const m = this.opts.materials;
    // RFC 5280 §5.1.2.4: thisUpdate in whole seconds, as it is encoded.
    const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + this.policy.validityMs);
    const crlNumber = await this.opts.store.nextCounter(`crl:${this.issuer}`);
    let entries = 0;
    const source = this.entries(shard);
    const counted = async function* () {
      entries = 0;
      for await (const e of source()) {
        entries++;
        yield e;
      }
    };
    const der = await buildCrlStream({
      issuer: m.caCert.cert.tbsCertificate.subject,
      issuerKey: m.caKey,
      issuerKeyId: getSubjectKeyIdentifier(m.caCert.cert),
      crlNumber,
      thisUpdate,
      nextUpdate,
      revoked: counted,
      distributionPoint: this.shards > 1 ? this.distributionPoints(shard) : undefined,
    });
    return { issuer: this.issuer, shard, crlNumber, thisUpdate, nextUpdate, entries, der, createdAt: now };
  }

  /** Publishes one shard's full CRL; a revocation arriving while it is written makes it start over. */
  async publishShard(shard: number, now: Date): Promise<CrlInfo> {
    for (let attempt = 1; ; attempt++) {
      try {
        const rec = await this.build(shard, now);
        await this.opts.store.saveCrl(rec);
        this.cache.set(shard, rec);
        this.opts.log?.({
          event: "crl-published",
          detail: `${this.path(shard)} crlNumber ${rec.crlNumber} with ${rec.entries} entries`,
        });
        const { der: _der, ...info } = rec;
        return info;
      } catch (e) {
        if (!(e instanceof CrlSourceChanged) || attempt >= 3) throw e;
      }
    }
  }

  /** Publishes every shard now (one publication at a time per publisher). */
  publish(now: Date): Promise<CrlInfo[]> {
    if (this.running) return this.running;
    const run = (async () => {
      const out: CrlInfo[] = [];
      for (let s = 0; s < this.shards; s++) out.push(await this.publishShard(s, now));
      return out;
    })();
    this.running = run.finally(() => (this.running = undefined));
    return this.running;
  }

  /** Why a publication is due at `now`, or undefined when the latest CRLs are current. */
  async due(now: Date): Promise<string | undefined> {
    let oldest: Date | undefined;
    for (let s = 0; s < this.shards; s++) {
      const info = await this.opts.store.latestCrlInfo(this.issuer, s);
      if (!info) return `no CRL of shard ${s} yet`;
      if (!oldest || info.createdAt < oldest) oldest = info.createdAt;
    }
    if (oldest!.getTime() + this.policy.intervalMs <= now.getTime()) return "the interval has passed";
    if (this.policy.publishOnRevoke) {
      // A revocation committed while the last CRL was being read carries an earlier time: look 2 s back.
      const newer = await this.opts.store.findCertificates({
        issuer: this.issuer,
        status: "revoked",
        revokedAfter: new Date(oldest!.getTime() - 2000),
        limit: 1,
      });
      if (newer.length) return "a certificate was revoked";
    }
    return undefined;
  }

  /** Publishes when due; returns what was published. */
  async tick(now: Date): Promise<CrlInfo[] | undefined> {
    const reason = await this.due(now);
    return reason ? this.publish(now) : undefined;
  }

  /** The latest stored CRL of a shard (kept in memory until a newer one is stored). */
  async latest(shard: number): Promise<CrlRecord | undefined> {
    const info = await this.opts.store.latestCrlInfo(this.issuer, shard);
    if (!info) return undefined;
    const cached = this.cache.get(shard);
    if (cached && cached.crlNumber === info.crlNumber) return cached;
    const rec = await this.opts.store.getCrl(this.issuer, shard, info.crlNumber);
    if (rec) this.cache.set(shard, rec);
    return rec;
  }

  /** The latest CRL of a shard, published first when there is none yet. */
  async current(shard: number, now: Date): Promise<CrlRecord> {
    const rec = await this.latest(shard);
    if (rec) return rec;
    await this.publish(now);
    return (await this.latest(shard))!;
  }
}
