// Delayed delivery initiated by the RA (RFC 9483 §5.1.2, §4.4): with the upstream unreachable the EE gets
// "waiting", the RA keeps the request in its store (across a restart), retries with back-off, and the EE's
// pollReq gets the CA's answer; certConf, rr and genm go the same way; nothing is issued twice.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as oids from "../../src/asn1/oids.js";
import { RegistrationAuthority } from "../../src/ra/index.js";
import { openStore } from "../../src/store/open.js";
import type { Store } from "../../src/store/store.js";
import {
  certConfFor,
  createTestCa,
  enrolled,
  genmRequest,
  irRequest,
  p10crRequest,
  pollReq,
  rrRequest,
  serialOf,
  summarize,
  type Answer,
  type TestCa,
} from "../helpers/ca.js";
import { raFromYaml } from "../helpers/ra.js";

const ISSUER = "CN=Demo Issuing CA,O=lwcmp demo";
const RETRY = "      retry: { initialDelay: 10s, maxDelay: 60s, giveUpAfter: 1h }\n";

interface Link {
  up: boolean;
  sent: string[];
}

/** An RA on the SQLite file `db` in front of `t`'s CA, reachable only while `link.up`. */
async function heldRa(
  t: TestCa,
  db: string,
  link: Link,
  mode: string,
  patch = (y: string) => y,
  wrap = (s: Store) => s,
) {
  const yaml = patch(t.files["ra.yaml"]!.replace("mode: reprotect", `mode: ${mode}`)).replace(
    "      trust: [root-ca.crt]\n",
    `      trust: [root-ca.crt]\n${RETRY}`,
  );
  const { policy, materials } = raFromYaml(t, yaml);
  const store: Store = await openStore(`sqlite:${db}`);
  const ra = new RegistrationAuthority({
    policy,
    materials,
    store: wrap(store),
    now: t.clock.now,
    send: (_name, der, { operation, profile }) => {
      if (!link.up) return Promise.reject(new Error("connect ECONNREFUSED"));
      link.sent.push(operation);
      return t.ca.handle(der, { operation, profile });
    },
  });
  return { ra, store };
}

/** A test CA and a scratch folder for one suite. */
function caAndFolder(prefix: string): { t: TestCa; dir: string } {
  const s = {} as { t: TestCa; dir: string };
  before(async () => {
    s.t = await createTestCa();
    s.dir = mkdtempSync(join(tmpdir(), prefix));
  });
  after(async () => {
    await s.t.close();
    rmSync(s.dir, { recursive: true, force: true });
  });
  return s;
}

const waitingText = /the RA holds the request until upstream ca answers/;

for (const mode of ["forward", "reprotect", "raverified", "nest"])
  describe(`delayed delivery by an RA in mode ${mode}`, () => {
    const s = caAndFolder("lwcmp-held-");

    it("holds an ir while the CA is down, keeps it across a restart, and delivers it when the EE polls", async () => {
      const { t, dir } = s;
      const db = join(dir, "ra.db");
      const link: Link = { up: false, sent: [] };
      let { ra, store } = await heldRa(t, db, link, mode);
      const cred = mode === "forward" ? t.mac : t.idevid.cred;
      const reqs = [0, 1, 2].map((i) => irRequest(t, { cred, subject: `CN=held-${mode}-${i}` }));
      const waiting = await Promise.all(reqs.map((r) => ra.handle(r.der).then(summarize)));
      for (const w of waiting) {
        assert.equal(w.bodyType, "ip", w.statusString.join("; "));
        assert.equal(w.statusName, "waiting");
        assert.match(w.statusString.join(" "), waitingText);
      }
      // Still down: a poll gets pollRep; the retrier's attempt fails and backs off.
      let last: Answer[] = await Promise.all(
        waiting.map((w) => ra.handle(pollReq(t, w, { cred }).der).then(summarize)),
      );
      assert.ok(last.every((a) => a.bodyType === "pollRep"));
      assert.equal(await ra.retryHeld(), 0, "nothing is due before the first back-off delay");
      t.clock.advance(10_000);
      assert.equal(await ra.retryHeld(), 3);
      assert.equal(await ra.retryHeld(), 0, "the second attempt waits twice as long");

      // The RA restarts; the CA comes back; the held requests go up once each.
      await store.close();
      ({ ra, store } = await heldRa(t, db, link, mode));
      link.up = true;
      t.clock.advance(20_000);
      assert.equal(await ra.retryHeld(), 3);
      assert.equal(link.sent.length, 3);

      last = await Promise.all(last.map((p) => ra.handle(pollReq(t, p, { cred }).der).then(summarize)));
      for (const a of last) {
        assert.equal(a.bodyType, "ip");
        assert.ok(a.certificate, a.statusString.join("; "));
        const conf = summarize(await ra.handle(certConfFor(t, a, { cred }).der));
        assert.equal(conf.bodyType, "pkiconf", conf.statusString.join("; "));
        const rec = await t.store.getCertificate(ISSUER, serialOf(a.certificate));
        assert.equal(rec?.status, "valid", "the CA has the certificate confirmed");
      }
      const issued = await t.store.findCertificates({ subjectContains: `held-${mode}-` });
      assert.equal(issued.length, 3, "each EE's certificate is issued once");
      assert.equal(await ra.retryHeld(), 0);
      await store.close();
    });
  });

describe("delayed delivery of other messages and its limits", () => {
  const s = caAndFolder("lwcmp-held-");

  it("rr, genm and p10cr wait with error/waiting or cp/waiting and are delivered on pollReq", async () => {
    const { t, dir } = s;
    const link: Link = { up: false, sent: [] };
    const { ra, store } = await heldRa(t, join(dir, "other.db"), link, "reprotect");
    const ee = await enrolled(t, "CN=held-rr");
    const rr = rrRequest(t, { cert: ee.cert, cred: ee.cred });
    const genm = genmRequest(t, [oids.id_it_caCerts], { cred: t.mac });
    const p10 = p10crRequest(t, { cred: t.idevid.cred, subject: "CN=held-p10" });
    const [wr, wg, wp] = await Promise.all([rr, genm, p10].map((r) => ra.handle(r.der).then(summarize)));
    assert.equal(wr!.bodyType, "error");
    assert.equal(wr!.statusName, "waiting");
    assert.equal(wg!.bodyType, "error");
    assert.equal(wp!.bodyType, "cp");
    assert.equal(wp!.statusName, "waiting");
    link.up = true;
    t.clock.advance(10_000);
    assert.equal(await ra.retryHeld(), 3);
    const ar = summarize(await ra.handle(pollReq(t, wr!, { cred: ee.cred, certReqId: -1 }).der));
    assert.equal(ar.bodyType, "rp");
    assert.equal(ar.statusName, "accepted");
    const ag = summarize(await ra.handle(pollReq(t, wg!, { cred: t.mac, certReqId: -1 }).der));
    assert.equal(ag.bodyType, "genp");
    const ap = summarize(await ra.handle(pollReq(t, wp!, { cred: t.idevid.cred, certReqId: -1 }).der));
    assert.equal(ap.bodyType, "cp");
    assert.ok(ap.certificate, ap.statusString.join("; "));
    const rec = await t.store.getCertificate(ISSUER, serialOf(ee.cert));
    assert.equal(rec?.status, "revoked");
    await store.close();
  });

  it("a pollReq that meets the retrier storing the answer gets that answer, not an error", async () => {
    const { t, dir } = s;
    const link: Link = { up: false, sent: [] };
    let armed = false;
    const hooks: { race?: () => Promise<unknown> } = {};
    // The retrier runs between the engine reading the transaction and recording its answer.
    const racing = (s: Store): Store =>
      new Proxy(s, {
        get(target, prop, receiver) {
          if (prop === "getTransaction") {
            return async (id: string) => {
              const rec = await target.getTransaction(id);
              if (armed && hooks.race) {
                armed = false;
                await hooks.race();
              }
              return rec;
            };
          }
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    const { ra, store } = await heldRa(t, join(dir, "race.db"), link, "reprotect", undefined, racing);
    hooks.race = () => ra.retryHeld();
    const req = irRequest(t, { cred: t.mac, subject: "CN=held-race" });
    const w = summarize(await ra.handle(req.der));
    assert.equal(w.statusName, "waiting");
    link.up = true;
    t.clock.advance(10_000);
    armed = true;
    const a = summarize(await ra.handle(pollReq(t, w, { cred: t.mac }).der));
    assert.equal(a.bodyType, "ip", a.statusString.join("; "));
    assert.ok(a.certificate, "the answer the retrier stored meanwhile");
    assert.equal(link.sent.length, 1);
    await store.close();
  });

  it("a pollReq naming another certReqId is refused; the request stays held", async () => {
    const { t, dir } = s;
    const link: Link = { up: false, sent: [] };
    const { ra, store } = await heldRa(t, join(dir, "ids.db"), link, "reprotect");
    const req = irRequest(t, { cred: t.mac, subject: "CN=held-ids" });
    const w = summarize(await ra.handle(req.der));
    const bad = summarize(await ra.handle(pollReq(t, w, { cred: t.mac, certReqId: 7 }).der));
    assert.ok(bad.failInfo.includes("badRequest"), bad.statusString.join("; "));
    await store.close();
  });

  it("gives up after the retry window: the EE's poll gets a rejection naming the upstream", async () => {
    const { t, dir } = s;
    const link: Link = { up: false, sent: [] };
    const { ra, store } = await heldRa(t, join(dir, "giveup.db"), link, "reprotect");
    const req = irRequest(t, { cred: t.mac, subject: "CN=held-giveup" });
    const w = summarize(await ra.handle(req.der));
    t.clock.advance(3_600_000);
    assert.equal(await ra.retryHeld(), 1);
    const a = summarize(await ra.handle(pollReq(t, w, { cred: t.mac }).der));
    assert.equal(a.bodyType, "ip");
    assert.equal(a.statusName, "rejection");
    assert.ok(a.failInfo.includes("systemFailure"));
    assert.match(a.statusString.join(" "), /gave up after 2 attempts: upstream ca is not reachable/);
    assert.equal(link.sent.length, 0);
    await store.close();
  });
});

describe("requests held for an RA officer (RFC 9483 §5.1, `lwcmp approvals` at the RA)", () => {
  const s = caAndFolder("lwcmp-approval-");
  const approval = (y: string) =>
    y.replace("    default: {}\n", "    default:\n      default: { approval: true }\n");

  for (const mode of ["reprotect", "raverified", "forward"])
    it(`in mode ${mode}: waiting until approved, then the CA's certificate; a rejection reaches the EE`, async () => {
      const { t, dir } = s;
      const link: Link = { up: true, sent: [] };
      const { ra, store } = await heldRa(t, join(dir, `${mode}.db`), link, mode, approval);
      const ok = irRequest(t, { cred: t.mac, subject: `CN=officer-ok-${mode}` });
      const no = irRequest(t, { cred: t.mac, subject: `CN=officer-no-${mode}` });
      const [wOk, wNo] = await Promise.all([ok, no].map((r) => ra.handle(r.der).then(summarize)));
      assert.equal(wOk!.statusName, "waiting", wOk!.statusString.join("; "));
      assert.match(wOk!.statusString.join(" "), /waits for approval by an RA officer/);
      assert.equal(await ra.retryHeld(), 0, "nothing goes upstream before the decision");
      assert.deepEqual(link.sent, []);
      const pending = await store.listApprovals("pending");
      assert.equal(pending.length, 2);
      const byName = (n: string) => pending.find((a) => a.summary.includes(n))!;
      assert.match(byName("officer-ok").summary, /^ir for "CN=officer-ok-\w+" by mac:/);
      assert.ok(await store.decideApproval(byName("officer-ok").id, "approved", undefined, t.clock.now()));
      assert.ok(
        await store.decideApproval(byName("officer-no").id, "rejected", "unknown device", t.clock.now()),
      );
      assert.equal(await ra.retryHeld(), 1, "the approved request goes upstream once");
      const a = summarize(await ra.handle(pollReq(t, wOk!, { cred: t.mac }).der));
      assert.equal(a.bodyType, "ip");
      assert.ok(a.certificate, a.statusString.join("; "));
      const conf = summarize(await ra.handle(certConfFor(t, a, { cred: t.mac }).der));
      assert.equal(conf.bodyType, "pkiconf", conf.statusString.join("; "));
      const r = summarize(await ra.handle(pollReq(t, wNo!, { cred: t.mac }).der));
      assert.equal(r.statusName, "rejection");
      assert.ok(r.failInfo.includes("notAuthorized"));
      assert.match(r.statusString.join(" "), /rejected by an RA officer: unknown device/);
      assert.equal(link.sent.length, 2, "ir and certConf of the approved request only");
      await store.close();
    });
});

describe("genm the RA answers itself (RFC 9483 §5.1)", () => {
  const s = caAndFolder("lwcmp-local-");
  const local = (y: string) =>
    y.replace(
      "    default: {}\n",
      '    default:\n      "genm:1.3.6.1.5.5.7.4.17": { mode: local }\n' +
        '      "genm:1.3.6.1.5.5.7.4.19": { mode: local }\n      "genm:1.3.6.1.5.5.7.4.20": { mode: local }\n',
    );

  it("caCerts from its own certificates; certReqTemplate asked upstream once, then kept, also while the CA is down", async () => {
    const { t, dir } = s;
    const link: Link = { up: true, sent: [] };
    const { ra, store } = await heldRa(t, join(dir, "local.db"), link, "reprotect", local);
    const ask = async (oid: string) => {
      const a = summarize(await ra.handle(genmRequest(t, [oid], { cred: t.mac }).der));
      assert.equal(a.bodyType, "genp", a.statusString.join("; "));
      return [...a.decoded.message.body.genp!].map((i) => i.infoType);
    };
    assert.deepEqual(await ask(oids.id_it_caCerts), [oids.id_it_caCerts]);
    assert.deepEqual(link.sent, [], "caCerts is answered from the RA's configuration");
    assert.deepEqual(await ask(oids.id_it_certReqTemplate), [oids.id_it_certReqTemplate]);
    assert.deepEqual(link.sent, ["getcertreqtemplate"]);
    await ask(oids.id_it_certReqTemplate);
    assert.deepEqual(link.sent, ["getcertreqtemplate"], "the second EE gets the kept answer");
    link.up = false;
    t.clock.advance(2 * 3_600_000);
    assert.deepEqual(await ask(oids.id_it_certReqTemplate), [oids.id_it_certReqTemplate]);
    // Nothing kept for rootCaCert: with the CA down the EE is told so.
    const root = summarize(await ra.handle(genmRequest(t, [oids.id_it_rootCaCert], { cred: t.mac }).der));
    assert.equal(root.bodyType, "error");
    assert.match(root.statusString.join(" "), /upstream ca is not reachable/);
    await store.close();
  });
});
