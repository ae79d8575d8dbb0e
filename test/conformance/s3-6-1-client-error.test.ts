// RFC 9483 §3.6.1: an EE that finds an answer in error reports it to the server with an error message;
// the CA ends the transaction (pkiConf), and the user is told the original failure.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { describeStatus } from "../../src/cmp/status.js";
import { CmpClient } from "../../src/client/client.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { createTestCa, type TestCa } from "../helpers/ca.js";
import { refused, reprotect } from "./helpers.js";

describe("RFC 9483 §3.6.1: the client reports a failed answer", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  const run = async (reportErrors?: boolean) => {
    const sent: { bodyType: string; failInfo: string[]; answer: string }[] = [];
    const c = new CmpClient({
      send: async (der, op) => {
        const d = decodePKIMessage(der);
        const answer = await t.ca.handle(der, { operation: op });
        sent.push({
          bodyType: d.bodyType,
          failInfo:
            d.bodyType === "error" ? describeStatus(d.message.body.error!.pKIStatusInfo).failInfo : [],
          answer: decodePKIMessage(answer).bodyType,
        });
        // The ip's recipNonce is broken: the client must refuse it.
        return d.bodyType === "ir"
          ? reprotect(t, answer, (m) => (m.header.recipNonce = new ArrayBuffer(16)))
          : answer;
      },
      credential: {
        kind: "mac",
        reference: t.secrets.kid,
        secret: new TextEncoder().encode(t.secrets.secret),
      },
      trusted: [t.root],
      untrusted: [t.issuing],
      now: t.clock.now,
      reportErrors,
    });
    const e = await refused(c.enroll("ir", { subject: "CN=reported", newKey: generateKeyPair("ec-p256") }));
    return { e, sent };
  };

  it("a broken ip -> the client sends an error message (badRecipientNonce), the CA answers pkiConf", async () => {
    const { e, sent } = await run();
    assert.deepEqual(e.failInfo, ["badRecipientNonce"]);
    assert.deepEqual(sent, [
      { bodyType: "ir", failInfo: [], answer: "ip" },
      { bodyType: "error", failInfo: ["badRecipientNonce"], answer: "pkiconf" },
    ]);
  });

  it("reportErrors: false sends nothing more", async () => {
    const { sent } = await run(false);
    assert.deepEqual(
      sent.map((s) => s.bodyType),
      ["ir"],
    );
  });
});
