// An error message names a transactionID but may come from anyone authenticated: it must not end or
// change another requester's transaction (its state or the nonce the next message has to echo).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { certConfFor, createTestCa, errorRequest, irRequest, send, type TestCa } from "../helpers/ca.js";

describe("error messages and other requesters' transactions", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("an error from another requester leaves the transaction waiting; its certConf still goes through", async () => {
    const ip = await send(t.ca, irRequest(t, { subject: "CN=foreign-error" }));
    assert.equal(ip.statusName, "accepted");
    const id = Buffer.from(ip.transactionID!).toString("hex");
    const foreign = await send(t.ca, errorRequest(t, ip, { cred: t.idevid.cred }));
    assert.equal(foreign.bodyType, "pkiconf");
    assert.equal((await t.store.getTransaction(id))?.state, "waiting-certconf");
    const conf = await send(t.ca, certConfFor(t, ip));
    assert.equal(conf.bodyType, "pkiconf");
    assert.equal((await t.store.getTransaction(id))?.state, "confirmed");
  });

  it("an error from the holder after confirmation leaves the confirmed transaction as it is", async () => {
    const ip = await send(t.ca, irRequest(t, { subject: "CN=late-error", implicitConfirm: true }));
    const id = Buffer.from(ip.transactionID!).toString("hex");
    const a = await send(t.ca, errorRequest(t, ip));
    assert.equal(a.bodyType, "pkiconf");
    assert.equal((await t.store.getTransaction(id))?.state, "confirmed");
  });
});
