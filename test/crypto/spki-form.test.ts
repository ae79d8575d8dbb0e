// A public key imported from its SubjectPublicKeyInfo reports the DER node:crypto exports for it: taken
// as imported when it is already that form, exported again otherwise (a compressed EC point, RSA-PSS).
import assert from "node:assert/strict";
import { createPublicKey, type KeyObject } from "node:crypto";
import { describe, it } from "node:test";
import { generateKeyPair, importPublicKeySpki, keyTypeOf } from "../../src/crypto/index.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const exported = (der: Uint8Array) =>
  new Uint8Array(
    createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" }).export({
      format: "der",
      type: "spki",
    }),
  );

describe("SubjectPublicKeyInfo of imported keys", () => {
  for (const type of [
    "ec-p256",
    "ec-p384",
    "ec-p521",
    "rsa2048",
    "rsa-pss",
    "ed25519",
    "ed448",
    "x25519",
    "x448",
    "ml-dsa-65",
    "ml-kem-768",
  ]) {
    it(`${type}: the same bytes node:crypto exports, and the key's type`, () => {
      const spki = generateKeyPair(type).publicKey.spki;
      const key = importPublicKeySpki(spki);
      assert.equal(hex(key.spki), hex(exported(spki)));
      // An EC type read from the curve parameters is the one node's key details name.
      assert.equal(key.type, keyTypeOf(key.native as KeyObject));
      assert.equal(key.type, type === "rsa2048" ? "rsa" : type);
    });
  }

  it("a compressed EC point is reported in the form node:crypto exports", () => {
    const full = generateKeyPair("ec-p256").publicKey.spki;
    // 3059 3013 <id-ecPublicKey, prime256v1> 0342 00 04 X(32) Y(32)  ->  3039 ... 0322 00 02|03 X
    const x = full.subarray(27, 59);
    const y = full.subarray(59, 91);
    const prefix = Buffer.from("3039301306072a8648ce3d020106082a8648ce3d030107032200", "hex");
    const compressed = new Uint8Array(Buffer.concat([prefix, Buffer.from([2 + (y[31]! & 1)]), x]));
    const key = importPublicKeySpki(compressed);
    assert.equal(hex(key.spki), hex(exported(compressed)));
    assert.notEqual(hex(key.spki), hex(full), "node keeps the compressed form");
  });
});
