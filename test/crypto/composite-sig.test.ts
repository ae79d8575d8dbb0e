// Composite ML-DSA against the draft's published test vectors (test/vectors/composite-sigs).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  COMPOSITE_SIG_ALGORITHMS,
  compositeSigAlgorithm,
  compositeSign,
  compositeVerify,
  importCompositePrivateKey,
  importCompositePublicKey,
} from "../../src/crypto/composite-sig.js";
import { firstChild } from "../../src/pki/der.js";

const VEC = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "test",
  "vectors",
  "composite-sigs",
  "testvectors.json",
);
interface Vec {
  tcId: string;
  pk: string;
  x5c: string;
  sk: string;
  s: string;
  sWithContext: string;
}
const file = JSON.parse(readFileSync(VEC, "utf8")) as { m: string; ctx: string; tests: Vec[] };
const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const m = b64(file.m);
const ctx = b64(file.ctx);
const composites = file.tests.filter((t) => /^id-MLDSA\d+-/.test(t.tcId));

describe("composite ML-DSA (draft-ietf-lamps-pq-composite-sigs vectors)", () => {
  it("the vectors cover all 18 composite algorithms of the table", () => {
    assert.equal(composites.length, 18);
    assert.deepEqual(
      composites.map((t) => t.tcId.slice(3)).sort(),
      COMPOSITE_SIG_ALGORITHMS.map((a) => a.name).sort(),
    );
  });

  for (const t of composites) {
    it(`${t.tcId}`, () => {
      const cert = AsnParser.parse(b64(t.x5c), Certificate);
      const alg = compositeSigAlgorithm(t.tcId);
      // The OID in the vector's certificate is the one our table assigns to this name.
      assert.equal(cert.signatureAlgorithm.algorithm, alg.oid);
      assert.equal(cert.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm, alg.oid);
      const pkRaw = b64(t.pk);
      assert.deepEqual(
        Buffer.from(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
        Buffer.from(pkRaw),
      );
      const pub = importCompositePublicKey(alg.oid, pkRaw);
      assert.equal(compositeVerify(pub, m, b64(t.s)), true, "s over m");
      assert.equal(compositeVerify(pub, m, b64(t.sWithContext), ctx), true, "sWithContext over m with ctx");
      assert.equal(compositeVerify(pub, m, b64(t.sWithContext)), false, "the context is bound");
      // The self-signed certificate's signature verifies with the same code.
      const certDer = b64(t.x5c);
      assert.equal(
        compositeVerify(pub, firstChild(certDer), new Uint8Array(cert.signatureValue)),
        true,
        "x5c self-signature",
      );
      // The private key re-derives the same public key, byte for byte, and signs verifiably.
      const priv = importCompositePrivateKey(alg.oid, b64(t.sk));
      assert.deepEqual(Buffer.from(priv.publicKey.raw), Buffer.from(pkRaw));
      assert.deepEqual(Buffer.from(priv.raw), Buffer.from(b64(t.sk)));
      const sig = compositeSign(priv, m, ctx);
      assert.equal(compositeVerify(pub, m, sig, ctx), true);
      // A signature where only one component is wrong is rejected.
      const mlBad = Uint8Array.from(sig);
      mlBad[10]! ^= 1;
      assert.equal(compositeVerify(pub, m, mlBad, ctx), false, "ML-DSA component tampered");
      const tradBad = Uint8Array.from(sig);
      tradBad[tradBad.length - 2]! ^= 1;
      assert.equal(compositeVerify(pub, m, tradBad, ctx), false, "traditional component tampered");
    });
  }
});
