// RFC 9483 §4.1 and §4.2: an ir / cr / kur carries exactly one CertReqMsg and an rr exactly one RevDetails;
// the CA refuses more with a rejected ip or rp (badRequest).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PKIBody, RevReqContent } from "../../src/asn1/cmp.js";
import { CertReqMessages } from "../../src/asn1/crmf.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { createTestCa, enrolled, irRequest, request, rrRequest, send, type TestCa } from "../helpers/ca.js";

describe("RFC 9483 §4.1 / §4.2: one request per message", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("an ir with two CertReqMsg -> rejected ip badRequest", async () => {
    const one = decodePKIMessage(irRequest(t, { subject: "CN=twice" }).der).message.body.ir!;
    const two = new CertReqMessages([one[0]!, one[0]!]);
    const a = await send(t.ca, request(t, new PKIBody({ ir: two })));
    assert.equal(a.bodyType, "ip");
    assert.equal(a.statusName, "rejection");
    assert.deepEqual(a.failInfo, ["badRequest"]);
    assert.match(a.statusString[0]!, /exactly one certificate request/);
  });

  it("an rr with two RevDetails -> rejected rp badRequest", async () => {
    const ee = await enrolled(t, "CN=rr-twice");
    const one = decodePKIMessage(rrRequest(t, { cred: ee.cred, cert: ee.cert }).der).message.body.rr!;
    const two = new RevReqContent([one[0]!, one[0]!]);
    const a = await send(t.ca, request(t, new PKIBody({ rr: two }), { cred: ee.cred }));
    assert.equal(a.bodyType, "rp");
    assert.equal(a.statusName, "rejection");
    assert.deepEqual(a.failInfo, ["badRequest"]);
    assert.match(a.statusString[0]!, /exactly one RevDetails/);
  });
});
