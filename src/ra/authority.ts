// The RA / LRA role (RFC 9483 §5): its handlers plugged into one CmpServer downstream, client sessions
// upstream; the names it answers for are its own and those of its upstreams (forwarded requests name the CA).
import { GeneralName } from "@peculiar/asn1-x509";
import { hkdfSync } from "node:crypto";
import { CmpServer, OPERATIONS, type RequestInfo } from "../cmp/server/engine.js";
import { SecretSealer } from "../cmp/transaction.js";
import { parseName } from "../pki/names.js";
import type { Store } from "../store/store.js";
import { RaCredentials } from "./credentials.js";
import { raHandlers } from "./handlers.js";
import type { RaPolicy } from "./policy.js";
import type { InventoryHook, RaLogEvent, RaMaterials, UpstreamSend } from "./types.js";
import { Upstreams } from "./upstream.js";
import { DeferredDelivery } from "./deferred.js";
import { LocalAnswers } from "./local.js";
import { UpstreamRetrier } from "./retry.js";

export interface RegistrationAuthorityOptions {
  policy: RaPolicy;
  materials: RaMaterials;
  store: Store;
  send: UpstreamSend;
  hook?: InventoryHook;
  now?: () => Date;
  log?: (e: RaLogEvent) => void;
  /** 32-byte key sealing transaction secrets at rest; default: derived from the RA signer's key. */
  sealingKey?: Uint8Array;
}

export class RegistrationAuthority {
  private readonly server: CmpServer;
  private readonly retrier: UpstreamRetrier;
  constructor(private readonly o: RegistrationAuthorityOptions) {
    const m = o.materials;
    const now = o.now ?? (() => new Date());
    const log = o.log ?? (() => undefined);
    const own = m.signer.cert.cert.tbsCertificate.subject;
    const upstreamNames = o.policy.upstreams().flatMap((u) => (u.recipient ? [parseName(u.recipient)] : []));
    const sealingKey =
      o.sealingKey ??
      new Uint8Array(
        hkdfSync("sha256", m.signer.key.pkcs8(), new Uint8Array(0), "lwcmp transaction secrets", 32),
      );
    const upstreams = new Upstreams(o.policy, m, o.send, now);
    const deferred = new DeferredDelivery({ policy: o.policy, log });
    this.retrier = new UpstreamRetrier({
      policy: o.policy,
      materials: m,
      upstreams,
      store: o.store,
      now,
      log,
    });
    this.server = new CmpServer({
      identity: {
        names: [own, ...upstreamNames],
        sender: new GeneralName({ directoryName: own }),
        signer: {
          key: m.signer.key,
          certificate: m.signer.cert.der,
          chain: m.signer.chain.map((c) => c.der),
        },
      },
      credentials: new RaCredentials(m, { maxIterations: o.policy.maxMacIterations, minIterations: 1 }),
      handlers: raHandlers({
        policy: o.policy,
        materials: m,
        upstreams,
        local: new LocalAnswers(m, upstreams, o.policy.transactions.genmCacheMs),
        hook: o.hook,
        log,
        deferred,
      }),
      continues: { certConf: "forwarded", pollReq: "forwarded" },
      store: o.store,
      sealer: new SecretSealer(sealingKey),
      now,
      maxClockSkewMs: o.policy.transactions.messageTimeSkewMs,
      strict: o.policy.strict,
      log,
    });
  }

  /** Handles one DER request from downstream; always returns a DER PKIMessage. */
  handle(der: Uint8Array, info: RequestInfo = {}): Promise<Uint8Array> {
    return this.server.handle(der, info);
  }

  /**
   * One round of delayed delivery (RFC 9483 §5.1.2): held messages that are due go upstream again;
   * returns how many were attempted. `lwcmp ra serve` runs it on a timer; any replica may.
   */
  retryHeld(): Promise<number> {
    return this.retrier.round();
  }

  /** Expired transactions and nonces are dropped. */
  async sweep(now = (this.o.now ?? (() => new Date()))()): Promise<void> {
    await this.o.store.purgeExpired(now);
  }

  /** GET /.well-known/cmp: the profiles and operations this RA offers. */
  discovery(): { profiles: string[]; operations: string[]; ra: string } {
    return {
      ra: this.o.materials.signer.cert.cert.tbsCertificate.subject.toString(),
      profiles: this.o.policy.profileNames(),
      operations: [...OPERATIONS],
    };
  }
}
