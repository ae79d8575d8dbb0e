// The CmpClient refuses answers that break the header rules of src/cmp/validate.ts (RFC 9483 §3.1):
// pvno, messageTime, senderNonce length, sender vs signer subject, senderKID vs subjectKeyIdentifier.
import { reprotect } from "../helpers/reprotect.js";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GeneralName } from "@peculiar/asn1-x509";
import type { PKIMessage } from "../../src/asn1/cmp.js";
import {
  CmpClient,
  CmpClientError,
  type ClientCredential,
  type CmpClientOptions,
} from "../../src/client/client.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { createTestCa, dn, randomBytes, type TestCa } from "../helpers/ca.js";

describe("CmpClient: header rules on answers", () => {
  let t: TestCa;
  let mac: Extract<ClientCredential, { kind: "mac" }>;
  let idevid: ClientCredential;
  before(async () => {
    t = await createTestCa();
    mac = {
      kind: "mac",
      reference: t.secrets.kid,
      secret: new TextEncoder().encode(t.secrets.secret),
      iterations: 1000,
    };
    idevid = { kind: "signature", key: t.idevid.key, certificate: t.idevid.cert, chain: t.idevid.chain };
  });
  after(() => t.close());

  const client = (change: (m: PKIMessage) => void, extra: Partial<CmpClientOptions> = {}) =>
    new CmpClient({
      send: async (der, op) => reprotect(t, await t.ca.handle(der, { operation: op }), change),
      credential: mac,
      trusted: [t.root],
      untrusted: [t.issuing],
      now: t.clock.now,
      ...extra,
    });
  const refused = async (p: Promise<unknown>): Promise<CmpClientError> => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof CmpClientError, String(e));
      return e;
    }
    assert.fail("expected a CmpClientError");
  };

  it("control: the unchanged, re-protected answer is accepted with both credentials", async () => {
    assert.equal((await client(() => undefined).getCaCerts()).length, 2);
    assert.equal((await client(() => undefined, { credential: idevid }).getCaCerts()).length, 2);
  });

  it("pvno 1 -> unsupportedVersion", async () => {
    const e = await refused(client((m) => (m.header.pvno = 1)).getCaCerts());
    assert.deepEqual(e.failInfo, ["unsupportedVersion"]);
    assert.match(e.message, /pvno 1 is not supported/);
  });

  it("a messageTime 11 minutes off -> badTime; 9 minutes pass; maxClockSkewMs null disables the check", async () => {
    const shifted = (min: number) => (m: PKIMessage) => {
      m.header.messageTime = new Date(t.clock.now().getTime() - min * 60_000);
    };
    const e = await refused(client(shifted(11)).getCaCerts());
    assert.deepEqual(e.failInfo, ["badTime"]);
    assert.match(e.message, /messageTime differs from our clock by 660 s/);
    assert.equal((await client(shifted(9)).getCaCerts()).length, 2);
    assert.equal((await client(shifted(600), { maxClockSkewMs: null }).getCaCerts()).length, 2);
    const narrow = await refused(client(shifted(2), { maxClockSkewMs: 60_000 }).getCaCerts());
    assert.deepEqual(narrow.failInfo, ["badTime"]);
  });

  it("a senderNonce of 32 bits -> badSenderNonce", async () => {
    const e = await refused(
      client((m) => (m.header.senderNonce = randomBytes(4).slice().buffer)).getCaCerts(),
    );
    assert.deepEqual(e.failInfo, ["badSenderNonce"]);
  });

  it("a signed answer whose sender is not the signer's subject -> badMessageCheck", async () => {
    const change = (m: PKIMessage) => {
      m.header.sender = new GeneralName({ directoryName: dn("CN=Someone Else,O=lwcmp demo") });
    };
    const e = await refused(client(change, { credential: idevid }).getCaCerts());
    assert.deepEqual(e.failInfo, ["badMessageCheck"]);
    assert.match(
      e.message,
      /header sender "CN=Someone Else.*differs from the protection certificate subject/,
    );
  });

  it("a signed answer whose senderKID is not the signer's subjectKeyIdentifier -> badMessageCheck", async () => {
    const e = await refused(
      client((m) => (m.header.senderKID = randomBytes(20).slice().buffer), {
        credential: idevid,
      }).getCaCerts(),
    );
    assert.deepEqual(e.failInfo, ["badMessageCheck"]);
    assert.match(e.message, /senderKID is not the subjectKeyIdentifier/);
  });

  it("an answer to another recipient than our sender name -> wrongAuthority", async () => {
    const change = (m: PKIMessage) => {
      m.header.recipient = new GeneralName({ directoryName: dn("CN=another-device") });
    };
    const e = await refused(client(change, { credential: idevid }).getCaCerts());
    assert.deepEqual(e.failInfo, ["wrongAuthority"]);
  });

  it("an enrollment answer with a stale messageTime sends no certConf", async () => {
    const change = (m: PKIMessage) => {
      if (m.body.ip) m.header.messageTime = new Date(t.clock.now().getTime() + 3_600_000);
    };
    const e = await refused(
      client(change).enroll("ir", { subject: "CN=stale-ip", newKey: generateKeyPair("ec-p256") }),
    );
    assert.deepEqual(e.failInfo, ["badTime"]);
    const rec = (await t.store.findCertificates({ subject: "CN=stale-ip" }))[0];
    assert.notEqual(rec?.status, "valid", "never confirmed");
  });
});
