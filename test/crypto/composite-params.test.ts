// Composite keys enforce the component parameters their OID names: RSA modulus size, EC curve,
// strict DER of the component; composite KEM likewise.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import {
  compositeSigAlgorithm,
  importCompositePrivateKey,
  importCompositePublicKey,
} from "../../src/crypto/composite-sig.js";
import { importCompositeKemPublicKey } from "../../src/crypto/composite-kem.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import type { CompositePrivateKey, CompositePublicKey } from "../../src/crypto/composite-sig.js";
import type { CompositeKemPublicKey } from "../../src/crypto/composite-kem.js";

const rsaPkcs1 = (bits: number) =>
  new Uint8Array(
    generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ format: "der", type: "pkcs1" }),
  );
const ML_DSA_44_PK = 1312;
const ML_KEM_768_PK = 1184;

describe("composite component parameters", () => {
  it("a composite signature public key with an RSA modulus other than the OID names is refused", () => {
    const a = compositeSigAlgorithm("MLDSA44-RSA2048-PSS-SHA256");
    const key = generateKeyPair("mldsa44-rsa2048-pss-sha256");
    const raw = (key.publicKey as CompositePublicKey).raw;
    assert.ok(importCompositePublicKey(a.oid, raw));
    const ml = raw.subarray(0, ML_DSA_44_PK);
    const wrong = Uint8Array.from([...ml, ...rsaPkcs1(3072)]);
    assert.throws(() => importCompositePublicKey(a.oid, wrong), /3072 bits/);
    assert.throws(() => importCompositePublicKey(a.oid, Uint8Array.from([...raw, 0])), /trailing|malformed/);
  });

  it("a composite signature private key on another curve than the OID names is refused", () => {
    const a = compositeSigAlgorithm("MLDSA44-ECDSA-P256-SHA256");
    const key = generateKeyPair("mldsa44-ecdsa-p256-sha256");
    const raw = (key as CompositePrivateKey).raw;
    assert.ok(importCompositePrivateKey(a.oid, raw));
    const p384 = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey.export({
      format: "der",
      type: "sec1",
    });
    const wrong = Uint8Array.from([...raw.subarray(0, 32), ...p384]);
    assert.throws(() => importCompositePrivateKey(a.oid, wrong), /secp384r1/);
  });

  it("a composite KEM public key with the wrong RSA modulus size is refused", () => {
    const key = generateKeyPair("mlkem768-rsa2048-sha3-256");
    const pub = key.publicKey as CompositeKemPublicKey;
    const { raw } = pub;
    const oid = pub.alg.oid;
    assert.ok(importCompositeKemPublicKey(oid, raw));
    const wrong = Uint8Array.from([...raw.subarray(0, ML_KEM_768_PK), ...rsaPkcs1(3072)]);
    assert.throws(() => importCompositeKemPublicKey(oid, wrong), /3072 bits/);
  });
});
