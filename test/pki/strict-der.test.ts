// Strict DER for signed and keyed objects: trailing bytes and BER lengths refused in certificates,
// SPKI and PKCS#8; ML-DSA / ML-KEM private keys only in the RFC 9881 / RFC 9935 forms.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  assertStrictDer,
  exportPkcs8,
  generateKeyPair,
  importPrivateKeyPkcs8,
  importPublicKeySpki,
} from "../../src/crypto/index.js";
import { parseCertificate, pemBlocks } from "../../src/pki/certificate.js";
import { firstChild } from "../../src/pki/der.js";
import { certCacheSize, certEntry, setCertCacheLimits } from "../../src/pki/path/types.js";

const certDer = (): Uint8Array => {
  const pem = readFileSync(new URL("../../../test/fixtures/openssl/pki/root.crt", import.meta.url), "utf8");
  return pemBlocks(pem, "CERTIFICATE")[0]!;
};

/** The outer length rewritten with one more (zero) length byte: same value, not minimal. */
function nonMinimalOuter(der: Uint8Array): Uint8Array {
  const n = der[1]! & 0x7f;
  assert.ok(der[1]! & 0x80, "long-form outer length expected");
  return Uint8Array.from([der[0]!, 0x80 | (n + 1), 0, ...der.subarray(2)]);
}

/** The outer element in indefinite-length form, closed by end-of-contents. */
function indefiniteOuter(der: Uint8Array): Uint8Array {
  const n = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  return Uint8Array.from([der[0]!, 0x80, ...der.subarray(n), 0, 0]);
}

const withJunk = (der: Uint8Array) => Uint8Array.from([...der, 0x00]);

describe("strict DER", () => {
  it("a certificate parses as received and not with junk, BER lengths or indefinite length", () => {
    const der = certDer();
    assert.ok(parseCertificate(der).tbsCertificate);
    for (const bad of [withJunk(der), nonMinimalOuter(der), indefiniteOuter(der)]) {
      assert.throws(() => parseCertificate(bad), /DER|trailing/);
      assert.throws(() => certEntry(bad, { cache: false }), /DER|trailing/);
      // The TBS extraction used for signature checks (certificates, CSRs) refuses them too.
      assert.throws(() => firstChild(bad), /DER|trailing/);
    }
    assert.ok(firstChild(der).length < der.length);
  });

  it("the checker refuses constructed strings, bad BOOLEANs and non-minimal inner lengths", () => {
    assertStrictDer(Uint8Array.of(0x30, 0x03, 0x01, 0x01, 0xff));
    assert.throws(() => assertStrictDer(Uint8Array.of(0x30, 0x03, 0x01, 0x01, 0x01)), /BOOLEAN/);
    assert.throws(() => assertStrictDer(Uint8Array.of(0x24, 0x03, 0x04, 0x01, 0x41)), /constructed/);
    assert.throws(() => assertStrictDer(Uint8Array.of(0x30, 0x04, 0x04, 0x81, 0x01, 0x41)), /non-minimal/);
    assert.throws(() => assertStrictDer(Uint8Array.of(0x30, 0x05, 0x04, 0x01)), /past|truncated/);
  });

  it("SubjectPublicKeyInfo and PKCS#8 with junk or BER lengths are refused", () => {
    const key = generateKeyPair("ec-p256");
    assert.equal(importPublicKeySpki(key.publicKey.spki).type, key.type);
    assert.throws(() => importPublicKeySpki(withJunk(key.publicKey.spki)), /trailing/);
    const rsa = generateKeyPair("rsa2048");
    const p8 = rsa.pkcs8();
    assert.equal(importPrivateKeyPkcs8(p8).type, "rsa");
    assert.throws(() => importPrivateKeyPkcs8(withJunk(p8)), /trailing/);
    assert.throws(() => importPrivateKeyPkcs8(nonMinimalOuter(p8)), /non-minimal/);
  });
});

/** PKCS#8 with the privateKey OCTET STRING content replaced (lengths recomputed). */
function withPrivateKey(p8: Uint8Array, content: Uint8Array): Uint8Array {
  const head = (tag: number, len: number) => {
    if (len < 0x80) return [tag, len];
    const b: number[] = [];
    for (let v = len; v > 0; v = Math.floor(v / 256)) b.unshift(v & 0xff);
    return [tag, 0x80 | b.length, ...b];
  };
  // version INTEGER 0 and the AlgorithmIdentifier follow the outer header unchanged.
  const outerHead = p8[1]! & 0x80 ? 2 + (p8[1]! & 0x7f) : 2;
  const algStart = outerHead + 3;
  const algLen = 2 + p8[algStart + 1]!;
  const prefix = p8.subarray(outerHead, algStart + algLen);
  const octet = [...head(0x04, content.length), ...content];
  const body = [...prefix, ...octet];
  return Uint8Array.from([...head(0x30, body.length), ...body]);
}

function innerOf(p8: Uint8Array): Uint8Array {
  // The last element of a v1 OneAsymmetricKey without attributes is the privateKey OCTET STRING.
  const outerHead = p8[1]! & 0x80 ? 2 + (p8[1]! & 0x7f) : 2;
  const algStart = outerHead + 3;
  let p = algStart + 2 + p8[algStart + 1]!;
  assert.equal(p8[p], 0x04);
  const l = p8[p + 1]!;
  p += l & 0x80 ? 2 + (l & 0x7f) : 2;
  return p8.subarray(p);
}

for (const [type, seedLen] of [
  ["ml-dsa-44", 32],
  ["ml-kem-768", 64],
] as const) {
  describe(`${type} private key forms`, () => {
    const key = generateKeyPair(type);
    const both = exportPkcs8(key, "both");
    const seed = innerOf(exportPkcs8(key, "seed")).subarray(2);
    const expandedTlv = innerOf(exportPkcs8(key, "expanded"));
    const expanded = expandedTlv.subarray(expandedTlv[1]! & 0x80 ? 2 + (expandedTlv[1]! & 0x7f) : 2);

    it("accepts seed, expandedKey and both", () => {
      assert.equal(seed.length, seedLen);
      for (const form of ["seed", "expanded", "both"] as const) {
        const k = importPrivateKeyPkcs8(exportPkcs8(key, form));
        assert.deepEqual(k.publicKey.spki, key.publicKey.spki);
      }
    });

    it("refuses a bare seed, a bare expanded key and a concatenated blob", () => {
      for (const raw of [seed, expanded, Uint8Array.from([...seed, ...expanded])]) {
        assert.throws(() => importPrivateKeyPkcs8(withPrivateKey(both, raw)), /private key/);
      }
    });

    it("refuses both with a seed and an expandedKey that do not agree", () => {
      const other = generateKeyPair(type);
      const otherSeed = innerOf(exportPkcs8(other, "seed")).subarray(2);
      const bothInner = innerOf(both);
      const mixed = Uint8Array.from(bothInner);
      const seedAt = mixed.indexOf(0x04, bothInner[1]! & 0x80 ? 2 + (bothInner[1]! & 0x7f) : 2) + 2;
      mixed.set(otherSeed, seedAt);
      assert.throws(() => importPrivateKeyPkcs8(withPrivateKey(both, mixed)), /do not agree/);
      // The unchanged "both" still imports, so the failure above is the mismatch.
      assert.ok(importPrivateKeyPkcs8(withPrivateKey(both, bothInner)));
    });
  });
}

describe("parsed-certificate cache", () => {
  it("uncached parses leave the cache alone; the cache stays within its byte bound", () => {
    const der = certDer();
    const before = certCacheSize();
    const copy = Uint8Array.from(der);
    copy[copy.length - 1]! ^= 0; // same bytes, other buffer
    certEntry(Uint8Array.from([...der]), { cache: false });
    assert.deepEqual(certCacheSize(), before);
    setCertCacheLimits({ bytes: der.length * 2 });
    try {
      certEntry(copy);
      assert.ok(certCacheSize().bytes <= der.length * 2);
      assert.ok(certCacheSize().entries >= 1);
    } finally {
      setCertCacheLimits({ bytes: 8 * 1024 * 1024 });
    }
  });
});
