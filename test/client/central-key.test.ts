// The client's reading of a centrally generated key (RFC 9483 §4.1.6): an AsymmetricKeyPackage, a lone
// OneAsymmetricKey, a SEC1 ECPrivateKey or a PKCS#1 RSAPrivateKey all give the same key.
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { describe, it } from "node:test";
import { readKeyPackage } from "../../src/client/central-key.js";
import { CmpClientError } from "../../src/cmp/client/errors.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { derTlv } from "../../src/pki/der.js";

describe("central key package formats", () => {
  for (const t of ["ec-p256", "rsa2048", "ed25519"]) {
    const key = generateKeyPair(t);
    const pkcs8 = key.pkcs8();
    it(`${t}: AsymmetricKeyPackage and a lone OneAsymmetricKey`, () => {
      assert.deepEqual(readKeyPackage(derTlv(0x30, pkcs8)).publicKey.spki, key.publicKey.spki);
      assert.deepEqual(readKeyPackage(pkcs8).publicKey.spki, key.publicKey.spki);
    });
  }

  it("SEC1 ECPrivateKey and PKCS#1 RSAPrivateKey", () => {
    for (const [t, type] of [
      ["ec-p384", "sec1"],
      ["rsa2048", "pkcs1"],
    ] as const) {
      const key = generateKeyPair(t);
      const bare = createPrivateKey({ key: Buffer.from(key.pkcs8()), format: "der", type: "pkcs8" }).export({
        format: "der",
        type,
      });
      assert.deepEqual(readKeyPackage(new Uint8Array(bare)).publicKey.spki, key.publicKey.spki, t);
    }
  });

  it("anything else is a CmpClientError", () => {
    assert.throws(
      () => readKeyPackage(derTlv(0x30, new Uint8Array([2, 1, 5]))),
      (e) => e instanceof CmpClientError && /no usable private key/.test(e.message),
    );
  });
});
