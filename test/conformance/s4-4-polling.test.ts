// RFC 9483 §4.4 / RFC 9810 §5.3.22 rules the client checks on the answer to a pollReq: the pollRep
// names the certReqId that was polled, and a pollReq is never answered with "waiting" again.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ErrorMsgContent, PKIBody, PKIStatus, type PKIMessage } from "../../src/asn1/cmp.js";
import { statusInfo } from "../../src/cmp/status.js";
import { CmpClient } from "../../src/client/client.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { createTestCa, type TestCa } from "../helpers/ca.js";
import { refused, reprotect } from "./helpers.js";

describe("RFC 9483 §4.4 answers to a pollReq", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  /** A client of the "approval" profile whose pollRep answers are changed by `change`. */
  const client = (sleeps: number[], change: (m: PKIMessage) => void) =>
    new CmpClient({
      send: async (der, op) => {
        const answer = await t.ca.handle(der, { operation: op });
        return reprotect(t, answer, (m) => {
          if (m.body.pollRep) change(m);
        });
      },
      credential: {
        kind: "mac",
        reference: t.secrets.kid,
        secret: new TextEncoder().encode(t.secrets.secret),
        iterations: 1000,
      },
      trusted: [t.root],
      untrusted: [t.issuing],
      now: t.clock.now,
      certProfile: "approval",
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length > 5) throw new Error("polling does not end");
        t.clock.advance(ms);
      },
    });

  it("a pollRep naming another certReqId than the one polled -> CmpClientError badRequest", async () => {
    const sleeps: number[] = [];
    const c = client(sleeps, (m) => {
      m.body.pollRep![0]!.certReqId = 1;
    });
    const e = await refused(c.enroll("ir", { subject: "CN=pollrep-id", newKey: generateKeyPair("ec-p256") }));
    assert.deepEqual(e.failInfo, ["badRequest"]);
    assert.match(e.message, /the pollRep names certReqId 1, expected 0/);
    assert.deepEqual(sleeps, [1000], "one pollReq went out after the waiting ip");
  });

  it("a pollReq answered with error/waiting -> CmpClientError, no further polling", async () => {
    const sleeps: number[] = [];
    const c = client(sleeps, (m) => {
      const waiting = statusInfo(PKIStatus.waiting, { text: "still waiting" });
      m.body = new PKIBody({ error: new ErrorMsgContent({ pKIStatusInfo: waiting }) });
    });
    const e = await refused(
      c.enroll("ir", { subject: "CN=poll-waiting", newKey: generateKeyPair("ec-p256") }),
    );
    assert.match(e.message, /the server answered a pollReq with waiting/);
    assert.deepEqual(sleeps, [1000], "the waiting error after the pollReq ends the exchange");
  });
});
