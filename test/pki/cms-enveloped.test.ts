// CMS EnvelopedData: every key management technique round-trips, and OpenSSL decrypts ours and we
// decrypt OpenSSL's where OpenSSL 3.0 supports the technique (KTRI with OAEP, KARI, PWRI).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { id_data } from "../../src/asn1/oids.js";
import {
  exportPrivateKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  type PrivateKey,
} from "../../src/crypto/index.js";
import {
  buildEnvelopedData,
  CmsError,
  envelopedContentInfoDer,
  openEnvelopedData,
  parseEnvelopedContentInfo,
} from "../../src/pki/cms/enveloped.js";
import { buildCertificate } from "../../src/pki/build.js";
import { keyUsageExt } from "../../src/pki/extensions.js";
import { parseName } from "../../src/pki/names.js";
import { toPem } from "../../src/pki/pem.js";
import { openssl, tempDir } from "../helpers/openssl.js";

const content = new TextEncoder().encode("a private key package, or any secret content");

function certFor(key: PrivateKey, issuerKey: PrivateKey, cn: string): Uint8Array {
  return buildCertificate({
    issuer: parseName("CN=CMS Test CA"),
    subject: parseName(`CN=${cn}`),
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    subjectPublicKeyInfo: key.publicKey.spki,
    extensions: [
      keyUsageExt(
        key.type === "rsa"
          ? ["keyEncipherment"]
          : key.type.startsWith("ml-kem")
            ? ["keyEncipherment"]
            : ["keyAgreement"],
      ),
    ],
    issuerKey,
  });
}

describe("CMS EnvelopedData", () => {
  const dir = tempDir();
  const f = (n: string) => join(dir.path, n);
  const ca = generateKeyPair("ec-p256");
  const keys: Record<string, PrivateKey> = {};
  const certs: Record<string, Uint8Array> = {};
  before(() => {
    for (const t of ["rsa2048", "ec-p256", "ec-p384", "x25519", "ml-kem-512", "ml-kem-768", "ml-kem-1024"]) {
      keys[t] = generateKeyPair(t);
      certs[t] = certFor(keys[t]!, ca, t);
      writeFileSync(f(`${t}.key`), exportPrivateKeyPem(keys[t]!));
      writeFileSync(f(`${t}.crt`), toPem(certs[t]!, "CERTIFICATE"));
    }
  });
  after(() => dir.cleanup());

  for (const t of ["rsa2048", "ec-p256", "ec-p384", "x25519", "ml-kem-512", "ml-kem-768", "ml-kem-1024"]) {
    it(`${t}: round trip; another key cannot open it`, () => {
      const env = buildEnvelopedData(content, id_data, [{ kind: "certificate", certificate: certs[t]! }]);
      const back = parseEnvelopedContentInfo(envelopedContentInfoDer(env));
      assert.deepEqual(
        openEnvelopedData(back, { kind: "key", key: keys[t]!, certificate: certs[t]! }),
        content,
      );
      const other = generateKeyPair(t);
      assert.throws(
        () => openEnvelopedData(back, { kind: "key", key: other, certificate: certFor(other, ca, t) }),
        CmsError,
      );
    });
  }

  it("password recipients: right password opens, wrong one fails cleanly", () => {
    const pw = new TextEncoder().encode("shared secret 1");
    const env = buildEnvelopedData(content, id_data, [
      { kind: "password", password: pw, iterations: 10_000 },
    ]);
    assert.equal(env.version, 3);
    assert.deepEqual(openEnvelopedData(env, { kind: "password", password: pw }), content);
    assert.throws(
      () => openEnvelopedData(env, { kind: "password", password: new TextEncoder().encode("nope") }),
      CmsError,
    );
  });

  // OpenSSL 3.0 has no X25519 / X448 in CMS, so X25519 recipients are checked by round trip only.
  for (const t of ["rsa2048", "ec-p256", "ec-p384"]) {
    it(`${t}: openssl cms decrypts what we encrypt`, () => {
      const env = buildEnvelopedData(content, id_data, [{ kind: "certificate", certificate: certs[t]! }]);
      writeFileSync(f(`${t}.env.der`), envelopedContentInfoDer(env));
      const out = openssl([
        "cms",
        "-decrypt",
        "-inform",
        "DER",
        "-in",
        f(`${t}.env.der`),
        "-recip",
        f(`${t}.crt`),
        "-inkey",
        f(`${t}.key`),
        "-binary",
      ]);
      assert.deepEqual(new Uint8Array(out), content);
    });
  }

  it("password recipient with the RFC 3211 PWRI-KEK wrap: openssl cms decrypts ours, we decrypt its", () => {
    const env = buildEnvelopedData(content, id_data, [
      { kind: "password", password: new TextEncoder().encode("pw-1"), iterations: 2000, keyWrap: "pwri-kek" },
    ]);
    writeFileSync(f("pw.env.der"), envelopedContentInfoDer(env));
    const out = openssl([
      "cms",
      "-decrypt",
      "-inform",
      "DER",
      "-in",
      f("pw.env.der"),
      "-pwri_password",
      "pw-1",
      "-binary",
    ]);
    assert.deepEqual(new Uint8Array(out), content);
    writeFileSync(f("plain.bin"), content);
    openssl([
      "cms",
      "-encrypt",
      "-binary",
      "-aes256",
      "-outform",
      "DER",
      "-in",
      f("plain.bin"),
      "-out",
      f("pw.o.der"),
      "-pwri_password",
      "pw-2",
    ]);
    const theirs = parseEnvelopedContentInfo(new Uint8Array(readFileSync(f("pw.o.der"))));
    assert.deepEqual(
      openEnvelopedData(theirs, { kind: "password", password: new TextEncoder().encode("pw-2") }),
      content,
    );
    assert.throws(
      () => openEnvelopedData(theirs, { kind: "password", password: new TextEncoder().encode("pw-3") }),
      CmsError,
    );
  });

  for (const [t, opts] of [
    [
      "rsa2048",
      ["-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha256"],
    ],
    ["ec-p256", ["-keyopt", "ecdh_kdf_md:sha256"]],
  ] as const) {
    it(`${t}: we decrypt what openssl cms encrypts`, () => {
      writeFileSync(f("plain.bin"), content);
      openssl([
        "cms",
        "-encrypt",
        "-binary",
        "-aes256",
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
      const env = parseEnvelopedContentInfo(new Uint8Array(readFileSync(f(`${t}.o.der`))));
      assert.deepEqual(
        openEnvelopedData(env, {
          kind: "key",
          key: importPrivateKeyPem(readFileSync(f(`${t}.key`), "utf8")),
          certificate: certs[t]!,
        }),
        content,
      );
    });
  }
});
