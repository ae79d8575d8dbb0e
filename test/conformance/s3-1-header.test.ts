// RFC 9483 §3.1 (PKIHeader) on both sides: the CA refuses broken requests with the failInfo and body
// type docs/conformance.md names; the client session refuses broken answers.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer, BitString } from "@peculiar/asn1-schema";
import { Certificate, GeneralName } from "@peculiar/asn1-x509";
import { CMPCertificates, InfoTypeAndValue, InfoTypeAndValues, type PKIMessage } from "../../src/asn1/cmp.js";
import { CertProfileValue } from "../../src/asn1/itav.js";
import * as oids from "../../src/asn1/oids.js";
import { genmBody } from "../../src/cmp/build/index.js";
import { ClientSession } from "../../src/cmp/client/session.js";
import type { ClientCredential } from "../../src/cmp/client/types.js";
import { decodePKIMessage, encodePKIMessage, encodeProtectedPart } from "../../src/cmp/message.js";
import { protectMessage } from "../../src/cmp/protection.js";
import { sign } from "../../src/crypto/index.js";
import { certEntry } from "../../src/pki/path.js";
import {
  createTestCa,
  genmRequest,
  irRequest,
  randomBytes,
  send,
  type Answer,
  type TestCa,
} from "../helpers/ca.js";
import { createStrictCa, refused, reprotect } from "./helpers.js";

function assertError(a: Answer, failInfo: string[], re?: RegExp): void {
  assert.equal(a.bodyType, "error", `expected an error body, got ${a.bodyType}`);
  assert.equal(a.statusName, "rejection");
  assert.deepEqual(a.failInfo, failInfo);
  if (re) assert.match(a.statusString.join(" "), re);
}

const itav = (infoType: string, value?: ArrayBuffer | Uint8Array) =>
  new InfoTypeAndValue({
    infoType,
    infoValue: value instanceof Uint8Array ? value.slice().buffer : value,
  });
const utf8 = (s: string) => new Uint8Array([0x0c, s.length, ...new TextEncoder().encode(s)]);

describe("RFC 9483 §3.1 header: the CA on requests", () => {
  let t: TestCa;
  let strict: TestCa;
  before(async () => {
    t = await createTestCa();
    strict = await createStrictCa();
  });
  after(async () => {
    await t.close();
    await strict.close();
  });

  it("recipNonce in the first message of a transaction -> error badRecipientNonce", async () => {
    const req = irRequest(t, { recipNonce: randomBytes(16) });
    assertError(await send(t.ca, req), ["badRecipientNonce"], /first message of a transaction/);
    const genm = genmRequest(t, [oids.id_it_caCerts], { recipNonce: randomBytes(16) });
    assertError(await send(t.ca, genm), ["badRecipientNonce"]);
  });

  it("MAC-protected request whose sender is not a directoryName -> error badRequest", async () => {
    const m = decodePKIMessage(genmRequest(t, [oids.id_it_caCerts]).der).message;
    m.header.sender = new GeneralName({ rfc822Name: "ee@example.com" });
    delete m.protection;
    const der = protectMessage(m, {
      kind: "pbm",
      secret: new TextEncoder().encode(t.secrets.secret),
      senderKID: new TextEncoder().encode(t.secrets.kid),
      iterations: 1000,
    });
    assertError(await send(t.ca, der), ["badRequest"], /not a directoryName/);
  });

  it("transactionID shorter than 64 bits -> badRequest; 64 bits tolerated; strict: 128 bits", async () => {
    const short = irRequest(t, { transactionID: randomBytes(7) });
    assertError(await send(t.ca, short), ["badRequest"], /transactionID of 56 bits/);
    const eight = irRequest(t, { transactionID: randomBytes(8), implicitConfirm: true });
    assert.equal((await send(t.ca, eight)).statusName, "accepted");
    const strictTid = irRequest(strict, { transactionID: randomBytes(8) });
    assertError(await send(strict.ca, strictTid), ["badRequest"], /shorter than 128 bits/);
    const strictNonce = irRequest(strict, { senderNonce: randomBytes(12) });
    assertError(await send(strict.ca, strictNonce), ["badSenderNonce"], /shorter than 128 bits/);
    const full = irRequest(strict, { implicitConfirm: true });
    assert.equal((await send(strict.ca, full)).statusName, "accepted", "128 bits pass the strict CA");
  });

  it("signed request without senderKID: accepted by default; strict -> error badMessageCheck", async () => {
    const withoutKid = (ca: TestCa): Uint8Array => {
      const m = decodePKIMessage(genmRequest(ca, [oids.id_it_caCerts], { cred: ca.idevid.cred }).der).message;
      assert.ok(m.header.senderKID, "the demo IDevID has an SKI, so a conforming sender names it");
      delete m.header.senderKID;
      return signAgain(ca, m);
    };
    // RFC 9483 §3.1: senderKID is RECOMMENDED, so the default CA accepts its absence.
    assert.equal((await send(t.ca, withoutKid(t))).bodyType, "genp");
    assertError(await send(strict.ca, withoutKid(strict)), ["badMessageCheck"], /without senderKID/);
  });

  it("implicitConfirm whose value is not NULL -> error badDataFormat", async () => {
    const gi = [itav(oids.id_it_implicitConfirm, utf8("yes"))];
    assertError(await send(t.ca, irRequest(t, { generalInfo: gi })), ["badDataFormat"], /implicitConfirm/);
    const absent = [itav(oids.id_it_implicitConfirm)];
    assertError(await send(t.ca, irRequest(t, { generalInfo: absent })), ["badDataFormat"]);
  });

  it("confirmWaitTime that is not a GeneralizedTime -> error badDataFormat", async () => {
    const gi = [itav(oids.id_it_confirmWaitTime, new Uint8Array([0x02, 0x01, 0x05]))];
    assertError(await send(t.ca, irRequest(t, { generalInfo: gi })), ["badDataFormat"], /confirmWaitTime/);
  });

  it("certProfile that is not one UTF8String -> error badDataFormat", async () => {
    const two = AsnSerializer.serialize(new CertProfileValue(["default", "tls-server"]));
    const twoNames = irRequest(t, { generalInfo: [itav(oids.id_it_certProfile, two)] });
    assertError(await send(t.ca, twoNames), ["badDataFormat"], /exactly one UTF8String/);
    const bare = irRequest(t, { generalInfo: [itav(oids.id_it_certProfile, utf8("default"))] });
    assertError(await send(t.ca, bare), ["badDataFormat"], /certProfile/);
  });

  it("an unknown generalInfo infoType is ignored (RFC 9810 §5.1.1)", async () => {
    const gi = [itav("1.3.6.1.4.1.99999.1", utf8("x"))];
    const a = await send(t.ca, irRequest(t, { generalInfo: gi, implicitConfirm: true }));
    assert.equal(a.statusName, "accepted");
  });

  it("the answer's header: same transactionID, recipNonce = our senderNonce, fresh 128-bit senderNonce", async () => {
    const req = genmRequest(t, [oids.id_it_caCerts]);
    const a = await send(t.ca, req);
    assert.deepEqual(a.transactionID, req.transactionID);
    assert.deepEqual(a.recipNonce, req.senderNonce);
    assert.equal(a.senderNonce?.length, 16);
    assert.notDeepEqual(a.senderNonce, req.senderNonce);
    assert.ok(a.decoded.message.header.messageTime, "messageTime is RECOMMENDED and sent");
  });
});

/** Signs `m` again with the IDevID key over its current header (protectMessage would add senderKID). */
function signAgain(ca: TestCa, m: PKIMessage): Uint8Array {
  const i = ca.idevid;
  m.protection = new BitString(sign(m.header.protectionAlg!, i.key, encodeProtectedPart(m)));
  m.extraCerts = new CMPCertificates([i.cert, ...i.chain].map((c) => AsnParser.parse(c, Certificate)));
  return encodePKIMessage(m);
}

describe("RFC 9483 §3.1 header: the client session on answers", () => {
  let t: TestCa;
  let mac: ClientCredential;
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

  const session = (change: (m: PKIMessage) => void) =>
    new ClientSession({
      send: async (der, op) => reprotect(t, await t.ca.handle(der, { operation: op }), change),
      credential: mac,
      trust: { anchors: [certEntry(t.root)], untrusted: [certEntry(t.issuing)] },
      now: t.clock.now,
    });
  const caCerts = (change: (m: PKIMessage) => void) =>
    session(change).exchange(genmBody([itav(oids.id_it_caCerts)]), {
      operation: "getcacerts",
      expect: "genp",
    });

  it("control: the re-protected answer passes", async () => {
    assert.equal((await caCerts(() => undefined)).bodyType, "genp");
  });

  it("an answer whose sender is not a directoryName -> badRequest", async () => {
    const e = await refused(caCerts((m) => (m.header.sender = new GeneralName({ dNSName: "ca.example" }))));
    assert.deepEqual(e.failInfo, ["badRequest"]);
    assert.match(e.message, /not a directoryName/);
  });

  it("an answer with a malformed implicitConfirm or confirmWaitTime -> badDataFormat", async () => {
    const put = (gi: InfoTypeAndValue) => (m: PKIMessage) =>
      (m.header.generalInfo = new InfoTypeAndValues([gi]));
    const ic = await refused(caCerts(put(itav(oids.id_it_implicitConfirm, utf8("no")))));
    assert.deepEqual(ic.failInfo, ["badDataFormat"]);
    const cwt = await refused(caCerts(put(itav(oids.id_it_confirmWaitTime, utf8("soon")))));
    assert.deepEqual(cwt.failInfo, ["badDataFormat"]);
    assert.match(cwt.message, /confirmWaitTime/);
  });

  it("an answer without recipNonce or with another transactionID -> badRecipientNonce / badRequest", async () => {
    const nonce = await refused(caCerts((m) => delete m.header.recipNonce));
    assert.deepEqual(nonce.failInfo, ["badRecipientNonce"]);
    const tid = await refused(caCerts((m) => (m.header.transactionID = randomBytes(16).slice().buffer)));
    assert.deepEqual(tid.failInfo, ["badRequest"]);
  });

  it("the session's first message has no recipNonce and 128-bit transactionID and senderNonce", async () => {
    const sent: Uint8Array[] = [];
    const s = new ClientSession({
      send: async (der, op) => {
        sent.push(der);
        return t.ca.handle(der, { operation: op });
      },
      credential: mac,
      trust: { anchors: [certEntry(t.root)], untrusted: [] },
      now: t.clock.now,
    });
    await s.exchange(genmBody([itav(oids.id_it_caCerts)]), { operation: "getcacerts", expect: "genp" });
    const h = decodePKIMessage(sent[0]!).message.header;
    assert.equal(h.recipNonce, undefined);
    assert.equal(h.transactionID!.byteLength, 16);
    assert.equal(h.senderNonce!.byteLength, 16);
  });
});
