// The responder role in-process under a test clock: answers are lookups (the same bytes until re-signed),
// refresh pre-produces every certificate and re-signs on schedule, status changes and expiry are caught at
// lookup; an ML-DSA CA answered over HTTP and verified by lwcmp's own parser.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CmpClient } from "../../src/client/client.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { OcspResponder } from "../../src/ocsp/responder.js";
import { buildOcspRequest, parseOcspResponse } from "../../src/pki/ocsp.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { cmpUrl, postCmp } from "../../src/transport/http-client.js";
import { createTestCa, enrolled, serialOf, type TestCa } from "../helpers/ca.js";
import { startDemo, type Demo } from "../helpers/demo.js";

const HOUR = 3_600_000;

describe("OcspResponder", () => {
  let t: TestCa;
  let r: OcspResponder;
  let issuer: Certificate;
  const certs: Certificate[] = [];
  before(async () => {
    t = await createTestCa();
    issuer = AsnParser.parse(t.issuing, Certificate);
    r = new OcspResponder({
      issuer: t.materials.caCert,
      signer: { cert: t.materials.caCert, key: t.materials.caKey },
      store: t.store,
      policy: { validityMs: 24 * HOUR, refreshMs: HOUR },
      now: t.clock.now,
    });
    for (const n of ["a", "b", "c"])
      certs.push(AsnParser.parse((await enrolled(t, `CN=${n}`)).cert, Certificate));
  });
  after(() => t.close());

  const ask = (c: Certificate, hash: "sha1" | "sha256" = "sha256") =>
    r.answer(buildOcspRequest(c, issuer, { hash }));

  it("refresh pre-produces both CertID hashes of every certificate, then nothing until due", async () => {
    assert.equal(await r.refresh(), certs.length * 2);
    assert.equal(await r.refresh(), 0);
    t.clock.advance(HOUR + 1000);
    assert.equal(await r.refresh(), certs.length * 2);
  });

  it("refresh awaits its pacer after every response, with the time that response took", async () => {
    t.clock.advance(HOUR + 1000);
    const work: number[] = [];
    let paused = 0;
    const n = await r.refresh(async (ms) => {
      work.push(ms);
      await new Promise((res) => setTimeout(res, 1));
      paused++;
    });
    assert.equal(n, certs.length * 2);
    assert.equal(work.length, n, "one call per response");
    assert.equal(paused, n, "each pause ended before refresh returned");
    assert.ok(
      work.every((ms) => ms > 0),
      "a signature takes time",
    );
    // A pacer that stops the refresh: what was signed before stays, the rest is due at the next run.
    t.clock.advance(HOUR + 1000);
    await assert.rejects(
      r.refresh(() => Promise.reject(new Error("stop"))),
      /stop/,
    );
    assert.equal(await r.refresh(), certs.length * 2 - 1);
  });

  it("answers are lookups: the same signed bytes, good", async () => {
    const a1 = await ask(certs[0]!);
    const a2 = await ask(certs[0]!, "sha256");
    assert.deepEqual(a1.der, a2.der);
    const p = parseOcspResponse(a1.der);
    assert.equal(p.responses[0]!.status, "good");
    assert.equal(p.hasNonce, false);
    assert.equal(p.responses[0]!.nextUpdate!.getTime() - p.responses[0]!.thisUpdate.getTime(), 24 * HOUR);
  });

  it("a request nonce is ignored: the pre-produced response is served", async () => {
    const plain = await ask(certs[1]!);
    const withNonce = await r.answer(
      buildOcspRequest(certs[1]!, issuer, { nonce: new Uint8Array(16).fill(1) }),
    );
    assert.deepEqual(withNonce.der, plain.der);
  });

  it("a status change in the store is answered at the next lookup and stored", async () => {
    const c = certs[2]!;
    const before = await ask(c);
    const serial = serialOf(new Uint8Array(AsnSerializer.serialize(c)));
    await t.store.setCertificateStatus(r.issuerName, serial, "revoked", { time: t.clock.now(), reason: 5 });
    const after = await ask(c);
    assert.notDeepEqual(after.der, before.der);
    const s = parseOcspResponse(after.der).responses[0]!;
    assert.equal(s.status, "revoked");
    assert.equal(s.revocationReason, 5);
    assert.deepEqual((await ask(c)).der, after.der);
    assert.equal(await r.refresh(), 1); // the SHA-1 response of the same certificate
  });

  it("an expired response is signed anew at lookup", async () => {
    const old = await ask(certs[0]!);
    t.clock.advance(25 * HOUR);
    const fresh = await ask(certs[0]!);
    assert.notDeepEqual(fresh.der, old.der);
    assert.ok(parseOcspResponse(fresh.der).responses[0]!.nextUpdate! > t.clock.now());
  });

  it("malformed requests and foreign issuers get error statuses", async () => {
    assert.equal((await r.answer(Uint8Array.of(0x30, 0x03, 0x01))).status, "malformedRequest");
    const root = AsnParser.parse(t.root, Certificate);
    assert.equal((await r.answer(buildOcspRequest(issuer, root))).status, "unauthorized");
  });
});

describe("an ML-DSA CA's responder over HTTP", () => {
  let d: Demo;
  before(async () => {
    d = await startDemo({ alg: "ml-dsa-65" });
  });
  after(() => d.close());

  it("answers good, signed with ML-DSA by the delegated responder, verified by lwcmp", async () => {
    const client = new CmpClient({
      send: (der, op) => postCmp(cmpUrl(d.url, undefined, op), der),
      credential: { kind: "mac", reference: d.kid, secret: new TextEncoder().encode(d.secret) },
      trusted: pemBlocks(d.read("root-ca.crt")),
      untrusted: [pemBlocks(d.read("issuing-ca.crt"))[0]!],
    });
    const e = await client.enroll("ir", { subject: "CN=pq-device", newKey: generateKeyPair("ml-dsa-44") });
    const issuer = AsnParser.parse(pemBlocks(d.read("issuing-ca.crt"))[0]!, Certificate);
    const req = buildOcspRequest(AsnParser.parse(e.certificate, Certificate), issuer);
    const res = await fetch(`${d.url}/ocsp`, {
      method: "POST",
      headers: { "Content-Type": "application/ocsp-request" },
      body: req,
    });
    assert.equal(res.status, 200);
    const p = parseOcspResponse(new Uint8Array(await res.arrayBuffer()));
    assert.equal(p.responses[0]!.status, "good");
    const responder = AsnParser.parse(pemBlocks(d.read("ocsp-responder.crt"))[0]!, Certificate);
    assert.equal(responder.signatureAlgorithm.algorithm, "2.16.840.1.101.3.4.3.18");
    assert.ok(p.verifySignature(responder));
    assert.ok(!p.verifySignature(issuer));
  });
});
