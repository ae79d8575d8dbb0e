// Composite ML-KEM and pure ML-KEM against the draft's published test vectors (test/vectors/composite-kem).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  COMPOSITE_KEM_ALGORITHMS,
  compositeKemAlgorithm,
  CompositeKemPrivateKey,
  generateKeyPair,
  importCompositeKemPrivateKey,
  importPrivateKeyPkcs8,
  importPublicKeySpki,
  kemDecapsulate,
  kemEncapsulate,
} from "../../src/crypto/index.js";
import { certEntry, validatePath } from "../../src/pki/path.js";

const VEC = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "test",
  "vectors",
  "composite-kem",
  "testvectors.json",
);
interface Vec {
  tcId: string;
  ek: string;
  x5c: string;
  dk: string;
  dk_pkcs8: string;
  c: string;
  k: string;
}
const file = JSON.parse(readFileSync(VEC, "utf8")) as { cacert: string; tests: Vec[] };
const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

describe("composite ML-KEM (draft-ietf-lamps-pq-composite-kem vectors)", () => {
  it("the vectors cover all 12 composite algorithms", () => {
    const names = file.tests.filter((t) => /^id-MLKEM\d+-/.test(t.tcId)).map((t) => t.tcId.slice(3));
    assert.deepEqual(names.sort(), COMPOSITE_KEM_ALGORITHMS.map((a) => a.name).sort());
  });

  for (const t of file.tests) {
    it(t.tcId, async () => {
      const cert = AsnParser.parse(b64(t.x5c), Certificate);
      const spki = new Uint8Array(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo));
      const composite = /^id-MLKEM\d+-/.test(t.tcId);
      if (composite)
        assert.equal(
          cert.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm,
          compositeKemAlgorithm(t.tcId).oid,
        );
      assert.deepEqual(
        Buffer.from(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
        Buffer.from(b64(t.ek)),
      );
      // The certificate chains to the vectors' CA.
      await validatePath(certEntry(b64(t.x5c)), { anchors: [certEntry(b64(file.cacert))] });
      const fromP8 = importPrivateKeyPkcs8(b64(t.dk_pkcs8));
      assert.deepEqual(
        Buffer.from(fromP8.publicKey.spki),
        Buffer.from(spki),
        "dk_pkcs8 re-derives the certificate's key",
      );
      // Decapsulating the published ciphertext gives the published shared secret, from both key forms.
      assert.deepEqual(Buffer.from(kemDecapsulate(fromP8, b64(t.c))), Buffer.from(b64(t.k)));
      if (composite) {
        const raw = importCompositeKemPrivateKey(compositeKemAlgorithm(t.tcId).oid, b64(t.dk));
        assert.deepEqual(Buffer.from(kemDecapsulate(raw, b64(t.c))), Buffer.from(b64(t.k)));
        assert.ok(fromP8 instanceof CompositeKemPrivateKey);
      }
      // A fresh encapsulation to the certificate's key decapsulates to the same secret.
      const pub = importPublicKeySpki(spki);
      const { sharedSecret, ciphertext } = kemEncapsulate(pub);
      assert.deepEqual(kemDecapsulate(fromP8, ciphertext), sharedSecret);
    });
  }

  it("composite KEM keys generate; a tampered ciphertext is refused or yields another secret", () => {
    const k = generateKeyPair("composite:MLKEM768-ECDH-P256-SHA3-256");
    const { sharedSecret, ciphertext } = kemEncapsulate(k.publicKey);
    const bad = Uint8Array.from(ciphertext);
    bad[bad.length - 1]! ^= 1;
    assert.throws(() => kemDecapsulate(k, bad));
    const bad2 = Uint8Array.from(ciphertext);
    bad2[3]! ^= 1; // ML-KEM part: implicit rejection gives a different secret
    assert.notDeepEqual(kemDecapsulate(k, bad2), sharedSecret);
  });
});
