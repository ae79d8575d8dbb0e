// The CmpClient against the in-process CA: polling while an operator decides (RFC 9483 §4.4), on the
// test clock with an injected sleep, and the client's checks of tampered answers (RFC 9483 §3.1, §3.5).
import { reprotect } from "../helpers/reprotect.js";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CmpClient,
  CmpClientError,
  type ClientCredential,
  type CmpClientOptions,
} from "../../src/client/client.js";
import { AsnSerializer } from "@peculiar/asn1-schema";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { protectMessage } from "../../src/cmp/protection.js";
import type { PKIMessage } from "../../src/asn1/cmp.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { createTestCa, decide, randomBytes, type TestCa } from "../helpers/ca.js";

describe("CmpClient polling and answer checks", () => {
  let t: TestCa;
  let mac: Extract<ClientCredential, { kind: "mac" }>;
  before(async () => {
    t = await createTestCa();
    mac = {
      kind: "mac",
      reference: t.secrets.kid,
      secret: new TextEncoder().encode(t.secrets.secret),
      iterations: 1000,
    };
  });
  after(() => t.close());

  const client = (extra: Partial<CmpClientOptions> = {}) =>
    new CmpClient({
      send: (der, op) => t.ca.handle(der, { operation: op }),
      credential: mac,
      trusted: [t.root],
      untrusted: [t.issuing],
      now: t.clock.now,
      ...extra,
    });
  const clientError = async (p: Promise<unknown>): Promise<CmpClientError> => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof CmpClientError, String(e));
      return e;
    }
    assert.fail("expected a CmpClientError");
  };
  /** A sleep that moves the test clock instead of waiting, then runs `onSleep`. */
  const fakeSleep = (sleeps: number[], onSleep: (n: number) => Promise<void> = async () => undefined) => {
    return async (ms: number) => {
      sleeps.push(ms);
      if (sleeps.length > 20) throw new Error("polling does not end");
      t.clock.advance(ms);
      await onSleep(sleeps.length);
    };
  };
  const pendingId = async () => (await t.store.listApprovals("pending"))[0]?.id;

  it("waiting -> polls -> the operator approves during the second wait -> certificate", async () => {
    const sleeps: number[] = [];
    const progress: number[] = [];
    const start = t.clock.now().getTime();
    const c = client({
      certProfile: "approval",
      onProgress: (p) => progress.push(p.elapsedMs),
      sleep: fakeSleep(sleeps, async (n) => {
        if (n === 2) assert.equal(await decide(t, (await pendingId())!, "approved"), true);
      }),
    });
    const r = await c.enroll("ir", { subject: "CN=polled-1", newKey: generateKeyPair("ec-p256") });
    // The waiting ip carries no checkAfter: the client polls after 1 s, then as each pollRep says.
    assert.deepEqual(sleeps, [1000, 2000], "then checkAfter 2 s of the demo policy");
    assert.deepEqual(progress, [0, 1000], "elapsed time on the injected clock");
    assert.equal(t.clock.now().getTime() - start, 3000);
    assert.equal(r.implicitlyConfirmed, false);
    const rec = (await t.store.findCertificates({ subject: "CN=polled-1" }))[0];
    assert.equal(rec?.status, "valid", "confirmed after the poll");
  });

  it("the operator rejects -> CmpClientError with notAuthorized and the reason", async () => {
    const sleeps: number[] = [];
    const c = client({
      certProfile: "approval",
      sleep: fakeSleep(sleeps, async () => {
        await decide(t, (await pendingId())!, "rejected", "unknown device");
      }),
    });
    const e = await clientError(
      c.enroll("ir", { subject: "CN=polled-2", newKey: generateKeyPair("ec-p256") }),
    );
    assert.deepEqual(e.failInfo, ["notAuthorized"]);
    assert.match(e.message, /enrollment refused: rejection \(notAuthorized\): .*unknown device/);
    assert.equal(sleeps.length, 1);
  });

  it("nobody decides: the client gives up at totalTimeoutMs, measured on the injected clock", async () => {
    const sleeps: number[] = [];
    const c = client({ certProfile: "approval", totalTimeoutMs: 5000, sleep: fakeSleep(sleeps) });
    const e = await clientError(
      c.enroll("ir", { subject: "CN=polled-3", newKey: generateKeyPair("ec-p256") }),
    );
    assert.match(e.message, /gave up waiting after 5 s \(limit 5 s\)/);
    assert.deepEqual(sleeps, [1000, 2000, 2000]);
    const id = await pendingId();
    assert.ok(id, "the request still waits at the CA");
    await decide(t, id, "rejected", "cleanup");
  });

  const tampered = (change: (m: PKIMessage) => void, credential: ClientCredential = mac) =>
    client({
      credential,
      send: async (der, op) => reprotect(t, await t.ca.handle(der, { operation: op }), change),
    });

  it("the re-protection itself is accepted (control)", async () => {
    const r = await tampered(() => undefined).enroll("ir", {
      subject: "CN=reprotected",
      newKey: generateKeyPair("ec-p256"),
    });
    assert.ok(r.certificate.length > 0);
  });

  it("an answer with a wrong recipNonce is rejected (badRecipientNonce); no certConf goes out", async () => {
    const c = tampered((m) => {
      m.header.recipNonce = randomBytes().slice().buffer;
    });
    const e = await clientError(
      c.enroll("ir", { subject: "CN=bad-recipnonce", newKey: generateKeyPair("ec-p256") }),
    );
    assert.deepEqual(e.failInfo, ["badRecipientNonce"]);
    assert.match(e.message, /recipNonce does not match our senderNonce/);
    const rec = (await t.store.findCertificates({ subject: "CN=bad-recipnonce" }))[0];
    assert.equal(rec?.status, "unconfirmed");
  });

  it("an answer with another transactionID is rejected, also when signed by the CMP signer", async () => {
    const change = (m: PKIMessage) => {
      m.header.transactionID = randomBytes().slice().buffer;
    };
    const e = await clientError(tampered(change).getCaCerts());
    assert.match(e.message, /transactionID differs from the request's/);
    const idevid: ClientCredential = {
      kind: "signature",
      key: t.idevid.key,
      certificate: t.idevid.cert,
      chain: t.idevid.chain,
    };
    const s = await clientError(tampered(change, idevid).getCaCerts());
    assert.match(s.message, /transactionID differs/);
  });

  it("an altered answer that is not protected again fails the protection check", async () => {
    const c = client({
      send: async (der, op) => {
        const a = await t.ca.handle(der, { operation: op });
        const d = decodePKIMessage(a);
        d.message.header.transactionID = randomBytes().slice().buffer;
        return new Uint8Array(AsnSerializer.serialize(d.message));
      },
    });
    const e = await clientError(c.getCaCerts());
    assert.deepEqual(e.failInfo, ["badMessageCheck"]);
    assert.match(e.message, /protection is invalid/);
  });

  it("an unprotected answer other than an error is rejected", async () => {
    const c = client({
      send: async (der, op) => {
        const m = decodePKIMessage(await t.ca.handle(der, { operation: op })).message;
        delete m.protection;
        return protectMessage(m, { kind: "none" });
      },
    });
    const e = await clientError(c.getCaCerts());
    assert.match(e.message, /not protected/);
  });
});
