// CMS AuthEnvelopedData (RFC 5083, AES-GCM per RFC 5084): every recipient technique round-trips,
// altered data fails, and OpenSSL 3.0 opens ours and we open its where it supports the technique.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { GCMParameters, id_aes256_GCM } from "../../src/asn1/cms-auth.js";
import { id_data } from "../../src/asn1/oids.js";
import {
  exportPrivateKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  type PrivateKey,
} from "../../src/crypto/index.js";
import {
  authEnvelopedContentInfoDer,
  buildAuthEnvelopedData,
  openAuthEnvelopedData,
  parseAuthEnvelopedContentInfo,
} from "../../src/pki/cms/authenveloped.js";
import { CmsError } from "../../src/pki/cms/common.js";
import { buildCertificate } from "../../src/pki/build.js";
import { keyUsageExt } from "../../src/pki/extensions.js";
import { parseName } from "../../src/pki/names.js";
import { toPem } from "../../src/pki/pem.js";
import { openssl, tempDir } from "../helpers/openssl.js";

const content = new TextEncoder().encode("authenticated and encrypted content");
const TYPES = ["rsa2048", "ec-p256", "ec-p384", "x25519", "ml-kem-768"] as const;

function certFor(key: PrivateKey, issuerKey: PrivateKey, cn: string): Uint8Array {
  const usage = key.type === "rsa" || key.type.startsWith("ml-kem") ? "keyEncipherment" : "keyAgreement";
  return buildCertificate({
    issuer: parseName("CN=CMS Test CA"),
    subject: parseName(`CN=${cn}`),
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    subjectPublicKeyInfo: key.publicKey.spki,
    extensions: [keyUsageExt([usage])],
    issuerKey,
  });
}

describe("CMS AuthEnvelopedData", () => {
  const dir = tempDir();
  const f = (n: string) => join(dir.path, n);
  const ca = generateKeyPair("ec-p256");
  const keys: Record<string, PrivateKey> = {};
  const certs: Record<string, Uint8Array> = {};
  const pw = new TextEncoder().encode("auth-env password");
  before(() => {
    for (const t of TYPES) {
      keys[t] = generateKeyPair(t);
      certs[t] = certFor(keys[t]!, ca, t);
      writeFileSync(f(`${t}.key`), exportPrivateKeyPem(keys[t]!));
      writeFileSync(f(`${t}.crt`), toPem(certs[t]!, "CERTIFICATE"));
    }
    writeFileSync(f("plain.bin"), content);
  });
  after(() => dir.cleanup());

  for (const t of TYPES) {
    it(`${t}: round trip with AES-256-GCM; another key cannot open it`, () => {
      const a = buildAuthEnvelopedData(content, id_data, [{ kind: "certificate", certificate: certs[t]! }]);
      const back = parseAuthEnvelopedContentInfo(authEnvelopedContentInfoDer(a));
      assert.equal(back.version, 0);
      const alg = back.authEncryptedContentInfo.contentEncryptionAlgorithm;
      assert.equal(alg.algorithm, id_aes256_GCM);
      const params = AsnParser.parse(alg.parameters!, GCMParameters);
      assert.equal(params.aesNonce.buffer.byteLength, 12);
      assert.equal(params.aesICVlen, 16);
      assert.deepEqual(
        openAuthEnvelopedData(back, { kind: "key", key: keys[t]!, certificate: certs[t]! }),
        content,
      );
      const other = generateKeyPair(t);
      assert.throws(
        () => openAuthEnvelopedData(back, { kind: "key", key: other, certificate: certFor(other, ca, t) }),
        CmsError,
      );
    });
  }

  it("password recipient (PWRI); a wrong password fails", () => {
    const a = buildAuthEnvelopedData(content, id_data, [
      { kind: "password", password: pw, iterations: 2000 },
    ]);
    assert.deepEqual(openAuthEnvelopedData(a, { kind: "password", password: pw }), content);
    assert.throws(
      () => openAuthEnvelopedData(a, { kind: "password", password: new TextEncoder().encode("wrong") }),
      CmsError,
    );
  });

  it("altered ciphertext, mac or authenticated attributes fail the GCM check", () => {
    const ct = "1.2.840.113549.1.9.16.1.4"; // id-ct-TSTInfo: not id-data, so authAttrs are present
    const a = buildAuthEnvelopedData(content, ct, [{ kind: "certificate", certificate: certs["ec-p256"]! }]);
    assert.equal(a.authAttrs?.length, 1);
    const cred = { kind: "key", key: keys["ec-p256"]!, certificate: certs["ec-p256"]! } as const;
    const ci = authEnvelopedContentInfoDer(a);
    assert.deepEqual(openAuthEnvelopedData(parseAuthEnvelopedContentInfo(ci), cred), content);
    const flip = (at: number) => {
      const b = Uint8Array.from(ci);
      b[at] ^= 0x01;
      return parseAuthEnvelopedContentInfo(b);
    };
    const macAt = ci.length - 5; // inside the trailing mac
    assert.throws(() => openAuthEnvelopedData(flip(macAt), cred), /content decryption failed/);
    const enc = Buffer.from(ci).indexOf(
      Buffer.from(a.authEncryptedContentInfo.encryptedContent!.value!.buffer),
    );
    assert.ok(enc > 0);
    assert.throws(() => openAuthEnvelopedData(flip(enc + 3), cred), /content decryption failed/);
    const moved = parseAuthEnvelopedContentInfo(ci);
    moved.authEncryptedContentInfo.contentType = id_data;
    assert.throws(() => openAuthEnvelopedData(moved, cred), /contentType attribute differs/);
  });

  for (const t of ["rsa2048", "ec-p256", "ec-p384"] as const) {
    it(`${t}: openssl cms decrypts what we encrypt`, () => {
      const a = buildAuthEnvelopedData(content, id_data, [{ kind: "certificate", certificate: certs[t]! }]);
      writeFileSync(f(`${t}.auth.der`), authEnvelopedContentInfoDer(a));
      const out = openssl([
        "cms",
        "-decrypt",
        "-inform",
        "DER",
        "-in",
        f(`${t}.auth.der`),
        "-recip",
        f(`${t}.crt`),
        "-inkey",
        f(`${t}.key`),
        "-binary",
      ]);
      assert.deepEqual(new Uint8Array(out), content);
    });
  }

  for (const [t, opts] of [
    ["rsa2048", ["-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256"]],
    ["ec-p256", ["-keyopt", "ecdh_kdf_md:sha256"]],
    ["ec-p384", []],
  ] as const) {
    it(`${t}: we decrypt what openssl cms -encrypt -aes-256-gcm writes`, () => {
      openssl([
        "cms",
        "-encrypt",
        "-binary",
        "-aes-256-gcm",
        "-outform",
        "DER",
        "-in",
        f("plain.bin"),
        "-out",
        f(`${t}.o.der`),
        "-recip",
        f(`${t}.crt`),
        ...opts,
      ]);
      const a = parseAuthEnvelopedContentInfo(new Uint8Array(readFileSync(f(`${t}.o.der`))));
      const key = importPrivateKeyPem(readFileSync(f(`${t}.key`), "utf8"));
      assert.deepEqual(openAuthEnvelopedData(a, { kind: "key", key, certificate: certs[t]! }), content);
    });
  }

  it("password recipient with the PWRI-KEK wrap: openssl cms decrypts ours; OpenSSL 3.0 cannot write one", () => {
    const a = buildAuthEnvelopedData(content, id_data, [
      { kind: "password", password: pw, iterations: 2000, keyWrap: "pwri-kek" },
    ]);
    writeFileSync(f("pw.auth.der"), authEnvelopedContentInfoDer(a));
    const out = openssl([
      "cms",
      "-decrypt",
      "-inform",
      "DER",
      "-in",
      f("pw.auth.der"),
      "-pwri_password",
      "auth-env password",
      "-binary",
    ]);
    assert.deepEqual(new Uint8Array(out), content);
    // OpenSSL 3.0 fails to set up PWRI for an AEAD content cipher ("cipher parameter error").
    assert.throws(() =>
      openssl([
        "cms",
        "-encrypt",
        "-binary",
        "-aes-256-gcm",
        "-outform",
        "DER",
        "-in",
        f("plain.bin"),
        "-out",
        f("pw.o.der"),
        "-pwri_password",
        "x",
      ]),
    );
  });

  it("openssl's default RSA key transport (PKCS #1 v1.5) is refused: lwcmp transports keys with RSAES-OAEP only", () => {
    openssl([
      "cms",
      "-encrypt",
      "-binary",
      "-aes-256-gcm",
      "-outform",
      "DER",
      "-in",
      f("plain.bin"),
      "-out",
      f("v15.der"),
      "-recip",
      f("rsa2048.crt"),
    ]);
    const a = parseAuthEnvelopedContentInfo(new Uint8Array(readFileSync(f("v15.der"))));
    assert.throws(
      () => openAuthEnvelopedData(a, { kind: "key", key: keys["rsa2048"]!, certificate: certs["rsa2048"]! }),
      (e: unknown) => e instanceof CmsError && /not RSAES-OAEP/.test(e.message),
    );
  });
});
