// Post-quantum keys and signatures checked outside lwcmp's own code paths: node:crypto (OpenSSL 3.5)
// verifies what lwcmp signs and lwcmp verifies what node:crypto signs; the draft vectors' pure
// ML-DSA cases verify.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import * as C from "../../src/crypto/index.js";

const data = new TextEncoder().encode("post-quantum interop");

describe("ML-DSA / SLH-DSA / ML-KEM against plain node:crypto", () => {
  for (const t of ["ml-dsa-44", "ml-dsa-65", "ml-dsa-87", "slh-dsa-sha2-128f", "slh-dsa-shake-128f"]) {
    it(`${t}: node verifies ours from the exported SPKI, we verify node's from its own PKCS#8`, () => {
      const ours = C.generateKeyPair(t);
      const sig = C.sign(C.defaultSignatureAlgorithm(ours), ours, data);
      const nodePub = crypto.createPublicKey({
        key: Buffer.from(ours.publicKey.spki),
        format: "der",
        type: "spki",
      });
      assert.equal(crypto.verify(null, data, nodePub, sig), true);
      const theirs = crypto.generateKeyPairSync(t as "ml-dsa-44");
      const theirSig = crypto.sign(null, data, theirs.privateKey);
      const spki = new Uint8Array(theirs.publicKey.export({ format: "der", type: "spki" }));
      const pub = C.importPublicKeySpki(spki);
      assert.equal(C.verify(C.defaultSignatureAlgorithm(pub), pub, data, new Uint8Array(theirSig)), true);
      // And a key node exported as PKCS#8 works in lwcmp for signing, node checks it.
      const imported = C.importPrivateKeyPkcs8(
        new Uint8Array(theirs.privateKey.export({ format: "der", type: "pkcs8" })),
      );
      assert.equal(
        crypto.verify(
          null,
          data,
          theirs.publicKey,
          C.sign(C.defaultSignatureAlgorithm(imported), imported, data),
        ),
        true,
      );
    });
  }

  for (const t of ["ml-kem-512", "ml-kem-768", "ml-kem-1024"]) {
    it(`${t}: node encapsulates to our key, we decapsulate; and the other way round`, () => {
      const ours = C.generateKeyPair(t);
      const nodePub = crypto.createPublicKey({
        key: Buffer.from(ours.publicKey.spki),
        format: "der",
        type: "spki",
      });
      const { sharedKey, ciphertext } = crypto.encapsulate(nodePub);
      assert.deepEqual(Buffer.from(C.kemDecapsulate(ours, new Uint8Array(ciphertext))), sharedKey);
      const theirs = crypto.generateKeyPairSync(t as "ml-kem-768");
      const pub = C.importPublicKeySpki(
        new Uint8Array(theirs.publicKey.export({ format: "der", type: "spki" })),
      );
      const enc = C.kemEncapsulate(pub);
      assert.deepEqual(crypto.decapsulate(theirs.privateKey, enc.ciphertext), Buffer.from(enc.sharedSecret));
      // The seed-only PKCS#8 form lwcmp writes is read by node and gives the same key.
      const seedOnly = C.exportPkcs8(ours, "seed");
      const back = crypto.createPrivateKey({ key: Buffer.from(seedOnly), format: "der", type: "pkcs8" });
      assert.deepEqual(
        Buffer.from(crypto.createPublicKey(back).export({ format: "der", type: "spki" })),
        Buffer.from(ours.publicKey.spki),
      );
    });
  }
});

describe("pure ML-DSA cases of the composite signature vectors", () => {
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
  const file = JSON.parse(readFileSync(VEC, "utf8")) as {
    m: string;
    ctx: string;
    tests: { tcId: string; pk: string; x5c: string; sk: string; s: string; sWithContext: string }[];
  };
  const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
  for (const t of file.tests.filter((x) => /^id-ML-DSA-\d+$/.test(x.tcId))) {
    it(t.tcId, () => {
      const cert = AsnParser.parse(b64(t.x5c), Certificate);
      const spki = new Uint8Array(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo));
      assert.deepEqual(
        Buffer.from(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
        Buffer.from(b64(t.pk)),
      );
      const pub = C.importPublicKeySpki(spki);
      const alg = C.defaultSignatureAlgorithm(pub);
      assert.equal(alg.algorithm, cert.signatureAlgorithm.algorithm);
      assert.equal(C.verify(alg, pub, b64(file.m), b64(t.s)), true);
      // sWithContext: ML-DSA with the context string (FIPS 204 ctx), checked with node:crypto.
      const nodePub = crypto.createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
      assert.equal(
        crypto.verify(
          null,
          b64(file.m),
          { key: nodePub, context: Buffer.from(b64(file.ctx)) },
          b64(t.sWithContext),
        ),
        true,
      );
      // The 32-byte seed re-derives the certificate's key (RFC 9881 seed form).
      const seedP8 = new Uint8Array(
        Buffer.concat([
          Buffer.from("3034020100300b0609608648016503040311042280 20".replace(/\s/g, ""), "hex"),
          b64(t.sk),
        ]),
      );
      const oidByte = { "id-ML-DSA-44": 0x11, "id-ML-DSA-65": 0x12, "id-ML-DSA-87": 0x13 }[t.tcId]!;
      seedP8[17] = oidByte;
      const priv = C.importPrivateKeyPkcs8(seedP8);
      assert.deepEqual(Buffer.from(priv.publicKey.spki), Buffer.from(spki));
    });
  }
});
