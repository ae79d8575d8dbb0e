// The CA role: CA handlers (enrollment, confirmation, polling, revocation, genm, KEM bootstrap, KGA, nested)
// plugged into the CMP server engine, plus the housekeeping any replica may run.
import { GeneralName } from "@peculiar/asn1-x509";
import { hkdfSync } from "node:crypto";
import { CmpServer, OPERATIONS, type RequestInfo } from "../cmp/server/engine.js";
import { SecretSealer } from "../cmp/transaction.js";
import type { CaMaterials } from "../config/materials.js";
import { caPolicyFromConfig } from "../config/policy.js";
import type { ConfigDocument } from "../config/schema.js";
import { nameToString } from "../pki/names.js";
import type { Store } from "../store/store.js";
import type { CaContext, CaLogEvent } from "./context.js";
import { CaCredentials } from "./credentials.js";
import { certConfHandler } from "./handlers/confirm.js";
import { enrollHandler } from "./handlers/enroll.js";
import { eeErrorHandler } from "./handlers/error.js";
import { genmHandlers } from "./handlers/genm.js";
import { nestedHandler } from "./handlers/nested.js";
import { pollReqHandler } from "./handlers/poll.js";
import { revokeHandler } from "./handlers/revoke.js";
import { Issuer } from "./issuer.js";
import type { CaPolicy } from "./policy.js";
import { NESTED_NODES_DEFAULT } from "../config/schema.js";

export type { CaLogEvent } from "./context.js";

export interface CertificateAuthorityOptions {
  /** The configuration file's content; or give `policy` directly. */
  config?: ConfigDocument;
  policy?: CaPolicy;
  materials: CaMaterials;
  store: Store;
  now?: () => Date;
  log?: (e: CaLogEvent) => void;
  /** 32-byte key sealing transaction secrets at rest; default: derived from the CMP signer's key. */
  sealingKey?: Uint8Array;
}

function derivedSealingKey(m: CaMaterials): Uint8Array {
  const ikm = m.signer.key.pkcs8();
  return new Uint8Array(hkdfSync("sha256", ikm, new Uint8Array(0), "lwcmp transaction secrets", 32));
}

export class CertificateAuthority {
  private readonly ctx: CaContext;
  private readonly server: CmpServer;
  private readonly now: () => Date;

  constructor(opts: CertificateAuthorityOptions) {
    const policy = opts.policy ?? (opts.config ? caPolicyFromConfig(opts.config) : undefined);
    if (!policy) throw new Error("a CertificateAuthority needs a config or a policy");
    const m = opts.materials;
    this.now = opts.now ?? (() => new Date());
    this.ctx = {
      materials: m,
      policy,
      store: opts.store,
      issuer: new Issuer({ cert: m.caCert, key: m.caKey }),
      log: opts.log ?? (() => undefined),
    };
    const signerIsCa = Buffer.from(m.signer.cert.der).equals(Buffer.from(m.caCert.der));
    this.server = new CmpServer({
      identity: {
        names: [m.caCert, m.signer.cert, ...m.chain].map((c) => c.cert.tbsCertificate.subject),
        sender: new GeneralName({ directoryName: m.signer.cert.cert.tbsCertificate.subject }),
        signer: {
          key: m.signer.key,
          certificate: m.signer.cert.der,
          chain: signerIsCa ? m.chain.map((c) => c.der) : [m.caCert.der, ...m.chain.map((c) => c.der)],
        },
      },
      credentials: new CaCredentials(m, opts.store, {
        maxIterations: policy.maxMacIterations,
        minIterations: 1,
      }),
      handlers: {
        certRequest: enrollHandler(this.ctx),
        certConf: certConfHandler(this.ctx),
        pollReq: pollReqHandler(this.ctx),
        rr: revokeHandler(this.ctx),
        error: eeErrorHandler(this.ctx),
        genm: genmHandlers(this.ctx),
        nested: nestedHandler(this.ctx, (der, info) => this.server.handle(der, info)),
      },
      continues: { certConf: "waiting-certconf", pollReq: "waiting-approval" },
      // RFC 9483 §5.2.3: a configured RA (trust.ras) may re-protect an EE's continuation messages.
      continuesFor: (who) => who.kind === "cert" && who.source === "ra",
      store: opts.store,
      sealer: new SecretSealer(opts.sealingKey ?? derivedSealingKey(m)),
      now: this.now,
      maxClockSkewMs: policy.transactions.messageTimeSkewMs,
      strict: policy.strict,
      log: this.ctx.log,
      nestedLimits: { maxNodes: opts.config?.server.limits.maxNestedAsn1Nodes ?? NESTED_NODES_DEFAULT },
    });
  }

  /** Handles one DER request; always returns a DER PKIMessage (an error message when it must). */
  handle(der: Uint8Array, info: RequestInfo = {}): Promise<Uint8Array> {
    return this.server.handle(der, info);
  }

  /**
   * Housekeeping any replica may run: certificates whose certConf did not come within
   * confirmWaitTime are revoked (RFC 9483 §4.1.1), expired transactions and nonces are dropped.
   */
  async sweep(now = this.now()): Promise<{ revoked: number }> {
    const { store, issuer, policy, log } = this.ctx;
    const deadline = now.getTime() - policy.transactions.confirmWaitTimeMs;
    let revoked = 0;
    for (const c of await store.findCertificates({ status: "unconfirmed", limit: 500 })) {
      if (c.issuer !== issuer.issuerName || c.createdAt.getTime() > deadline) continue;
      if (await store.setCertificateStatus(c.issuer, c.serial, "revoked", { time: now, reason: 5 })) {
        revoked++;
        log({
          event: "certificate-unconfirmed-revoked",
          transactionId: c.transactionId,
          requester: c.requester,
          detail: c.serial,
        });
      }
    }
    await store.purgeExpired(now);
    return { revoked };
  }

  /** GET /.well-known/cmp: the profiles and operations this CA offers. */
  discovery(): { profiles: string[]; operations: string[]; ca: string } {
    return {
      ca: nameToString(this.ctx.materials.caCert.cert.tbsCertificate.subject),
      profiles: this.ctx.policy.profileNames(),
      operations: [...OPERATIONS],
    };
  }
}
