// Nested messages at the CA (RFC 9483 §5.2.2, RFC 9810 §5.1.3.4): a configured RA's wrapper, each inner
// request handled on its own, one answer per request in order.
import { X509Certificate } from "node:crypto";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PKIBody } from "../../src/asn1/cmp.js";
import { CertReqMessages, CertReqMsg, ProofOfPossession } from "../../src/asn1/crmf.js";
import { nestedBody } from "../../src/cmp/build/request.js";
import { hex } from "../../src/cmp/header.js";
import {
  decodeNested,
  decodePKIMessage,
  DEFAULT_DECODE_LIMITS,
  setDecodeLimits,
} from "../../src/cmp/message.js";
import { importPrivateKeyPem } from "../../src/crypto/index.js";
import { startCmpHttpServer } from "../../src/transport/http-server.js";
import { cmpUrl, postCmp } from "../../src/transport/http-client.js";
import {
  certConfFor,
  createTestCa,
  enrolled,
  irRequest,
  pemCertificates,
  request,
  send,
  summarize,
  type Answer,
  type RequestCredential,
  type TestCa,
} from "../helpers/ca.js";

const NESTED = { operation: "nested" };

function raCred(t: TestCa): RequestCredential {
  const [cert] = pemCertificates(t.files["ra-signer.crt"]!);
  return { kind: "signature", key: importPrivateKeyPem(t.files["ra-signer.key"]!), cert: cert! };
}

function wrap(t: TestCa, inner: Uint8Array[], cred = raCred(t)) {
  return request(t, nestedBody(inner), { cred });
}

/** The wrapper's answer and the inner answers in order. */
async function sendNested(t: TestCa, inner: Uint8Array[], cred?: RequestCredential) {
  const w = wrap(t, inner, cred);
  const outer = await send(t.ca, w, NESTED);
  const answers: Answer[] =
    outer.bodyType === "nested" ? decodeNested(outer.decoded.message.body).map((d) => summarize(d.der)) : [];
  return { w, outer, answers };
}

function verifiable(t: TestCa, cert: Uint8Array): boolean {
  return new X509Certificate(cert).verify(new X509Certificate(t.issuing).publicKey);
}

describe("nested messages from a configured RA (RFC 9483 §5.2.2)", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("answers a wrapped ir from a MAC EE with a signed nested answer bound to the wrapper", async () => {
    const ir = irRequest(t, { subject: "CN=nested-mac", implicitConfirm: true });
    const { w, outer, answers } = await sendNested(t, [ir.der]);
    assert.equal(outer.bodyType, "nested");
    assert.deepEqual(outer.recipNonce, w.senderNonce);
    assert.deepEqual(outer.transactionID, w.transactionID);
    assert.equal(outer.decoded.message.header.protectionAlg?.algorithm.startsWith("1.2.840.10045"), true);
    assert.equal(answers.length, 1);
    assert.equal(answers[0]!.bodyType, "ip");
    assert.deepEqual(answers[0]!.recipNonce, ir.senderNonce);
    assert.equal(verifiable(t, answers[0]!.certificate!), true);
  });

  it("answers a wrapped ir from a signature EE", async () => {
    const ir = irRequest(t, { subject: "CN=nested-sig", cred: t.idevid.cred, implicitConfirm: true });
    const { answers } = await sendNested(t, [ir.der]);
    assert.equal(answers[0]!.bodyType, "ip");
    assert.equal(answers[0]!.status, 0);
    assert.equal(verifiable(t, answers[0]!.certificate!), true);
  });

  it("answers a batch of 50 mixed requests in order, then their certConf batch", async () => {
    const irs = Array.from({ length: 50 }, (_, i) =>
      irRequest(t, { subject: `CN=batch-${i}`, cred: i % 2 ? t.idevid.cred : t.mac }),
    );
    const { answers } = await sendNested(
      t,
      irs.map((r) => r.der),
    );
    assert.equal(answers.length, 50);
    answers.forEach((a, i) => {
      assert.equal(a.bodyType, "ip", `answer ${i}: ${a.statusString.join("; ")}`);
      assert.equal(hex(a.transactionID!), hex(irs[i]!.transactionID!));
      assert.equal(verifiable(t, a.certificate!), true);
    });
    const confs = answers.map((a, i) => certConfFor(t, a, { cred: i % 2 ? t.idevid.cred : t.mac }).der);
    const done = await sendNested(t, confs);
    assert.deepEqual(
      done.answers.map((a) => a.bodyType),
      confs.map(() => "pkiconf"),
    );
  });

  it("refuses a nested message from a sender that is not a configured RA", async () => {
    const ee = await enrolled(t, "CN=not-an-ra");
    const ir = irRequest(t, { subject: "CN=x" });
    const { outer } = await sendNested(t, [ir.der], ee.cred);
    assert.equal(outer.bodyType, "error");
    assert.deepEqual(outer.failInfo, ["notAuthorized"]);
    assert.match(outer.statusString.join(), /only from configured RAs/);
  });

  it("refuses a MAC-protected nested message", async () => {
    const ir = irRequest(t, { subject: "CN=x" });
    const { outer } = await sendNested(t, [ir.der], t.mac);
    assert.deepEqual(outer.failInfo, ["notAuthorized"]);
  });

  it("handles each inner message on its own: raVerified, replay and a broken signature fail alone", async () => {
    const good = irRequest(t, { subject: "CN=fine-1", implicitConfirm: true });
    const raPop = irRequest(t, { subject: "CN=ra-pop", implicitConfirm: true, pop: "none" });
    const reqs = decodePKIMessage(raPop.der).message.body.ir as CertReqMessages;
    const msg = new CertReqMsg({
      certReq: reqs[0]!.certReq,
      popo: new ProofOfPossession({ raVerified: null }),
    });
    const raVerified = request(t, new PKIBody({ ir: new CertReqMessages([msg]) }), { implicitConfirm: true });
    const broken = irRequest(t, { subject: "CN=broken", cred: t.idevid.cred, protection: "corrupt" });
    const last = irRequest(t, { subject: "CN=fine-2", implicitConfirm: true });
    const { answers } = await sendNested(t, [good.der, raVerified.der, good.der, broken.der, last.der]);
    assert.deepEqual(
      answers.map((a) => [a.bodyType, a.failInfo.join()]),
      [
        ["ip", ""],
        ["ip", "badPOP"],
        ["error", "badSenderNonce"],
        ["error", "badMessageCheck"],
        ["ip", ""],
      ],
    );
  });

  it("allows one nested message inside another and refuses a third level", async () => {
    const ir2 = irRequest(t, { subject: "CN=level-2", implicitConfirm: true });
    const level2 = wrap(t, [ir2.der]);
    const { answers } = await sendNested(t, [level2.der]);
    assert.equal(answers[0]!.bodyType, "nested");
    const deep = decodeNested(answers[0]!.decoded.message.body).map((d) => summarize(d.der));
    assert.equal(deep[0]!.bodyType, "ip");

    const ir3 = irRequest(t, { subject: "CN=level-3" });
    const three = wrap(t, [wrap(t, [wrap(t, [ir3.der]).der]).der]);
    const outer = await send(t.ca, three, NESTED);
    const l2 = decodeNested(outer.decoded.message.body).map((d) => summarize(d.der));
    const l3 = decodeNested(l2[0]!.decoded.message.body).map((d) => summarize(d.der));
    assert.equal(l3[0]!.bodyType, "error");
    assert.deepEqual(l3[0]!.failInfo, ["badRequest"]);
    assert.match(l3[0]!.statusString.join(), /at most 2 levels/);
  });

  it("offers the nested path in discovery", () => {
    assert.ok(t.ca.discovery().operations.includes("nested"));
  });

  it("keeps the single-message node limit on other paths, sized for 100 requests on the nested path", async () => {
    const irs = Array.from({ length: 100 }, (_, i) =>
      irRequest(t, { subject: `CN=big-${i}`, cred: t.idevid.cred, implicitConfirm: true }),
    );
    const w = wrap(
      t,
      irs.map((r) => r.der),
    );
    // The server's single-message limit (server.limits.maxAsn1Nodes, default 4000), as `serve` sets it.
    setDecodeLimits({ maxNodes: 4_000 });
    let elsewhere;
    try {
      elsewhere = await send(t.ca, w, { operation: "initialization" });
    } finally {
      setDecodeLimits({ maxNodes: DEFAULT_DECODE_LIMITS.maxNodes });
    }
    assert.deepEqual(elsewhere.failInfo, ["badDataFormat"]);
    const w2 = wrap(
      t,
      irs.map((r) => r.der),
    );
    // The answer carries 100 certificates with their chains: the receiving RA needs a larger limit too.
    const outer = decodePKIMessage(await t.ca.handle(w2.der, NESTED), { maxNodes: 200_000 });
    assert.equal(outer.bodyType, "nested");
    const inner = decodeNested(outer.message.body).map((d) => summarize(d.der));
    assert.deepEqual(new Set(inner.map((a) => a.bodyType)), new Set(["ip"]));
    assert.equal(inner.length, 100);
  });
});

describe("nested messages from an RA certificate without id-kp-cmcRA", () => {
  it("refuses them (RFC 6402 §2.10)", async () => {
    const t = await createTestCa({
      configPatch: (y) => y.replace("ras: [ra-signer.crt]", "ras: [ra-signer.crt, idevid-chain.crt]"),
    });
    try {
      const ir = irRequest(t, { subject: "CN=x" });
      const { outer } = await sendNested(t, [ir.der], t.idevid.cred);
      assert.deepEqual(outer.failInfo, ["notAuthorized"]);
    } finally {
      await t.close();
    }
  });
});

describe("nested messages over HTTP", () => {
  it("posts a batch to /.well-known/cmp/nested and gets one answer per request", async () => {
    const t = await createTestCa();
    const srv = await startCmpHttpServer((der, ctx) => t.ca.handle(der, ctx));
    try {
      const irs = [0, 1, 2].map((i) => irRequest(t, { subject: `CN=http-${i}`, implicitConfirm: true }));
      const w = wrap(
        t,
        irs.map((r) => r.der),
      );
      const answer = summarize(
        await postCmp(cmpUrl(srv.url.replace(/\/\.well-known\/cmp$/, "/"), undefined, "nested"), w.der),
      );
      assert.equal(answer.bodyType, "nested");
      const inner = decodeNested(answer.decoded.message.body).map((d) => summarize(d.der));
      assert.deepEqual(
        inner.map((a) => a.bodyType),
        ["ip", "ip", "ip"],
      );
    } finally {
      await srv.close();
      await t.close();
    }
  });
});
