// ClientSession against the in-process CA: one transaction's nonces, the error body as a typed error,
// the expected body types, polling on the test clock, and `forward` of a message the session did not build.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { InfoTypeAndValue } from "../../src/asn1/cmp.js";
import * as oids from "../../src/asn1/oids.js";
import {
  certProfileItav,
  certReqMessages,
  certRequestBody,
  certTemplate,
  genmBody,
} from "../../src/cmp/build/index.js";
import { CmpClientError } from "../../src/cmp/client/errors.js";
import { pollUntilReady } from "../../src/cmp/client/poll.js";
import { ClientSession, type ClientSessionOptions } from "../../src/cmp/client/session.js";
import type { ClientCredential } from "../../src/cmp/client/types.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { protectMessage } from "../../src/cmp/protection.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { certEntry } from "../../src/pki/path.js";
import { createTestCa, decide, dn, genmRequest, randomBytes, type TestCa } from "../helpers/ca.js";

describe("ClientSession", () => {
  let t: TestCa;
  let idevid: ClientCredential;
  before(async () => {
    t = await createTestCa();
    idevid = { kind: "signature", key: t.idevid.key, certificate: t.idevid.cert, chain: t.idevid.chain };
  });
  after(() => t.close());

  const sent: Uint8Array[] = [];
  const session = (o: Partial<ClientSessionOptions> = {}) =>
    new ClientSession({
      send: async (der, op) => {
        sent.push(der);
        return t.ca.handle(der, { operation: op });
      },
      credential: idevid,
      trust: { anchors: [certEntry(t.root)], untrusted: [certEntry(t.issuing)] },
      now: t.clock.now,
      ...o,
    });
  const caCerts = () => genmBody([new InfoTypeAndValue({ infoType: oids.id_it_caCerts })]);

  it("exchange: keeps the transactionID, echoes the server's senderNonce as the next recipNonce", async () => {
    const s = session();
    const first = await s.exchange(caCerts(), { operation: "getcacerts", expect: "genp" });
    assert.equal(s.transactionID.length, 16, "128-bit transactionID");
    const req = decodePKIMessage(sent.at(-1)!).message.header;
    assert.deepEqual(new Uint8Array(req.transactionID!), s.transactionID);
    assert.equal(req.recipNonce, undefined, "the first message has no recipNonce");
    assert.deepEqual(new Uint8Array(first.message.header.recipNonce!), new Uint8Array(req.senderNonce!));
    // A second message of the same transaction: the CA refuses the reused transactionID, as an error body.
    await assert.rejects(
      s.exchange(caCerts(), { operation: "getcacerts", expect: "genp" }),
      (e) =>
        e instanceof CmpClientError &&
        e.failInfo.includes("transactionIdInUse") &&
        /server reported an error/.test(e.message),
    );
    const second = decodePKIMessage(sent.at(-1)!).message.header;
    assert.deepEqual(new Uint8Array(second.recipNonce!), new Uint8Array(first.message.header.senderNonce!));
    assert.deepEqual(new Uint8Array(second.transactionID!), s.transactionID);
  });

  it("exchange: an answer of another body type than expected is refused", async () => {
    await assert.rejects(
      session().exchange(caCerts(), { operation: "getcacerts", expect: "rp" }),
      (e) => e instanceof CmpClientError && /expected rp but the server sent genp/.test(e.message),
    );
  });

  it("requireCmp2021 raises pvno of the next message", async () => {
    const s = session();
    assert.equal(s.pvno, 2);
    s.requireCmp2021();
    await s.exchange(caCerts(), { operation: "getcacerts", expect: "genp" });
    assert.equal(decodePKIMessage(sent.at(-1)!).message.header.pvno, 3);
  });

  it("pollUntilReady: waiting ip -> pollRep -> the approved ip, on the injected sleep and clock", async () => {
    const s = session({ credential: idevid });
    const key = generateKeyPair("ec-p256");
    const template = certTemplate({ subject: dn("CN=session-polled"), publicKey: key.publicKey.spki });
    const body = certRequestBody("ir", certReqMessages({ template, pop: { kind: "signature", key } }));
    const first = await s.exchange(body, {
      operation: "initialization",
      expect: "ip",
      generalInfo: [certProfileItav("approval")],
    });
    assert.equal(first.message.body.ip!.response[0]!.status.status, 3, "waiting");
    const sleeps: number[] = [];
    const final = await pollUntilReady(s, first, {
      operation: "initialization",
      expect: ["ip"],
      certReqId: 0,
      sleep: async (ms) => {
        sleeps.push(ms);
        t.clock.advance(ms);
        if (sleeps.length === 2) {
          const id = (await t.store.listApprovals("pending"))[0]!.id;
          assert.equal(await decide(t, id, "approved"), true);
        }
      },
    });
    assert.equal(final.bodyType, "ip");
    assert.equal(final.message.body.ip!.response[0]!.status.status, 0, "accepted");
    assert.deepEqual(sleeps, [1000, 2000]);
  });

  it("forward: sends an end entity's request and checks the answer against its transactionID and nonce", async () => {
    const ee = genmRequest(t, [oids.id_it_caCerts], { cred: t.idevid.cred });
    const s = session();
    const rsp = await s.forward(ee.der, "getcacerts", { expect: ["genp"] });
    assert.equal(rsp.bodyType, "genp");
    assert.deepEqual(new Uint8Array(rsp.message.header.transactionID!), ee.transactionID);
    assert.deepEqual(new Uint8Array(rsp.message.header.recipNonce!), ee.senderNonce);
    assert.notDeepEqual(
      new Uint8Array(rsp.message.header.transactionID!),
      s.transactionID,
      "not the session's own",
    );
  });

  it("forward: an error answer is returned for the end entity; a wrong recipNonce is refused", async () => {
    const ee = genmRequest(t, [oids.id_it_caCerts], { cred: t.idevid.cred });
    const err = await session().forward(ee.der, "initialization");
    assert.equal(err.bodyType, "error", "a genm on the ir path");
    const tampering = session({
      send: async (der, op) => {
        const m = decodePKIMessage(await t.ca.handle(der, { operation: op })).message;
        m.header.recipNonce = randomBytes().slice().buffer;
        delete m.protection;
        const s = t.materials.signer;
        return protectMessage(m, {
          kind: "signature",
          key: s.key,
          certificate: s.cert.der,
          chain: [t.issuing],
        });
      },
    });
    const other = genmRequest(t, [oids.id_it_caCerts], { cred: t.idevid.cred });
    await assert.rejects(
      tampering.forward(other.der, "getcacerts"),
      (e) => e instanceof CmpClientError && e.failInfo.includes("badRecipientNonce"),
    );
  });

  it("forward: a message without transactionID is refused before sending", async () => {
    const before = sent.length;
    const ee = genmRequest(t, [oids.id_it_caCerts], { cred: t.idevid.cred, transactionID: null });
    await assert.rejects(
      session().forward(ee.der, "getcacerts"),
      (e) => e instanceof CmpClientError && e.failInfo.includes("badRequest"),
    );
    assert.equal(sent.length, before);
  });
});
