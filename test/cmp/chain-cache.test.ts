// A chain that authenticated is kept (src/cmp/server/chain-cache.ts) without weakening any check: a
// revoked certificate is refused on its next message, an expired one once its time is up, and an IDevID
// that authenticated once still authenticates after the minute the entry lives.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createTestCa, crRequest, enrolled, irRequest, send, serialOf, type TestCa } from "../helpers/ca.js";

const ISSUER = "CN=Demo Issuing CA,O=lwcmp demo";

describe("validated chains kept between messages", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("a certificate of this CA that is revoked after authenticating is refused on its next message", async () => {
    const ee = await enrolled(t, "CN=cache-revoked");
    const ok = await send(
      t.ca,
      crRequest(t, { cred: ee.cred, subject: "CN=cache-revoked", implicitConfirm: true }),
    );
    assert.ok(ok.certificate, ok.statusString.join("; "));
    await t.store.setCertificateStatus(ISSUER, serialOf(ee.cert), "revoked", {
      time: t.clock.now(),
      reason: 1,
    });
    const refused = await send(
      t.ca,
      crRequest(t, { cred: ee.cred, subject: "CN=cache-revoked", implicitConfirm: true }),
    );
    assert.equal(refused.bodyType, "error");
    assert.ok(refused.failInfo.includes("signerNotTrusted"), refused.failInfo.join(","));
    assert.match(refused.statusString.join(" "), /revoked/);
  });

  it("an IDevID chain kept from one message serves the next, and is validated again after a minute", async () => {
    for (const step of [0, 30_000, 61_000]) {
      t.clock.advance(step);
      const a = await send(
        t.ca,
        irRequest(t, { cred: t.idevid.cred, subject: `CN=cache-idevid-${step}`, implicitConfirm: true }),
      );
      assert.ok(a.certificate, a.statusString.join("; "));
    }
  });

  it("a kept chain is not used once a certificate in it has expired", async () => {
    const ee = await enrolled(t, "CN=cache-expiry");
    const ok = await send(
      t.ca,
      crRequest(t, { cred: ee.cred, subject: "CN=cache-expiry", implicitConfirm: true }),
    );
    assert.ok(ok.certificate);
    t.clock.advance(731 * 86_400_000);
    const late = await send(
      t.ca,
      crRequest(t, { cred: ee.cred, subject: "CN=cache-expiry", implicitConfirm: true }),
    );
    assert.equal(late.bodyType, "error");
    assert.ok(
      late.failInfo.includes("signerNotTrusted") || late.failInfo.includes("badTime"),
      late.failInfo.join(","),
    );
  });
});
