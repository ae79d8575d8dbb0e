// Delayed delivery for every body type (RFC 9483 §4.4): a small test role on CmpServer answers each
// request first with error/waiting, then pollRep, then the final answer; the CmpClient polls on the
// test clock with an injected sleep, for genm, rr, ir (with and without implicit confirmation) and certConf.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { GeneralName } from "@peculiar/asn1-x509";
import { InfoTypeAndValue, PKIStatus } from "../../src/asn1/cmp.js";
import * as oids from "../../src/asn1/oids.js";
import {
  certRepBody,
  certResponse,
  genpBody,
  hasImplicitConfirm,
  implicitConfirmItav,
  pkiConfBody,
  rpBody,
} from "../../src/cmp/build/index.js";
import { waitingAnswer } from "../../src/cmp/server/delayed.js";
import { CmpServer } from "../../src/cmp/server/engine.js";
import type { Answer, HandlerContext, Handlers } from "../../src/cmp/server/types.js";
import { statusInfo } from "../../src/cmp/status.js";
import { SecretSealer } from "../../src/cmp/transaction.js";
import { CmpClient, CmpClientError, type CmpClientOptions } from "../../src/client/client.js";
import { generateKeyPair, type PrivateKey } from "../../src/crypto/index.js";
import { createTestCa, pollReq, rrRequest, summarize, type TestCa } from "../helpers/ca.js";

const HOUR = 3_600_000;
type Kind = "genm" | "rr" | "ir" | "certConf";

describe("delayed delivery for every message type (RFC 9483 §4.4)", () => {
  let t: TestCa;
  let server: CmpServer;
  let newKey: PrivateKey;
  let issued: Uint8Array;
  /** pollReqs answered "pending" before the final answer, per delayed body type. */
  const pendingPolls: Record<Kind, number> = { genm: 2, rr: 1, ir: 1, certConf: 1 };
  let delay = new Set<Kind>();
  const polls = new Map<string, number>();
  const seen: string[] = [];
  const sleeps: number[] = [];

  const later = (ctx: HandlerContext) => new Date(ctx.now.getTime() + HOUR);
  const waiting = (ctx: HandlerContext, kind: Kind): Answer =>
    waitingAnswer(ctx, { checkAfter: 3, reason: `${kind} is being processed`, expiresAt: later(ctx) });

  function irAnswer(ctx: HandlerContext): Answer {
    const body = certRepBody("ir", [
      certResponse(0, statusInfo(PKIStatus.accepted), { certificate: { der: issued } }),
    ]);
    if (hasImplicitConfirm(ctx.header)) {
      return {
        body,
        generalInfo: [implicitConfirmItav()],
        next: { state: { state: "confirmed" }, expiresAt: later(ctx) },
      };
    }
    const enrollment = {
      ...{ profile: "test", pvno: 2, bodyType: "ir" as const, certReqId: 0 },
      ...{ implicitConfirm: false, encrCert: false },
    };
    const rec = { der: Buffer.from(issued).toString("base64"), serial: "01", certReqId: 0 };
    return {
      body,
      next: { state: { state: "waiting-certconf", enrollment, issued: rec }, expiresAt: later(ctx) },
    };
  }

  /** The answer the role gives once the delay is over (or at once when not delayed). */
  const final: Record<Kind, (ctx: HandlerContext) => Answer> = {
    genm: () => ({ body: genpBody([new InfoTypeAndValue({ infoType: oids.id_it_caCerts })]) }),
    rr: () => ({ body: rpBody(statusInfo(PKIStatus.accepted)) }),
    certConf: (ctx) => ({
      body: pkiConfBody(),
      next: { state: { state: "confirmed" }, expiresAt: later(ctx) },
    }),
    ir: irAnswer,
  };

  const handler = (kind: Kind) => async (ctx: HandlerContext) => {
    seen.push(kind);
    return delay.has(kind) ? waiting(ctx, kind) : final[kind](ctx);
  };

  const handlers: Handlers = {
    certRequest: handler("ir"),
    certConf: handler("certConf"),
    rr: handler("rr"),
    genm: {
      byType: new Map(),
      default: {
        answer: async (itav, ctx) => {
          seen.push("genm");
          if (!delay.has("genm")) return { itav };
          return { waiting: { checkAfter: 3, reason: "genm is being processed", expiresAt: later(ctx) } };
        },
      },
    },
    // The role's hook: "pending" for the first polls, then the answer to the request that waits.
    delayed: async (ctx) => {
      const kind = (ctx.original.bodyType === "ir" ? "ir" : ctx.original.bodyType) as Kind;
      seen.push(`pollReq(${kind})`);
      const n = (polls.get(ctx.transaction.id + kind) ?? 0) + 1;
      polls.set(ctx.transaction.id + kind, n);
      if (n <= pendingPolls[kind]) return "pending";
      return final[kind]({ ...ctx, header: ctx.original.message.header, bodyType: ctx.original.bodyType });
    },
  };

  const mac = () => ({
    kind: "mac" as const,
    reference: t.secrets.kid,
    secret: new TextEncoder().encode(t.secrets.secret),
    iterations: 1000,
  });
  const client = (extra: Partial<CmpClientOptions> = {}) =>
    new CmpClient({
      send: (der, operation) => server.handle(der, { operation }),
      credential: mac(),
      trusted: [t.root],
      untrusted: [t.issuing],
      now: t.clock.now,
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length > 20) throw new Error("polling does not end");
        t.clock.advance(ms);
      },
      ...extra,
    });
  const reset = (kinds: Kind[]) => {
    delay = new Set(kinds);
    seen.length = 0;
    sleeps.length = 0;
  };

  before(async () => {
    t = await createTestCa();
    newKey = generateKeyPair("ec-p256");
    // The certificate the test role hands out comes from the demo CA, so the client's checks pass.
    const ca = new CmpClient({
      send: (der, operation) => t.ca.handle(der, { operation }),
      credential: mac(),
      trusted: [t.root],
      untrusted: [t.issuing],
      now: t.clock.now,
    });
    issued = (await ca.enroll("ir", { subject: "CN=delayed-ee", newKey })).certificate;
    const m = t.materials;
    const signerName = m.signer.cert.cert.tbsCertificate.subject;
    server = new CmpServer({
      identity: {
        names: [m.caCert.cert.tbsCertificate.subject, signerName],
        sender: new GeneralName({ directoryName: signerName }),
        signer: {
          key: m.signer.key,
          certificate: m.signer.cert.der,
          chain: [m.caCert.der, ...m.chain.map((c) => c.der)],
        },
      },
      credentials: {
        sharedSecret: (kid) =>
          Buffer.from(kid).toString() === t.secrets.kid
            ? { kid: t.secrets.kid, secret: new TextEncoder().encode(t.secrets.secret) }
            : undefined,
        trustSources: () => [],
        isRevoked: async () => false,
        macLimits: { maxIterations: 100_000, minIterations: 1 },
      },
      handlers,
      continues: { certConf: "waiting-certconf" },
      store: t.store,
      sealer: new SecretSealer(randomBytes(32)),
      now: t.clock.now,
      maxClockSkewMs: 600_000,
    });
  });
  after(() => t.close());

  it("genm: error/waiting -> pollReq -1 -> pollRep (checkAfter 3) twice -> genp", async () => {
    reset(["genm"]);
    const progress: (string | undefined)[] = [];
    const itavs = await client({ onProgress: (p) => progress.push(p.reason) }).genm([
      new InfoTypeAndValue({ infoType: oids.id_it_caCerts }),
    ]);
    assert.equal(itavs[0]?.infoType, oids.id_it_caCerts);
    assert.deepEqual(seen, ["genm", "pollReq(genm)", "pollReq(genm)", "pollReq(genm)"]);
    assert.deepEqual(sleeps, [3000, 3000], "no wait before the first pollReq, then checkAfter");
    assert.deepEqual(progress, [undefined, "genm is being processed", "genm is being processed"]);
  });

  it("rr: error/waiting -> pollRep -> rp", async () => {
    reset(["rr"]);
    const r = await client().revoke(issued, 1);
    assert.match(r.status, /accepted/);
    assert.deepEqual(seen, ["rr", "pollReq(rr)", "pollReq(rr)"]);
    assert.deepEqual(sleeps, [3000]);
  });

  it("ir and certConf both delayed: the ip after polling, then the pkiConf after polling", async () => {
    reset(["ir", "certConf"]);
    const r = await client().enroll("ir", { subject: "CN=delayed-ee", newKey });
    assert.deepEqual(Buffer.from(r.certificate), Buffer.from(issued));
    assert.equal(r.implicitlyConfirmed, false);
    assert.deepEqual(seen, [
      ...["ir", "pollReq(ir)", "pollReq(ir)"],
      ...["certConf", "pollReq(certConf)", "pollReq(certConf)"],
    ]);
    // RFC 9483 §4.4: the ir gets an ip whose CertResponse says "waiting" (no checkAfter: 1 s); the
    // certConf an error/waiting, polled with certReqId -1 after checkAfter.
    assert.deepEqual(sleeps, [1000, 3000, 3000]);
  });

  it("ir with implicit confirmation, delayed: the final ip grants it and no certConf follows", async () => {
    reset(["ir"]);
    const r = await client({ implicitConfirm: true }).enroll("ir", { subject: "CN=delayed-ee", newKey });
    assert.equal(r.implicitlyConfirmed, true);
    assert.deepEqual(seen, ["ir", "pollReq(ir)", "pollReq(ir)"]);
  });

  it("the whole exchange is bounded by totalTimeoutMs on the injected clock", async () => {
    reset(["genm"]);
    await assert.rejects(
      client({ totalTimeoutMs: 5000 }).genm([new InfoTypeAndValue({ infoType: oids.id_it_caCerts })]),
      (e) => e instanceof CmpClientError && /gave up waiting after 3 s \(limit 5 s\)/.test(e.message),
    );
    assert.deepEqual(sleeps, [3000]);
  });

  it("the server: a pollReq for a delayed answer must name certReqId -1; with -1 it gets pollRep", async () => {
    reset(["rr"]);
    const first = summarize(await server.handle(rrRequest(t, { cert: issued, reason: 1 }).der, {}));
    assert.equal(first.bodyType, "error");
    assert.equal(first.status, PKIStatus.waiting);
    assert.deepEqual(first.statusString, ["rr is being processed"]);
    const bad = summarize(await server.handle(pollReq(t, first, { certReqId: 0 }).der, {}));
    assert.equal(bad.bodyType, "error");
    assert.deepEqual(bad.failInfo, ["badRequest"]);
    assert.match(bad.statusString.join(), /certReqId -1/);
    // The refused pollReq changed nothing: the next one, still answering the waiting error, gets pollRep.
    const rep = summarize(await server.handle(pollReq(t, first, { certReqId: -1 }).der, {}));
    assert.equal(rep.bodyType, "pollRep");
    const entry = rep.decoded.message.body.pollRep![0]!;
    assert.equal(entry.certReqId, -1);
    assert.equal(entry.checkAfter, 3);
  });
});
