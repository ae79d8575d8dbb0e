// Mutated real PKIMessages posted to the real HTTP server (in a child process): every answer is a
// PKIMessage or an HTTP 4xx, never a 500, and the server's memory stays bounded.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { randomBytes } from "node:crypto";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CMPCertificates, PKIBody, PKIMessage } from "../../src/asn1/cmp.js";
import { buildHeader } from "../../src/cmp/header.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { describeStatus } from "../../src/cmp/status.js";
import { directoryName } from "../../src/pki/names.js";
import { buildCorpus, runFuzz, startFuzzServer, type FuzzServer } from "./fuzz-lib.js";

const SEED = Number(process.env.LWCMP_FUZZ_SEED ?? 20261202);
const MB = 1024 * 1024;

describe("HTTP fuzzing of the CMP server", () => {
  let s: FuzzServer;
  before(async () => {
    s = await startFuzzServer();
  });
  after(() => s.stop());

  it("answers a sender Name holding a UTCTime with text with a CMP error, not HTTP 500", async () => {
    const m = new PKIMessage({
      header: buildHeader({ sender: directoryName("CN=zzzzzzzzzz"), recipient: directoryName("CN=b") }),
      body: new PKIBody({ pkiconf: null }),
    });
    const der = new Uint8Array(AsnSerializer.serialize(m));
    const at = Buffer.from(der).indexOf(Buffer.from("zzzzzzzzzz")) - 2;
    der[at] = 0x17; // UTF8String -> UTCTime, same 10 bytes of text
    der.set(Buffer.from("not a time"), at + 2);
    const r = await fetch(`${s.url}/.well-known/cmp`, {
      method: "POST",
      headers: { "Content-Type": "application/pkixcmp" },
      body: der,
    });
    assert.equal(r.status, 200);
    const answer = decodePKIMessage(new Uint8Array(await r.arrayBuffer()));
    assert.equal(answer.bodyType, "error");
    assert.deepEqual(describeStatus(answer.message.body.error!.pKIStatusInfo).failInfo, ["badDataFormat"]);
  });

  it("requests with large, distinct extraCerts that do not authenticate leave the certificate cache alone", async () => {
    const corpus = await buildCorpus(s);
    // The cr the client sent with its certificate: signature-protected, extraCerts[0] its certificate.
    const signed = corpus
      .map((d) => decodePKIMessage(d))
      .find((d) => d.bodyType === "cr" && d.extraCerts.length > 0)!;
    assert.ok(signed, "a signed cr in the corpus");
    const before = (await s.stats()).certCache;
    for (let i = 0; i < 20; i++) {
      const m = signed.message;
      // A certificate whose signature is 300 KB of random bytes: it parses, it is unique, it cannot verify.
      const big = AsnParser.parse(signed.extraCerts[0]!.der, Certificate);
      big.signatureValue = randomBytes(300_000).buffer;
      m.extraCerts = new CMPCertificates([big]);
      const der = new Uint8Array(AsnSerializer.serialize(m));
      const r = await fetch(`${s.url}/.well-known/cmp`, {
        method: "POST",
        headers: { "Content-Type": "application/pkixcmp" },
        body: der,
      });
      assert.equal(r.status, 200);
      assert.equal(decodePKIMessage(new Uint8Array(await r.arrayBuffer())).bodyType, "error");
    }
    assert.deepEqual((await s.stats()).certCache, before);
  });

  it(`answers mutated messages with PKIMessages or 4xx, within bounded memory (seed ${SEED})`, async (t) => {
    const corpus = await buildCorpus(s);
    assert.ok(corpus.length >= 25, `corpus of ${corpus.length} messages`);
    const r = await runFuzz(s, corpus, { seed: SEED, durationMs: 8000, concurrency: 4 });
    const summary = JSON.stringify({ ...r, failures: r.failures.length });
    t.diagnostic(summary);
    assert.ok(r.messages >= 200, `only ${r.messages} messages: ${summary}`);
    assert.equal(r.outcomes.http5xx, 0, `500 answers: ${JSON.stringify(r.failures.slice(0, 3))}`);
    assert.equal(
      r.outcomes.badAnswer,
      0,
      `answers that are not PKIMessages: ${JSON.stringify(r.failures.slice(0, 3))}`,
    );
    assert.equal(r.outcomes.networkError, 0, summary);
    assert.ok(r.outcomes.cmpAnswer > r.messages / 2, summary);
    assert.equal((await s.stats()).httpErrors, 0);
    const growth = (r.peakRss - r.baselineRss) / MB;
    assert.ok(growth < 200, `server RSS grew ${growth.toFixed(0)} MB: ${summary}`);
  });
});
