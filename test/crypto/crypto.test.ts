// The crypto registry: round trips for every algorithm, published known-answer vectors, and
// cross-checks with the system openssl in both directions.
import assert from "node:assert/strict";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import * as C from "../../src/crypto/index.js";
import { openssl, tempDir } from "../helpers/openssl.js";

const hex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const toHex = (u: Uint8Array) => Buffer.from(u).toString("hex");
const data = new TextEncoder().encode("lwcmp signature test data");

describe("signatures", () => {
  const cases: [string, ((k: C.PrivateKey) => AlgorithmIdentifier)?][] = [
    ["rsa2048"],
    ["rsa2048", (k) => C.defaultSignatureAlgorithm(k, { hash: "sha512" })],
    ["rsa2048", (k) => C.defaultSignatureAlgorithm(k, { pss: true })],
    ["ec-p256"],
    ["ec-p384"],
    ["ec-p521"],
    ["ed25519"],
    ["ed448"],
    ["ml-dsa-44"],
    ["ml-dsa-65"],
    ["ml-dsa-87"],
    ["slh-dsa-sha2-128f"],
    ["slh-dsa-shake-128f"],
  ];
  for (const [type, pick] of cases) {
    it(`${type} ${pick ? "(variant)" : ""}: sign, verify, reject tampering`, () => {
      const k = C.generateKeyPair(type);
      const alg = pick ? pick(k) : C.defaultSignatureAlgorithm(k);
      const sig = C.sign(alg, k, data);
      assert.equal(C.verify(alg, k.publicKey, data, sig), true);
      const bad = Uint8Array.from(data);
      bad[0]! ^= 1;
      assert.equal(C.verify(alg, k.publicKey, bad, sig), false);
      const badSig = Uint8Array.from(sig);
      badSig[badSig.length - 1]! ^= 1;
      assert.equal(C.verify(alg, k.publicKey, data, badSig), false);
      const info = C.signatureAlgorithmInfo(alg);
      assert.ok(info.keyTypes.includes(k.type));
      // SPKI / PKCS#8 round trip keeps the key.
      const again = C.importPrivateKeyPkcs8(k.pkcs8());
      assert.deepEqual(Buffer.from(again.publicKey.spki), Buffer.from(k.publicKey.spki));
      assert.equal(
        C.verify(alg, C.importPublicKeySpki(k.publicKey.spki), data, C.sign(alg, again, data)),
        true,
      );
    });
  }

  it("refuses a key that does not fit the algorithm", () => {
    const ec = C.generateKeyPair("ec-p256");
    const ed = C.generateKeyPair("ed25519");
    assert.throws(() => C.sign(C.defaultSignatureAlgorithm(ed), ec, data), C.CryptoError);
  });

  it("unknown OIDs are UnsupportedAlgorithmError carrying the OID", () => {
    const k = C.generateKeyPair("ec-p256");
    assert.throws(
      () => C.sign(new AlgorithmIdentifier({ algorithm: "1.2.3.4.5" }), k, data),
      (e: unknown) => e instanceof C.UnsupportedAlgorithmError && e.oid === "1.2.3.4.5",
    );
    assert.throws(() => C.digest("2.999.1", data), C.UnsupportedAlgorithmError);
    assert.throws(
      () => C.macAlgorithmInfo(new AlgorithmIdentifier({ algorithm: "2.999.2" })),
      C.UnsupportedAlgorithmError,
    );
    assert.throws(() => C.generateKeyPair("dsa1024"), C.UnsupportedAlgorithmError);
  });

  it("certConf hash algorithms (RFC 9481 §3)", () => {
    const algOf = (t: string) => C.defaultSignatureAlgorithm(C.generateKeyPair(t));
    assert.equal(C.certConfHashAlgorithm(algOf("ec-p384"))?.algorithm, "2.16.840.1.101.3.4.2.2");
    assert.equal(C.certConfHashAlgorithm(algOf("ed25519"))?.algorithm, "2.16.840.1.101.3.4.2.3");
    assert.equal(C.certConfHashAlgorithm(algOf("ed448"))?.algorithm, "2.16.840.1.101.3.4.2.12");
    assert.equal(C.certConfHashAlgorithm(algOf("ml-dsa-65")), undefined);
    assert.equal(C.certConfHashAlgorithm(C.pssAlgorithm("sha384"))?.algorithm, "2.16.840.1.101.3.4.2.2");
  });
});

describe("openssl cross-checks", () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const f = (n: string) => join(dir.path, n);
  writeFileSync(f("data.bin"), data);

  for (const [type, digestArgs] of [
    ["rsa2048", ["-sha256"]],
    ["ec-p256", ["-sha256"]],
    ["ec-p384", ["-sha384"]],
  ] as const) {
    it(`${type}: openssl verifies ours, we verify openssl's`, () => {
      const k = C.generateKeyPair(type);
      writeFileSync(f(`${type}.key`), C.exportPrivateKeyPem(k));
      writeFileSync(f(`${type}.pub`), C.exportPublicKeyPem(k.publicKey));
      const alg = C.defaultSignatureAlgorithm(k);
      writeFileSync(f(`${type}.sig`), C.sign(alg, k, data));
      const out = openssl([
        "dgst",
        ...digestArgs,
        "-verify",
        f(`${type}.pub`),
        "-signature",
        f(`${type}.sig`),
        f("data.bin"),
      ]).toString();
      assert.match(out, /Verified OK/);
      openssl(["dgst", ...digestArgs, "-sign", f(`${type}.key`), "-out", f(`${type}.osig`), f("data.bin")]);
      assert.equal(C.verify(alg, k.publicKey, data, new Uint8Array(readFileSync(f(`${type}.osig`)))), true);
    });
  }

  it("RSASSA-PSS: openssl verifies ours with salt = hash length", () => {
    const k = C.generateKeyPair("rsa2048");
    writeFileSync(f("pss.pub"), C.exportPublicKeyPem(k.publicKey));
    writeFileSync(f("pss.sig"), C.sign(C.pssAlgorithm("sha256"), k, data));
    const out = openssl([
      "dgst",
      "-sha256",
      "-sigopt",
      "rsa_padding_mode:pss",
      "-sigopt",
      "rsa_pss_saltlen:32",
      "-verify",
      f("pss.pub"),
      "-signature",
      f("pss.sig"),
      f("data.bin"),
    ]).toString();
    assert.match(out, /Verified OK/);
  });

  it("Ed25519: openssl verifies ours and we verify openssl's", () => {
    const k = C.generateKeyPair("ed25519");
    writeFileSync(f("ed.key"), C.exportPrivateKeyPem(k));
    writeFileSync(f("ed.pub"), C.exportPublicKeyPem(k.publicKey));
    writeFileSync(f("ed.sig"), C.sign(C.defaultSignatureAlgorithm(k), k, data));
    const out = openssl([
      "pkeyutl",
      "-verify",
      "-pubin",
      "-inkey",
      f("ed.pub"),
      "-rawin",
      "-in",
      f("data.bin"),
      "-sigfile",
      f("ed.sig"),
    ]).toString();
    assert.match(out, /Signature Verified Successfully/);
    const osig = openssl(["pkeyutl", "-sign", "-inkey", f("ed.key"), "-rawin", "-in", f("data.bin")]);
    assert.equal(C.verify(C.defaultSignatureAlgorithm(k), k.publicKey, data, new Uint8Array(osig)), true);
  });

  it("keys we export are read by openssl pkey", () => {
    for (const t of ["rsa2048", "ec-p521", "ed448", "x25519"]) {
      writeFileSync(f("k.pem"), C.exportPrivateKeyPem(C.generateKeyPair(t)));
      const out = openssl(["pkey", "-in", f("k.pem"), "-noout", "-text"]).toString();
      assert.ok(out.length > 50, t);
    }
  });
});

describe("ML-DSA and ML-KEM private key forms (RFC 9881 §6, RFC 9935)", () => {
  for (const [t, seedLen] of [
    ["ml-dsa-65", 32],
    ["ml-kem-768", 64],
  ] as const) {
    it(`${t}: seed, expanded and both forms round-trip to the same key`, () => {
      const k = C.generateKeyPair(t);
      const forms = (["seed", "expanded", "both"] as const).map((fm) => C.exportPkcs8(k, fm));
      // The privateKey OCTET STRING content starts with the CHOICE tag of each form.
      const seed = forms[0]!;
      assert.ok(toHex(seed).includes(`80${seedLen.toString(16).padStart(2, "0")}`), "seed [0] form");
      assert.ok(seed.length < forms[1]!.length && forms[1]!.length < forms[2]!.length);
      for (const der of forms) {
        const back = C.importPrivateKeyPkcs8(der);
        assert.deepEqual(Buffer.from(back.publicKey.spki), Buffer.from(k.publicKey.spki));
      }
    });
  }

  it("ML-KEM encapsulation and decapsulation agree; a wrong ciphertext gives another secret", () => {
    const k = C.generateKeyPair("ml-kem-768");
    const { sharedSecret, ciphertext } = C.kemEncapsulate(k.publicKey);
    assert.deepEqual(C.kemDecapsulate(k, ciphertext), sharedSecret);
    const bad = Uint8Array.from(ciphertext);
    bad[5]! ^= 1;
    assert.notDeepEqual(C.kemDecapsulate(k, bad), sharedSecret); // implicit rejection (FIPS 203)
  });

  it("ECDH with X25519 agrees both ways; RSA-OAEP round-trips", () => {
    const a = C.generateKeyPair("x25519");
    const b = C.generateKeyPair("x25519");
    assert.deepEqual(C.ecdh(a, b.publicKey), C.ecdh(b, a.publicKey));
    const r = C.generateKeyPair("rsa2048");
    const msg = new Uint8Array(32).fill(7);
    assert.deepEqual(C.rsaOaepDecrypt(r, C.rsaOaepEncrypt(r.publicKey, msg)), msg);
  });
});

describe("known-answer tests", () => {
  it("AES key wrap, RFC 3394 §4.1", () => {
    const kek = hex("000102030405060708090A0B0C0D0E0F");
    const key = hex("00112233445566778899AABBCCDDEEFF");
    const wrapped = C.aesKeyWrap(kek, key);
    assert.equal(toHex(wrapped), "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
    assert.deepEqual(C.aesKeyUnwrap(kek, wrapped), key);
    wrapped[0]! ^= 1;
    assert.throws(() => C.aesKeyUnwrap(kek, wrapped), C.CryptoError);
  });
  it("AES-256 key wrap, RFC 3394 §4.6", () => {
    const kek = hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
    const key = hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F");
    assert.equal(
      toHex(C.aesKeyWrap(kek, key)),
      "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21",
    );
  });
  it("PBKDF2-HMAC-SHA1, RFC 6070", () => {
    const pw = new TextEncoder().encode("password");
    const salt = new TextEncoder().encode("salt");
    assert.equal(toHex(C.pbkdf2(pw, salt, 1, 20, "sha1")), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
    assert.equal(toHex(C.pbkdf2(pw, salt, 4096, 20, "sha1")), "4b007901b765489abead49d926f721d065a429c1");
  });
  it("HKDF-SHA256, RFC 5869 A.1", () => {
    const okm = C.hkdf(
      "sha256",
      hex("0b".repeat(22)),
      hex("000102030405060708090a0b0c"),
      hex("f0f1f2f3f4f5f6f7f8f9"),
      42,
    );
    assert.equal(
      toHex(okm),
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );
  });
  it("HMAC-SHA256 and HMAC-SHA512, RFC 4231 test case 2", () => {
    const key = new TextEncoder().encode("Jefe");
    const msg = new TextEncoder().encode("what do ya want for nothing?");
    assert.equal(
      toHex(C.hmac("sha256", key, msg)),
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
    assert.equal(
      toHex(C.computeMac(new AlgorithmIdentifier({ algorithm: "1.2.840.113549.2.11" }), key, msg)),
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    );
  });
  it("digests incl. SHAKE output sizes of RFC 8702", () => {
    const abc = new TextEncoder().encode("abc");
    assert.equal(
      toHex(C.digest("sha256", abc)),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    assert.equal(
      toHex(C.digest("2.16.840.1.101.3.4.2.8", abc)),
      "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
    );
    assert.equal(C.digest("2.16.840.1.101.3.4.2.11", abc).length, 32);
    assert.equal(C.digest("2.16.840.1.101.3.4.2.12", abc).length, 64);
  });
  it("AES-GCM and AES-CBC round trips; tampering is detected", () => {
    const key = new Uint8Array(32).fill(1);
    const iv = new Uint8Array(12).fill(2);
    const { ciphertext, tag } = C.aesGcmEncrypt(key, iv, data);
    assert.deepEqual(C.aesGcmDecrypt(key, iv, ciphertext, tag), data);
    ciphertext[0]! ^= 1;
    assert.throws(() => C.aesGcmDecrypt(key, iv, ciphertext, tag), C.CryptoError);
    const civ = new Uint8Array(16).fill(3);
    assert.deepEqual(C.aesCbcDecrypt(key, civ, C.aesCbcEncrypt(key, civ, data)), data);
  });
  it("timingSafeEqualBytes", () => {
    assert.equal(C.timingSafeEqualBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
    assert.equal(C.timingSafeEqualBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
    assert.equal(C.timingSafeEqualBytes(Uint8Array.of(1), Uint8Array.of(1, 2)), false);
  });
});
