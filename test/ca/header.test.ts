// Characterization of the CA's header rules (RFC 9483 §3.1-3.5), calling its handler directly:
// each broken header field and the exact answer the CA gives today.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildDemoPki } from "../../src/ca/demo.js";
import { importPrivateKeyPem } from "../../src/crypto/index.js";
import * as oids from "../../src/asn1/oids.js";
import {
  certConfFor,
  createTestCa,
  genmRequest,
  irRequest,
  pemCertificates,
  randomBytes,
  send,
  type Answer,
  type BuiltRequest,
  type RequestCredential,
  type TestCa,
} from "../helpers/ca.js";

/** The IDevID of another manufacturer: a valid chain to an anchor this CA does not know. */
function strangerCredential(): RequestCredential {
  const files = Object.fromEntries(buildDemoPki({ org: "elsewhere" }).files.map((f) => [f.name, f.content]));
  const [cert, ...chain] = pemCertificates(files["idevid-chain.crt"]!);
  return { kind: "signature", key: importPrivateKeyPem(files["idevid.key"]!), cert: cert!, chain };
}

describe("CA header rules", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  /** An error message with these failInfo bits and a statusString, echoing the request where it can. */
  function assertError(a: Answer, failInfo: string[], req?: BuiltRequest): void {
    assert.equal(a.bodyType, "error");
    assert.equal(a.statusName, "rejection");
    assert.deepEqual(a.failInfo, failInfo);
    assert.ok(a.statusString.length > 0 && a.statusString[0]!.length > 0, "statusString is present");
    if (req?.transactionID) assert.deepEqual(a.transactionID, req.transactionID, "transactionID echoed");
    if (req?.senderNonce) assert.deepEqual(a.recipNonce, req.senderNonce, "recipNonce = request senderNonce");
    assert.ok(a.senderNonce && a.senderNonce.length === 16, "a fresh 128-bit senderNonce");
  }
  /** The answer is signed by the CMP signer (the CA could not or did not authenticate the requester). */
  function assertSignedByCa(a: Answer): void {
    assert.ok(a.decoded.message.protection, "protected");
    assert.deepEqual(a.decoded.extraCerts[0]?.der, t.materials.signer.cert.der);
  }
  function assertMacProtected(a: Answer): void {
    assert.equal(a.decoded.message.header.protectionAlg?.algorithm, oids.id_PasswordBasedMac);
  }

  it("pvno 2 and 3 are accepted and echoed", async () => {
    for (const pvno of [2, 3]) {
      const a = await send(t.ca, irRequest(t, { pvno, implicitConfirm: true }));
      assert.equal(a.bodyType, "ip");
      assert.equal(a.statusName, "accepted");
      assert.equal(a.decoded.message.header.pvno, pvno);
    }
  });

  it("pvno 1 and 4 -> unsupportedVersion, answered with pvno 2", async () => {
    for (const pvno of [1, 4]) {
      const req = irRequest(t, { pvno });
      const a = await send(t.ca, req);
      assertError(a, ["unsupportedVersion"], req);
      assert.equal(a.decoded.message.header.pvno, 2);
      assertSignedByCa(a);
    }
  });

  it("no transactionID -> badRequest; the answer carries a transactionID of its own", async () => {
    const req = irRequest(t, { transactionID: null });
    const a = await send(t.ca, req);
    assertError(a, ["badRequest"], req);
    assert.equal(a.transactionID?.length, 16);
  });

  it("senderNonce missing or shorter than 8 bytes -> badSenderNonce", async () => {
    const none = irRequest(t, { senderNonce: null });
    const a = await send(t.ca, none);
    assertError(a, ["badSenderNonce"], none);
    assert.equal(a.recipNonce, undefined, "no recipNonce when there is no senderNonce to echo");
    const short = irRequest(t, { senderNonce: randomBytes(7) });
    assertError(await send(t.ca, short), ["badSenderNonce"], short);
    const eight = irRequest(t, { senderNonce: randomBytes(8), implicitConfirm: true });
    assert.equal((await send(t.ca, eight)).bodyType, "ip", "64 bits are enough");
  });

  it("a replayed message (same senderNonce) -> badSenderNonce, MAC-protected", async () => {
    const req = genmRequest(t, [oids.id_it_caCerts]);
    assert.equal((await send(t.ca, req)).bodyType, "genp");
    const again = await send(t.ca, req);
    assertError(again, ["badSenderNonce"], req);
    assertMacProtected(again);
    const reused = genmRequest(t, [oids.id_it_caCerts], { senderNonce: req.senderNonce });
    assertError(await send(t.ca, reused), ["badSenderNonce"], reused);
  });

  it("two copies of one ir at the same time: one is answered with a certificate, the other badSenderNonce", async () => {
    const req = irRequest(t, { subject: "CN=replay-race", implicitConfirm: true });
    const answers = await Promise.all([send(t.ca, req), send(t.ca, req)]);
    const types = answers.map((a) => a.bodyType).sort();
    assert.deepEqual(types, ["error", "ip"]);
    assertError(
      answers.find((a) => a.bodyType === "error")!,
      ["badSenderNonce"],
      req,
    );
    const issued = await t.store.findCertificates({ subject: "CN=replay-race" });
    assert.equal(issued.length, 1, "the copy that lost the race stored nothing");
  });

  it("an authenticated message that failed is remembered: its replay -> badSenderNonce", async () => {
    const first = await send(t.ca, irRequest(t, { implicitConfirm: true }));
    // A certConf for a transaction that was implicitly confirmed: refused, and nothing is written.
    const conf = certConfFor(t, first);
    assert.equal((await send(t.ca, conf)).bodyType, "error");
    assertError(await send(t.ca, conf), ["badSenderNonce"], conf);
  });

  it("messageTime beyond messageTimeSkew -> badTime; within the skew or absent is accepted", async () => {
    assert.equal(t.config.policy.messageTimeSkew, 600_000);
    for (const off of [-601_000, 601_000]) {
      const req = genmRequest(t, [oids.id_it_caCerts], {
        messageTime: new Date(t.clock.now().getTime() + off),
      });
      const a = await send(t.ca, req);
      assertError(a, ["badTime"], req);
      assert.match(a.statusString[0]!, /601 s/);
    }
    for (const off of [-599_000, 599_000]) {
      const req = genmRequest(t, [oids.id_it_caCerts], {
        messageTime: new Date(t.clock.now().getTime() + off),
      });
      assert.equal((await send(t.ca, req)).bodyType, "genp");
    }
    const absent = genmRequest(t, [oids.id_it_caCerts], { messageTime: null });
    assert.equal((await send(t.ca, absent)).bodyType, "genp");
  });

  it("recipient not this CA -> wrongAuthority; NULL-DN and the CA's names are accepted", async () => {
    const req = genmRequest(t, [oids.id_it_caCerts], { recipient: "CN=Some Other CA,O=elsewhere" });
    assertError(await send(t.ca, req), ["wrongAuthority"], req);
    for (const recipient of [
      "",
      "CN=Demo Issuing CA,O=lwcmp demo",
      "CN=Demo CMP Signer,O=lwcmp demo",
      "CN=Demo Root CA,O=lwcmp demo",
    ]) {
      const ok = genmRequest(t, [oids.id_it_caCerts], { recipient });
      assert.equal((await send(t.ca, ok)).bodyType, "genp", recipient);
    }
  });

  it("unprotected -> badMessageCheck, signed by the CA", async () => {
    const req = irRequest(t, { cred: { kind: "none" } });
    const a = await send(t.ca, req);
    assertError(a, ["badMessageCheck"], req);
    assertSignedByCa(a);
  });

  it("wrong MAC secret or an altered MAC -> badMessageCheck", async () => {
    const wrong = irRequest(t, { cred: { kind: "mac", kid: t.secrets.kid, secret: "not-the-secret" } });
    const a = await send(t.ca, wrong);
    assertError(a, ["badMessageCheck"], wrong);
    assertSignedByCa(a);
    const altered = irRequest(t, { protection: "corrupt" });
    assertError(await send(t.ca, altered), ["badMessageCheck"], altered);
  });

  it("PBMAC1 with the right secret is accepted", async () => {
    const req = irRequest(t, { cred: { ...t.secrets, kind: "mac", alg: "pbmac1" }, implicitConfirm: true });
    const a = await send(t.ca, req);
    assert.equal(a.statusName, "accepted");
    assert.equal(a.decoded.message.header.protectionAlg?.algorithm, oids.id_PBMAC1, "answered with PBMAC1");
  });

  it("unknown senderKID -> signerNotTrusted", async () => {
    const req = irRequest(t, { senderKID: new TextEncoder().encode("no-such-kid") });
    const a = await send(t.ca, req);
    assertError(a, ["signerNotTrusted"], req);
    assert.match(a.statusString[0]!, /no-such-kid/);
  });

  it("signature by a certificate of an unknown PKI -> signerNotTrusted", async () => {
    const req = irRequest(t, { cred: strangerCredential() });
    const a = await send(t.ca, req);
    assertError(a, ["signerNotTrusted"], req);
    assertSignedByCa(a);
  });

  it("an altered signature -> badMessageCheck", async () => {
    const req = irRequest(t, { cred: t.idevid.cred, protection: "corrupt" });
    assertError(await send(t.ca, req), ["badMessageCheck"], req);
  });

  it("sender differs from the protection certificate subject -> badMessageCheck", async () => {
    const req = irRequest(t, { cred: t.idevid.cred, sender: "CN=Someone Else" });
    const a = await send(t.ca, req);
    assertError(a, ["badMessageCheck"], req);
    assert.match(a.statusString[0]!, /differs from the protection certificate subject/);
  });

  it("senderKID of a signed request that is not the certificate's SKI -> badMessageCheck", async () => {
    // RFC 9483 §3.1: senderKID, when present, holds the SKI of the protection certificate.
    const req = irRequest(t, { cred: t.idevid.cred, senderKID: randomBytes(20), implicitConfirm: true });
    const a = await send(t.ca, req);
    assertError(a, ["badMessageCheck"], req);
    assert.match(a.statusString[0]!, /senderKID is not the subjectKeyIdentifier/);
  });

  it("transactionID in use -> transactionIdInUse, MAC-protected", async () => {
    const first = irRequest(t);
    assert.equal((await send(t.ca, first)).bodyType, "ip");
    const second = irRequest(t, { transactionID: first.transactionID });
    const a = await send(t.ca, second);
    assertError(a, ["transactionIdInUse"], second);
    assertMacProtected(a);
  });

  it("certConf with a wrong or missing recipNonce -> badRecipientNonce", async () => {
    const ir = irRequest(t);
    const ip = await send(t.ca, ir);
    const wrong = certConfFor(t, ip, { recipNonce: randomBytes() });
    assertError(await send(t.ca, wrong), ["badRecipientNonce"], wrong);
    const missing = certConfFor(t, ip, { recipNonce: null });
    assertError(await send(t.ca, missing), ["badRecipientNonce"], missing);
    // The transaction is still open: the right certConf is accepted afterwards.
    assert.equal((await send(t.ca, certConfFor(t, ip))).bodyType, "pkiconf");
  });

  it("a body on another operation's path -> badRequest; continuation messages fit every path", async () => {
    const ir = irRequest(t);
    const a = await send(t.ca, ir, { operation: "revocation" });
    assertError(a, ["badRequest"], ir);
    assert.match(a.statusString[0]!, /does not belong on the "revocation" path/);
    const genm = genmRequest(t, [oids.id_it_caCerts]);
    assertError(await send(t.ca, genm, { operation: "initialization" }), ["badRequest"], genm);
    const ok = await send(t.ca, irRequest(t), { operation: "initialization" });
    assert.equal(ok.bodyType, "ip");
    assert.equal((await send(t.ca, certConfFor(t, ok), { operation: "revocation" })).bodyType, "pkiconf");
    // An operation name the CA does not know restricts nothing.
    const any = await send(t.ca, genmRequest(t, [oids.id_it_caCerts]), { operation: "no-such-operation" });
    assert.equal(any.bodyType, "genp");
  });

  it("the path check comes before the header checks", async () => {
    const req = irRequest(t, { pvno: 1 });
    assertError(await send(t.ca, req, { operation: "revocation" }), ["badRequest"], req);
  });

  it("garbage bytes -> error badDataFormat, signed by the CA, with fresh header fields", async () => {
    for (const junk of [
      new Uint8Array(0),
      Uint8Array.of(1, 2, 3),
      Uint8Array.of(0x30, 0x03, 0x02, 0x01),
      new Uint8Array(300).fill(0x30),
    ]) {
      const a = await send(t.ca, junk);
      assertError(a, ["badDataFormat"]);
      assert.match(a.statusString[0]!, /^malformed PKIMessage/);
      assert.equal(a.recipNonce, undefined);
      assert.equal(a.transactionID?.length, 16);
      assertSignedByCa(a);
    }
  });
});
