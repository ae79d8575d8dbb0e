// Characterization of the CA's transactions (RFC 9483 §4.1.1 confirmation, §4.4 polling), with time
// driven only by the test clock.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { GeneralizedTimeValue } from "../../src/asn1/itav.js";
import * as oids from "../../src/asn1/oids.js";
import {
  certConfFor,
  createTestCa,
  decide,
  irRequest,
  p10crRequest,
  pollReq,
  send,
  serialOf,
  type Answer,
  type TestCa,
} from "../helpers/ca.js";

const MINUTE = 60_000;
const DAY = 86_400_000;

describe("CA transactions", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  const issuer = "CN=Demo Issuing CA,O=lwcmp demo";
  const status = async (a: Answer) =>
    (await t.store.getCertificate(issuer, serialOf(a.certificate!)))?.status;
  const txState = async (a: Answer, ca = t) =>
    (await ca.store.getTransaction(Buffer.from(a.transactionID!).toString("hex")))?.state;
  const info = (a: Answer, type: string) =>
    a.decoded.message.header.generalInfo?.find((i) => i.infoType === type);
  const assertError = (a: Answer, failInfo: string[]) => {
    assert.equal(a.bodyType, "error");
    assert.deepEqual(a.failInfo, failInfo);
    assert.ok(a.statusString[0]);
  };

  it("implicitConfirm granted: valid at once, transaction done, a later certConf -> certConfirmed", async () => {
    const a = await send(t.ca, irRequest(t, { implicitConfirm: true }));
    assert.equal(a.statusName, "accepted");
    assert.ok(info(a, oids.id_it_implicitConfirm), "implicitConfirm in generalInfo");
    assert.equal(info(a, oids.id_it_confirmWaitTime), undefined);
    assert.equal(await status(a), "valid");
    assert.equal(await txState(a), "confirmed");
    assertError(await send(t.ca, certConfFor(t, a)), ["certConfirmed"]);
  });

  it("implicitConfirm asked for but not allowed by policy: confirmation is needed", async () => {
    const strict = await createTestCa({
      configPatch: (y) => y.replace("allowImplicitConfirm: true", "allowImplicitConfirm: false"),
    });
    try {
      const a = await send(strict.ca, irRequest(strict, { implicitConfirm: true }));
      assert.equal(a.statusName, "accepted");
      assert.equal(info(a, oids.id_it_implicitConfirm), undefined);
      assert.ok(info(a, oids.id_it_confirmWaitTime));
      assert.equal(await txState(a, strict), "waiting-certconf");
    } finally {
      await strict.close();
    }
  });

  it("certConf accepting: pkiConf, certificate valid; confirmWaitTime is now + 300 s", async () => {
    const a = await send(t.ca, irRequest(t));
    const cwt = info(a, oids.id_it_confirmWaitTime)!;
    const deadline = AsnParser.parse(cwt.infoValue!, GeneralizedTimeValue);
    assert.equal(deadline.value?.getTime(), t.clock.now().getTime() + 300_000);
    assert.equal(await status(a), "unconfirmed");
    assert.equal(await txState(a), "waiting-certconf");
    const c = await send(t.ca, certConfFor(t, a));
    assert.equal(c.bodyType, "pkiconf");
    assert.deepEqual(c.transactionID, a.transactionID);
    assert.equal(await status(a), "valid");
    assert.equal(await txState(a), "confirmed");
    assertError(await send(t.ca, certConfFor(t, a, { recipNonce: c.senderNonce })), ["certConfirmed"]);
  });

  it("certConf rejecting: pkiConf, certificate revoked (reason 5, cessationOfOperation)", async () => {
    const a = await send(t.ca, irRequest(t));
    const c = await send(t.ca, certConfFor(t, a, { reject: true }));
    assert.equal(c.bodyType, "pkiconf");
    const rec = await t.store.getCertificate(issuer, serialOf(a.certificate!));
    assert.equal(rec?.status, "revoked");
    assert.equal(rec?.revocationReason, 5);
  });

  it("certConf with a wrong certHash -> badCertId; the transaction stays open", async () => {
    const a = await send(t.ca, irRequest(t));
    const bad = await send(t.ca, certConfFor(t, a, { certHash: new Uint8Array(32) }));
    assertError(bad, ["badCertId"]);
    assert.deepEqual(bad.transactionID, a.transactionID);
    assert.equal(await status(a), "unconfirmed");
    // The error answer does not move recipNonce on: the ip's senderNonce still continues.
    assert.equal((await send(t.ca, certConfFor(t, a))).bodyType, "pkiconf");
    assert.equal(await status(a), "valid");
  });

  it("certConf naming another certReqId -> badRequest", async () => {
    const a = await send(t.ca, irRequest(t));
    assertError(await send(t.ca, certConfFor(t, a, { certReqId: 1 })), ["badRequest"]);
  });

  it("certConf from another requester -> notAuthorized; for an unknown transaction -> badRequest", async () => {
    const a = await send(t.ca, irRequest(t));
    assertError(await send(t.ca, certConfFor(t, a, { cred: t.idevid.cred })), ["notAuthorized"]);
    const unknown = certConfFor(t, a, { transactionID: crypto.getRandomValues(new Uint8Array(16)) });
    const u = await send(t.ca, unknown);
    assertError(u, ["badRequest"]);
    assert.match(u.statusString[0]!, /no open transaction/);
  });

  it("p10cr confirmation uses certReqId -1", async () => {
    const a = await send(t.ca, p10crRequest(t));
    assertError(await send(t.ca, certConfFor(t, a)), ["badRequest"]);
    assert.equal((await send(t.ca, certConfFor(t, a, { certReqId: -1 }))).bodyType, "pkiconf");
  });

  it("approval: waiting -> pollRep with checkAfter -> operator approves -> ip -> certConf", async () => {
    const ir = irRequest(t, { subject: "CN=waits-1", certProfile: "approval" });
    const w = await send(t.ca, ir);
    assert.equal(w.bodyType, "ip");
    assert.equal(w.statusName, "waiting");
    assert.equal(w.certificate, undefined);
    assert.ok(w.statusString[0]);
    assert.equal(await txState(w), "waiting-approval");
    const pending = (await t.store.listApprovals("pending")).filter(
      (p) => p.transactionId === Buffer.from(w.transactionID!).toString("hex"),
    );
    assert.equal(pending.length, 1);
    assert.match(pending[0]!.summary, /CN=waits-1/);

    const p1 = await send(t.ca, pollReq(t, w));
    assert.equal(p1.bodyType, "pollRep");
    const entry = p1.decoded.message.body.pollRep![0]!;
    assert.equal(entry.certReqId, 0);
    assert.equal(entry.checkAfter, 2, "pollInterval 2s of the demo configuration");
    assert.match([...(entry.reason ?? [])].join(" "), /waiting for approval/);
    // pollReq continues from the CA's last message, the pollRep.
    assertError(await send(t.ca, pollReq(t, w)), ["badRecipientNonce"]);

    assert.equal(await decide(t, pending[0]!.id, "approved"), true);
    t.clock.advance(2_000);
    const ip = await send(t.ca, pollReq(t, p1));
    assert.equal(ip.bodyType, "ip");
    assert.equal(ip.statusName, "accepted");
    assert.ok(ip.certificate);
    assert.equal(await status(ip), "unconfirmed");
    assert.equal((await send(t.ca, certConfFor(t, ip))).bodyType, "pkiconf");
    assert.equal(await status(ip), "valid");
  });

  it("approval by the path's profile; pollReq needs certReqId 0 and a waiting transaction", async () => {
    const w = await send(t.ca, irRequest(t, { subject: "CN=waits-path" }), { profile: "approval" });
    assert.equal(w.statusName, "waiting");
    assertError(await send(t.ca, pollReq(t, w, { certReqId: 1 })), ["badRequest"]);
    const done = await send(t.ca, irRequest(t, { implicitConfirm: true }));
    assertError(await send(t.ca, pollReq(t, done)), ["badRequest"]);
  });

  it("approval rejected by the operator -> rejected ip notAuthorized with the reason; transaction done", async () => {
    const w = await send(t.ca, irRequest(t, { subject: "CN=waits-2", certProfile: "approval" }));
    const tid = Buffer.from(w.transactionID!).toString("hex");
    const approval = (await t.store.listApprovals("pending")).find((p) => p.transactionId === tid)!;
    assert.equal(await decide(t, approval.id, "rejected", "unknown device"), true);
    assert.equal(await decide(t, approval.id, "approved"), false, "decided once");
    const r = await send(t.ca, pollReq(t, w));
    assert.equal(r.bodyType, "ip");
    assert.equal(r.statusName, "rejection");
    assert.deepEqual(r.failInfo, ["notAuthorized"]);
    assert.match(r.statusString[0]!, /rejected by a PKI operator: unknown device/);
    assert.equal(await txState(w), "rejected");
    assertError(await send(t.ca, pollReq(t, r)), ["badRequest"]);
  });

  it("certConf after confirmWaitTime is refused; sweep(now) then revokes the certificate", async () => {
    const c = await createTestCa();
    try {
      const late = await send(c.ca, irRequest(c, { subject: "CN=late" }));
      const onTime = await send(c.ca, irRequest(c, { subject: "CN=on-time" }));
      // A transaction is open while now < expiresAt (the store's rule): 1 ms before the deadline it is.
      c.clock.advance(5 * MINUTE - 1);
      assert.equal(
        (await send(c.ca, certConfFor(c, onTime))).bodyType,
        "pkiconf",
        "before the deadline accepted",
      );
      c.clock.advance(1_001);
      const refused = await send(c.ca, certConfFor(c, late));
      assertError(refused, ["badRequest"]);
      assert.match(refused.statusString[0]!, /unknown or expired/);
      const serial = serialOf(late.certificate!);
      assert.equal((await c.store.getCertificate(issuer, serial))?.status, "unconfirmed");
      assert.deepEqual(await c.ca.sweep(new Date(c.clock.now().getTime() - 2_000)), { revoked: 0 });
      assert.deepEqual(await c.ca.sweep(c.clock.now()), { revoked: 1 });
      const rec = await c.store.getCertificate(issuer, serial);
      assert.equal(rec?.status, "revoked");
      assert.equal(rec?.revocationReason, 5);
      assert.equal((await c.store.getCertificate(issuer, serialOf(onTime.certificate!)))?.status, "valid");
      assert.deepEqual(await c.ca.sweep(c.clock.now()), { revoked: 0 }, "nothing left to revoke");
    } finally {
      await c.close();
    }
  });

  it("sweep() without an argument uses the CA's clock", async () => {
    const c = await createTestCa();
    try {
      await send(c.ca, irRequest(c));
      assert.deepEqual(await c.ca.sweep(), { revoked: 0 });
      c.clock.advance(5 * MINUTE + 1_000);
      assert.deepEqual(await c.ca.sweep(), { revoked: 1 });
    } finally {
      await c.close();
    }
  });

  it("a waiting transaction expires after 7 days: pollReq is refused even once approved", async () => {
    const c = await createTestCa();
    try {
      const w = await send(c.ca, irRequest(c, { certProfile: "approval" }));
      const [approval] = await c.store.listApprovals("pending");
      c.clock.advance(7 * DAY - 1_000);
      assert.equal((await send(c.ca, pollReq(c, w))).bodyType, "pollRep", "still open before 7 days");
      await decide(c, approval!.id, "approved");
      c.clock.advance(2_000);
      const p = await send(c.ca, pollReq(c, w));
      assert.equal(p.bodyType, "error");
      // The stale recipNonce is not what refuses it: the transaction check comes first.
      assertError(p, ["badRequest"]);
      assert.match(p.statusString[0]!, /unknown or expired/);
      assert.equal(await c.store.findCertificates({}).then((r) => r.length), 0, "nothing was issued");
    } finally {
      await c.close();
    }
  });
});
