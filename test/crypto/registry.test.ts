// The algorithm registry: every key type round-trips through generation, SPKI and lookup; the
// capabilities it claims work; SPKI AlgorithmIdentifiers match openssl's; the tables agree with node.
import assert from "node:assert/strict";
import { createHash, createHmac, generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import * as C from "../../src/crypto/index.js";
import { techniqueFor } from "../../src/pki/cms/enveloped.js";
import { openssl } from "../helpers/openssl.js";

const der = (v: unknown) => Buffer.from(AsnSerializer.serialize(v));
const spkiAlgorithm = (spki: Uint8Array) => AsnParser.parse(spki, SubjectPublicKeyInfo).algorithm;
const nodeSpki = (k: KeyObject) => k.export({ format: "der", type: "spki" });
const data = new TextEncoder().encode("lwcmp registry test data");

// SLH-DSA "s" sets sign in seconds each; one of them stands for the others (same code path, other sizes).
const SLOW_SIGNERS = new Set(C.SLH_SETS.filter((s) => s.endsWith("s") && s !== "sha2-128s"));
const skipSign = (type: string) => type.startsWith("slh-dsa-") && SLOW_SIGNERS.has(type.slice(8));

describe("registry entries", () => {
  const expected = [
    "rsa",
    "rsa-pss",
    "ec-p256",
    "ec-p384",
    "ec-p521",
    "ed25519",
    "ed448",
    "x25519",
    "x448",
    "ml-dsa-44",
    "ml-dsa-65",
    "ml-dsa-87",
    ...C.SLH_SETS.map((s) => `slh-dsa-${s}`),
    "ml-kem-512",
    "ml-kem-768",
    "ml-kem-1024",
  ];

  it("holds every built-in key type and every composite combination", () => {
    const types = C.keyAlgorithms().map((a) => a.type);
    for (const t of expected) assert.ok(types.includes(t), t);
    for (const a of C.COMPOSITE_SIG_ALGORITHMS) {
      const e = C.keyAlgorithmForSpki(new AlgorithmIdentifier({ algorithm: a.oid }));
      assert.equal(e?.type, `composite:${a.name.toLowerCase()}`);
      assert.equal(e?.family, "composite-sig");
      assert.ok(e?.capabilities.sign && !e.capabilities.kem);
      assert.deepEqual(C.signatureAlgorithm(a.oid)?.keyTypes, [e.type]);
    }
    for (const a of C.COMPOSITE_KEM_ALGORITHMS) {
      const e = C.keyAlgorithmForSpki(new AlgorithmIdentifier({ algorithm: a.oid }));
      assert.equal(e?.type, `composite:${a.name.toLowerCase()}`);
      assert.equal(e?.family, "composite-kem");
      assert.ok(e?.capabilities.kem && !e.capabilities.sign);
      assert.equal(C.signatureAlgorithm(a.oid), undefined);
    }
    assert.equal(
      types.length,
      expected.length + C.COMPOSITE_SIG_ALGORITHMS.length + C.COMPOSITE_KEM_ALGORITHMS.length,
    );
    assert.equal(new Set(types).size, types.length);
  });

  it("keeps today's names, e.g. composite:mldsa65-ecdsa-p256-sha512", () => {
    assert.equal(C.keyAlgorithm("composite:mldsa65-ecdsa-p256-sha512")?.oid, "1.3.6.1.5.5.7.6.45");
    assert.equal(
      C.keyAlgorithm("Composite:MLKEM768-X25519-SHA3-256")?.type,
      "composite:mlkem768-x25519-sha3-256",
    );
    assert.equal(C.keyAlgorithm("ec-p999"), undefined);
    assert.throws(() => C.keyAlgorithmIdentifier("ec-p999"), C.UnsupportedAlgorithmError);
  });

  it("refuses a type registered twice", () => {
    const a = C.keyAlgorithm("ed25519")!;
    assert.throws(() => C.registerKeyAlgorithm({ ...a, type: "ED25519" }), /twice/);
    assert.throws(() => C.registerSignatureAlgorithm(C.signatureAlgorithm("1.3.101.112")!), /twice/);
  });

  it("is defined without importing the composite modules", () => {
    const src = readFileSync(fileURLToPath(new URL("../../src/crypto/registry.js", import.meta.url)), "utf8");
    assert.doesNotMatch(src, /from "\.\/(composite-|keys)/);
  });
});

describe("every entry round-trips and does what it claims", () => {
  for (const a of C.keyAlgorithms()) {
    it(a.type, () => {
      const key = C.generateKeyPair(a.type);
      assert.equal(key.type, a.type);
      // The SPKI's AlgorithmIdentifier is the registry's encoding, and maps back to the type.
      const alg = spkiAlgorithm(key.publicKey.spki);
      assert.deepEqual(der(alg), der(C.keyAlgorithmIdentifier(a.type)));
      assert.equal(C.keyAlgorithmForSpki(alg), C.keyAlgorithm(a.type));
      assert.equal(C.importPublicKeySpki(key.publicKey.spki).type, a.type);
      assert.equal(C.oidName(a.oid), a.oidName);

      if (a.capabilities.sign) {
        const sigAlg = C.defaultSignatureAlgorithm(key);
        assert.deepEqual(der(sigAlg), der(C.defaultSignatureAlgorithmFor(a.type)));
        assert.ok(C.signatureAlgorithmInfo(sigAlg).keyTypes.includes(a.type));
        if (!skipSign(a.type)) {
          const sig = C.sign(sigAlg, key, data);
          assert.equal(C.verify(sigAlg, key.publicKey, data, sig), true);
          assert.equal(C.verify(sigAlg, key.publicKey, data.subarray(1), sig), false);
        }
      } else {
        assert.throws(() => C.defaultSignatureAlgorithm(key), C.UnsupportedAlgorithmError);
        assert.equal(C.defaultSignatureAlgorithmFor(a.type), undefined);
      }

      if (a.capabilities.kem) {
        const { sharedSecret, ciphertext } = C.kemEncapsulate(key.publicKey);
        assert.deepEqual(C.kemDecapsulate(key, ciphertext), sharedSecret);
      } else {
        assert.throws(() => C.kemEncapsulate(key.publicKey), C.CryptoError);
      }

      if (a.capabilities.keyAgreement) {
        const peer = C.generateKeyPair(a.type);
        assert.deepEqual(C.ecdh(key, peer.publicKey), C.ecdh(peer, key.publicKey));
      }
      if (a.capabilities.keyTransport) {
        const cek = new Uint8Array(32).fill(7);
        assert.deepEqual(C.rsaOaepDecrypt(key, C.rsaOaepEncrypt(key.publicKey, cek)), cek);
      } else if (a.family === "rsa-pss") {
        // An RSASSA-PSS key is refused for encryption by OpenSSL too (RFC 4055 §1.2).
        assert.throws(() => C.rsaOaepEncrypt(key.publicKey, new Uint8Array(32)));
      }
      const cms = a.capabilities.keyTransport
        ? "ktri"
        : a.capabilities.keyAgreement
          ? "kari"
          : a.capabilities.kem
            ? "kemri"
            : undefined;
      if (cms) assert.equal(techniqueFor(key.publicKey), cms);
      else assert.throws(() => techniqueFor(key.publicKey));
    });
  }
});

describe("SPKI AlgorithmIdentifiers match other implementations", () => {
  const opensslAlgorithm = (args: string[]) => {
    const pem = openssl(["genpkey", ...args]);
    return spkiAlgorithm(new Uint8Array(openssl(["pkey", "-pubout", "-outform", "DER"], { input: pem })));
  };
  it("openssl genpkey: ec-p256, ec-p384, ed25519, x25519, rsa", () => {
    const cases: [string, string[]][] = [
      ["ec-p256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]],
      ["ec-p384", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]],
      ["ed25519", ["-algorithm", "ED25519"]],
      ["x25519", ["-algorithm", "X25519"]],
      ["rsa", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]],
    ];
    for (const [type, args] of cases) {
      const alg = opensslAlgorithm(args);
      assert.deepEqual(der(C.keyAlgorithmIdentifier(type)), der(alg), type);
      assert.equal(C.keyAlgorithmForSpki(alg)?.type, type);
    }
  });

  it("ml-dsa-65 and ml-kem-768 as node's OpenSSL 3.5 and RFC 9881 / RFC 9935 encode them", () => {
    // The system openssl predates ML-DSA / ML-KEM; node's library and the RFCs' examples stand in.
    const published: [string, Buffer, string][] = [
      ["ml-dsa-65", nodeSpki(generateKeyPairSync("ml-dsa-65").publicKey), "300b0609608648016503040312"],
      ["ml-kem-768", nodeSpki(generateKeyPairSync("ml-kem-768").publicKey), "300b0609608648016503040402"],
    ];
    for (const [type, spki, hex] of published) {
      const mine = der(C.keyAlgorithmIdentifier(type));
      assert.deepEqual(mine, der(spkiAlgorithm(new Uint8Array(spki))));
      assert.equal(mine.toString("hex"), hex);
    }
  });
});

describe("keyAlgorithmForSpki", () => {
  const ec = (params?: string) =>
    new AlgorithmIdentifier(
      params
        ? { algorithm: C.id_ecPublicKey, parameters: new Uint8Array(Buffer.from(params, "hex")).buffer }
        : { algorithm: C.id_ecPublicKey },
    );
  it("names the curve from the parameters and refuses an unknown or missing one", () => {
    assert.equal(C.keyAlgorithmForSpki(ec("06052b81040022"))?.type, "ec-p384");
    assert.equal(C.keyAlgorithmForSpki(ec("06092b2403030208010107")), undefined); // brainpoolP256r1
    assert.equal(C.keyAlgorithmForSpki(ec()), undefined);
  });
  it("accepts rsaEncryption without NULL and RSASSA-PSS with restrictions; checks rsaBits", () => {
    const rsa = new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.1" });
    assert.equal(C.keyAlgorithmForSpki(rsa)?.type, "rsa");
    assert.equal(C.keyAlgorithmForSpki(rsa, 2048)?.type, "rsa");
    assert.equal(C.keyAlgorithmForSpki(rsa, 1024), undefined);
    assert.equal(C.keyAlgorithmForSpki(C.pssAlgorithm("sha384"))?.type, "rsa-pss");
    assert.equal(C.keyAlgorithmForSpki(new AlgorithmIdentifier({ algorithm: "1.2.3.4" })), undefined);
  });
});

describe("key usages and sizes", () => {
  it("follow RFC 9935, RFC 8410, RFC 5480 and RFC 4055 per family", () => {
    for (const t of ["ml-kem-512", "ml-kem-768", "ml-kem-1024", "composite:mlkem768-ecdh-p256-sha3-256"]) {
      assert.deepEqual(C.allowedKeyUsages(t), ["keyEncipherment"], t);
    }
    assert.deepEqual(C.allowedKeyUsages("x25519"), ["keyAgreement"]);
    assert.deepEqual(C.allowedKeyUsages("x448"), ["keyAgreement"]);
    const signing = ["digitalSignature", "nonRepudiation", "keyCertSign", "crlSign"];
    for (const t of [
      "ed25519",
      "ml-dsa-65",
      "slh-dsa-shake-256f",
      "rsa-pss",
      "composite:mldsa44-ed25519-sha512",
    ]) {
      assert.deepEqual(C.allowedKeyUsages(t), signing, t);
    }
    assert.deepEqual(C.allowedKeyUsages("rsa"), [...signing, "keyEncipherment", "dataEncipherment"]);
    assert.deepEqual(C.allowedKeyUsages("ec-p521"), [...signing, "keyAgreement"]);
    assert.deepEqual(C.allowedKeyUsages("unknown"), []);
  });
  it("keyUsagesFor keeps the allowed wanted usages, else the defaults", () => {
    const wanted = ["digitalSignature", "keyEncipherment"] as const;
    assert.deepEqual(C.keyUsagesFor("rsa", wanted), ["digitalSignature", "keyEncipherment"]);
    assert.deepEqual(C.keyUsagesFor("ec-p256", wanted), ["digitalSignature"]);
    assert.deepEqual(C.keyUsagesFor("ml-kem-768", ["digitalSignature"]), ["keyEncipherment"]);
    assert.deepEqual(C.keyUsagesFor("x25519", ["digitalSignature"]), ["keyAgreement"]);
    assert.deepEqual(C.defaultKeyUsages("ml-dsa-44"), ["digitalSignature"]);
  });
  it("RSA has a minimum size that key generation enforces", () => {
    assert.equal(C.minimumKeyBits("rsa"), 2048);
    assert.equal(C.minimumKeyBits("ec-p256"), undefined);
    assert.throws(() => C.generateKeyPair("rsa1024"), /outside 2048/);
  });
  it("capability predicates", () => {
    assert.deepEqual(
      ["rsa", "rsa-pss", "ec-p256", "x448", "ml-kem-512", "ml-dsa-87", "nope"].map((t) => [
        C.canSign(t),
        C.isKemType(t),
        C.canAgree(t),
        C.canTransport(t),
      ]),
      [
        [true, false, false, true],
        [true, false, false, false],
        [true, false, true, false],
        [false, false, true, false],
        [false, true, false, false],
        [true, false, false, false],
        [false, false, false, false],
      ],
    );
  });
});

describe("signature, digest and HMAC tables", () => {
  it("every digest entry hashes as node does under its OID", () => {
    for (const d of C.DIGEST_ALGORITHMS) {
      assert.equal(C.digestOidForHash(d.hash), d.oid);
      const h = d.outputLength ? createHash(d.hash, { outputLength: d.outputLength }) : createHash(d.hash);
      assert.deepEqual(Buffer.from(C.digest(d.oid, data)), h.update(data).digest(), d.name);
    }
    assert.equal(C.digestOidForHash("md5"), undefined);
  });
  it("every HMAC entry computes node's HMAC; the first OID per hash is the one sent", () => {
    const key = new Uint8Array(20).fill(1);
    for (const m of C.HMAC_ALGORITHMS) {
      const mac = C.computeMac(new AlgorithmIdentifier({ algorithm: m.oid }), key, data);
      assert.deepEqual(Buffer.from(mac), createHmac(m.hash, key).update(data).digest(), m.name);
    }
    assert.equal(C.hmacOidForHash("sha1"), "1.2.840.113549.2.7");
    assert.equal(C.hmacOidForHash("sha256"), "1.2.840.113549.2.9");
    assert.equal(C.hmacOidForHash("md5"), undefined);
  });
  it("certConf hashes: the signature's hash, SHA-512 / SHAKE256 for EdDSA, none for ML-DSA", () => {
    for (const s of C.signatureAlgorithms().filter((a) => a.oid !== C.id_RSASSA_PSS)) {
      const h = C.certConfHashAlgorithm(new AlgorithmIdentifier({ algorithm: s.oid }));
      if (s.hash) assert.equal(h?.algorithm, C.digestOidForHash(s.hash), s.name);
    }
    const at = (oid: string) =>
      C.certConfHashAlgorithm(new AlgorithmIdentifier({ algorithm: oid }))?.algorithm;
    assert.equal(at("1.3.101.112"), C.digestOidForHash("sha512"));
    assert.equal(at("1.3.101.113"), C.digestOidForHash("shake256"));
    assert.equal(at("2.16.840.1.101.3.4.3.18"), undefined);
    assert.equal(C.certConfHashAlgorithm(C.pssAlgorithm("sha384"))?.algorithm, C.digestOidForHash("sha384"));
  });
  it("the key types a signature names exist, and oidName covers all tables", () => {
    for (const s of C.signatureAlgorithms()) {
      for (const t of s.keyTypes) assert.ok(C.keyAlgorithm(t), `${s.name}: ${t}`);
      assert.equal(C.oidName(s.oid), s.name);
    }
    assert.equal(C.oidName("1.2.840.10045.2.1"), "ecPublicKey");
    assert.equal(C.oidName("2.16.840.1.101.3.4.3.20"), "SLH-DSA-SHA2-128s");
    assert.equal(C.oidName("2.16.840.1.101.3.4.2.1"), "SHA-256");
    assert.equal(C.oidName("1.2.840.113549.2.9"), "hmacWithSHA256");
    assert.equal(C.oidName("1.2.3.4"), undefined);
  });
});
