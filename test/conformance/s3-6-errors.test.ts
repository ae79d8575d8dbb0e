// RFC 9483 §3.6 / §3.6.4: which body reports a failure. Message-level failures are an error message;
// failures of the one certificate request a rejected ip/cp/kup; revocation failures a rejected rp.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createTestCa,
  crRequest,
  enrolled,
  irRequest,
  randomBytes,
  rrRequest,
  send,
  type TestCa,
} from "../helpers/ca.js";

describe("RFC 9483 §3.6 error reporting", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("bytes that are no PKIMessage -> error badDataFormat, signed by the CA", async () => {
    const a = await send(t.ca, new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]));
    assert.equal(a.bodyType, "error");
    assert.equal(a.statusName, "rejection");
    assert.deepEqual(a.failInfo, ["badDataFormat"]);
    assert.ok(a.decoded.message.protection, "the error message is protected");
  });

  it("a header failure of an ir is an error message, not an ip", async () => {
    const a = await send(t.ca, irRequest(t, { recipNonce: randomBytes(16) }));
    assert.equal(a.bodyType, "error");
  });

  it("a template failure of an ir is a rejected ip with badCertTemplate", async () => {
    const a = await send(t.ca, irRequest(t, { subject: "O=no common name" }));
    assert.equal(a.bodyType, "ip");
    assert.equal(a.statusName, "rejection");
    assert.deepEqual(a.failInfo, ["badCertTemplate"]);
  });

  it("a POP failure of a cr is a rejected cp with badPOP", async () => {
    const ee = await enrolled(t, "CN=s36-pop");
    const a = await send(t.ca, crRequest(t, { cred: ee.cred, subject: "CN=s36-pop", pop: "bad" }));
    assert.equal(a.bodyType, "cp");
    assert.equal(a.statusName, "rejection");
    assert.deepEqual(a.failInfo, ["badPOP"]);
  });

  it("a revocation of an unknown serial is a rejected rp, not an error message", async () => {
    const ee = await enrolled(t, "CN=s36-rr");
    const a = await send(t.ca, rrRequest(t, { cred: ee.cred, serial: randomBytes(8) }));
    assert.equal(a.bodyType, "rp");
    assert.equal(a.statusName, "rejection");
    assert.ok(a.failInfo.length > 0, "the rp names the failure");
  });
});
