// CMS recipient identifiers as RFC 9483 §4.1.6.1-3 asks: subjectKeyIdentifier (KTRI version 2, KARI
// rKeyId, KEMRI) when the recipient certificate has one, else issuerAndSerialNumber; opening matches
// either choice against the given certificate; KARI opens with the SHA-1 and SHA-2 X9.63 KDFs.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { OtherRecipientInfo } from "@peculiar/asn1-cms";
import { AsnParser } from "@peculiar/asn1-schema";
import { KEMRecipientInfo } from "../../src/asn1/cms-kem.js";
import { id_data } from "../../src/asn1/oids.js";
import { exportPrivateKeyPem, generateKeyPair, type PrivateKey } from "../../src/crypto/index.js";
import {
  buildEnvelopedData,
  CmsError,
  envelopedContentInfoDer,
  openEnvelopedData,
  parseEnvelopedContentInfo,
} from "../../src/pki/cms/enveloped.js";
import { buildCertificate } from "../../src/pki/build.js";
import { keyIdentifier, keyUsageExt, subjectKeyIdentifierExt } from "../../src/pki/extensions.js";
import { parseName } from "../../src/pki/names.js";
import { toPem } from "../../src/pki/pem.js";
import { openssl, tempDir } from "../helpers/openssl.js";
import { SubjectPublicKeyInfo } from "@peculiar/asn1-x509";

const content = new TextEncoder().encode("a key package");

/** A recipient certificate; `ski` empty: the key's own identifier, absent: no subjectKeyIdentifier. */
function certFor(key: PrivateKey, issuerKey: PrivateKey, opts: { ski?: Uint8Array } = {}) {
  const usage = key.type === "rsa" || key.type.startsWith("ml-kem") ? "keyEncipherment" : "keyAgreement";
  const spk = AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo).subjectPublicKey;
  const extensions = [keyUsageExt([usage])];
  if (opts.ski !== undefined)
    extensions.push(subjectKeyIdentifierExt(opts.ski.length ? opts.ski : keyIdentifier(spk)));
  return buildCertificate({
    issuer: parseName("CN=CMS Test CA"),
    subject: parseName(`CN=${key.type}`),
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    subjectPublicKeyInfo: key.publicKey.spki,
    extensions,
    issuerKey,
  });
}

describe("CMS recipient identifiers (RFC 9483 §4.1.6)", () => {
  const dir = tempDir();
  const f = (n: string) => join(dir.path, n);
  const ca = generateKeyPair("ec-p256");
  const keys: Record<string, PrivateKey> = {};
  const certs: Record<string, Uint8Array> = {};
  const types = ["rsa2048", "ec-p256", "x25519", "ml-kem-768"];
  before(() => {
    for (const t of types) {
      keys[t] = generateKeyPair(t);
      certs[t] = certFor(keys[t]!, ca, { ski: new Uint8Array(0) });
      writeFileSync(f(`${t}.key`), exportPrivateKeyPem(keys[t]!));
      writeFileSync(f(`${t}.crt`), toPem(certs[t]!, "CERTIFICATE"));
    }
  });
  after(() => dir.cleanup());

  it("KTRI: rid is the subjectKeyIdentifier and version 2; without one issuerAndSerialNumber, version 0", () => {
    const env = buildEnvelopedData(content, id_data, [{ kind: "certificate", certificate: certs.rsa2048! }]);
    const ktri = env.recipientInfos[0]!.ktri!;
    assert.equal(ktri.version, 2);
    assert.ok(ktri.rid.subjectKeyIdentifier && !ktri.rid.issuerAndSerialNumber);
    assert.equal(env.version, 2, "RFC 5652 §6.1: a version 2 RecipientInfo makes EnvelopedData version 2");
    const plain = certFor(keys.rsa2048!, ca);
    const env0 = buildEnvelopedData(content, id_data, [{ kind: "certificate", certificate: plain }]);
    assert.equal(env0.recipientInfos[0]!.ktri!.version, 0);
    assert.ok(env0.recipientInfos[0]!.ktri!.rid.issuerAndSerialNumber);
    assert.equal(env0.version, 0);
  });

  it("KARI: version 3, the recipient named by rKeyId; KEMRI: rid the subjectKeyIdentifier", () => {
    for (const t of ["ec-p256", "x25519"]) {
      const kari = buildEnvelopedData(content, id_data, [{ kind: "certificate", certificate: certs[t]! }])
        .recipientInfos[0]!.kari!;
      assert.equal(kari.version, 3);
      const rid = kari.recipientEncryptedKeys[0]!.rid;
      assert.ok(rid.rKeyId?.subjectKeyIdentifier.byteLength === 20 && !rid.issuerAndSerialNumber, t);
    }
    const ori = buildEnvelopedData(content, id_data, [
      { kind: "certificate", certificate: certs["ml-kem-768"]! },
    ]).recipientInfos[0]!.ori as OtherRecipientInfo;
    const k = AsnParser.parse(ori.oriValue, KEMRecipientInfo);
    assert.ok(k.rid.subjectKeyIdentifier && !k.rid.issuerAndSerialNumber);
  });

  for (const t of types) {
    it(`${t}: opening with the certificate matches the subjectKeyIdentifier; another identifier does not`, () => {
      const env = buildEnvelopedData(content, id_data, [{ kind: "certificate", certificate: certs[t]! }]);
      assert.deepEqual(
        openEnvelopedData(env, { kind: "key", key: keys[t]!, certificate: certs[t]! }),
        content,
      );
      // The same key under a certificate with another subjectKeyIdentifier is not the addressed recipient.
      const other = certFor(keys[t]!, ca, { ski: new Uint8Array(20).fill(7) });
      assert.throws(
        () => openEnvelopedData(env, { kind: "key", key: keys[t]!, certificate: other }),
        (e) => e instanceof CmsError && /no RecipientInfo is addressed/.test(e.message),
      );
    });
  }

  for (const t of ["rsa2048", "ec-p256"]) {
    it(`${t}: openssl cms decrypts ours (subjectKeyIdentifier rid)`, () => {
      const env = buildEnvelopedData(content, id_data, [{ kind: "certificate", certificate: certs[t]! }]);
      writeFileSync(f(`${t}.ours.der`), envelopedContentInfoDer(env));
      const out = openssl([
        ...["cms", "-decrypt", "-inform", "DER", "-in", f(`${t}.ours.der`)],
        ...["-recip", f(`${t}.crt`), "-inkey", f(`${t}.key`)],
      ]);
      assert.deepEqual(new Uint8Array(out), content);
    });
  }

  const encryptWithOpenssl = (t: string, name: string, extra: string[]) => {
    writeFileSync(f("plain.bin"), content);
    openssl([
      ...["cms", "-encrypt", "-binary", "-aes256", "-outform", "DER", "-in", f("plain.bin")],
      ...["-out", f(name), "-recip", f(`${t}.crt`), ...extra],
    ]);
    return parseEnvelopedContentInfo(new Uint8Array(readFileSync(f(name))));
  };

  it("we open OpenSSL's -keyid (subjectKeyIdentifier) recipients, also when the certificate is given", () => {
    const oaep = ["rsa_padding_mode:oaep", "rsa_oaep_md:sha256", "rsa_mgf1_md:sha256"].flatMap((o) => [
      "-keyopt",
      o,
    ]);
    for (const [t, extra] of [
      ["rsa2048", oaep],
      ["ec-p256", ["-keyopt", "ecdh_kdf_md:sha256"]],
    ] as const) {
      const env = encryptWithOpenssl(t, `${t}.keyid.der`, ["-keyid", ...extra]);
      const ri = env.recipientInfos[0]!;
      assert.ok(ri.ktri?.rid.subjectKeyIdentifier ?? ri.kari?.recipientEncryptedKeys[0]!.rid.rKeyId, t);
      assert.deepEqual(
        openEnvelopedData(env, { kind: "key", key: keys[t]!, certificate: certs[t]! }),
        content,
      );
    }
  });

  for (const md of ["sha1", "sha224", "sha384", "sha512"]) {
    it(`KARI with the ${md} X9.63 KDF (OpenSSL's ecdh_kdf_md:${md}) opens`, () => {
      const env = encryptWithOpenssl("ec-p256", `kdf-${md}.der`, ["-keyopt", `ecdh_kdf_md:${md}`]);
      assert.deepEqual(
        openEnvelopedData(env, { kind: "key", key: keys["ec-p256"]!, certificate: certs["ec-p256"]! }),
        content,
      );
    });
  }
});
