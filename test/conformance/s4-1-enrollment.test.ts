// RFC 9483 §4.1.1 confirmation rules the engine checks for every certConf: a CertStatus with status
// accepted carries no failInfo, and its status is accepted or rejection.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CertConfirmContent, CertStatus, PKIBody, PKIStatus, PKIStatusInfo } from "../../src/asn1/cmp.js";
import { encodeFailInfo } from "../../src/cmp/failinfo.js";
import { digest } from "../../src/crypto/index.js";
import { createTestCa, irRequest, request, send, type Answer, type TestCa } from "../helpers/ca.js";

describe("RFC 9483 §4.1.1 certConf", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  const certConf = (ip: Answer, info: PKIStatusInfo) => {
    const st = new CertStatus({ certHash: digest("sha256", ip.certificate!).slice().buffer, certReqId: 0 });
    st.statusInfo = info;
    return request(t, new PKIBody({ certConf: new CertConfirmContent([st]) }), {
      transactionID: ip.transactionID,
      recipNonce: ip.senderNonce,
    });
  };

  it("status accepted with a failInfo -> error badRequest; the certificate still waits", async () => {
    const ip = await send(t.ca, irRequest(t));
    assert.equal(ip.statusName, "accepted");
    const info = new PKIStatusInfo({ status: PKIStatus.accepted, failInfo: encodeFailInfo(["badPOP"]) });
    const a = await send(t.ca, certConf(ip, info));
    assert.equal(a.bodyType, "error");
    assert.deepEqual(a.failInfo, ["badRequest"]);
    assert.match(a.statusString[0]!, /status accepted carries a failInfo/);
    const tx = await t.store.getTransaction(Buffer.from(ip.transactionID!).toString("hex"));
    assert.equal(tx?.state, "waiting-certconf");
  });

  it("status waiting in a certConf -> error badRequest", async () => {
    const ip = await send(t.ca, irRequest(t));
    const a = await send(t.ca, certConf(ip, new PKIStatusInfo({ status: PKIStatus.waiting })));
    assert.equal(a.bodyType, "error");
    assert.deepEqual(a.failInfo, ["badRequest"]);
  });

  it("control: status accepted without failInfo -> pkiConf", async () => {
    const ip = await send(t.ca, irRequest(t));
    const a = await send(t.ca, certConf(ip, new PKIStatusInfo({ status: PKIStatus.accepted })));
    assert.equal(a.bodyType, "pkiconf");
  });
});
