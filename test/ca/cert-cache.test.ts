// The parsed-certificate cache holds only certificates of chains that authenticated (docs/security.md):
// extraCerts of a request that fails authentication never enter it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { generateKeyPair } from "../../src/crypto/index.js";
import { buildCertificate, randomSerial } from "../../src/pki/build.js";
import { certCacheSize } from "../../src/pki/path/types.js";
import { createTestCa, dn, irRequest, send, type TestCa } from "../helpers/ca.js";

describe("certificate cache and authentication", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("a stranger's protection certificate is not cached; an authenticated IDevID chain is", async () => {
    const key = generateKeyPair("ec-p256");
    const stranger = buildCertificate({
      serial: randomSerial(),
      issuer: dn("CN=stranger"),
      subject: dn("CN=stranger"),
      notBefore: new Date(t.clock.now().getTime() - 60_000),
      notAfter: new Date(t.clock.now().getTime() + 86_400_000),
      subjectPublicKeyInfo: key.publicKey.spki,
      extensions: [],
      issuerKey: key,
    });
    const before = certCacheSize();
    const refused = await send(
      t.ca,
      irRequest(t, { cred: { kind: "signature", key, cert: stranger }, subject: "CN=s" }),
    );
    assert.deepEqual(refused.failInfo, ["signerNotTrusted"]);
    assert.deepEqual(certCacheSize(), before, "nothing of a refused request is cached");
    const ok = await send(
      t.ca,
      irRequest(t, { cred: t.idevid.cred, subject: "CN=cached", implicitConfirm: true }),
    );
    assert.equal(ok.statusName, "accepted");
    assert.ok(certCacheSize().entries > before.entries, "the authenticated chain is cached");
  });
});
