// Central key generation (RFC 9483 §4.1.6): the KGA's key package reaches the EE by every key
// management technique, is signed by an id-kp-cmKGA certificate, and OpenSSL can open and verify it.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { ContentInfo } from "@peculiar/asn1-cms";
import { id_data, id_signedData } from "../../src/asn1/oids.js";
import { keyRecipient } from "../../src/cmp/kga.js";
import { CmpClient, CmpClientError, type ClientCredential } from "../../src/client/client.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { describeStatus } from "../../src/cmp/status.js";
import { generateKeyPair, importPrivateKeyPem, type PrivateKey } from "../../src/crypto/index.js";
import {
  buildEnvelopedData,
  envelopedContentInfoDer,
  openEnvelopedData,
} from "../../src/pki/cms/enveloped.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { postCmp } from "../../src/transport/http-client.js";
import { startDemo, type Demo } from "../helpers/demo.js";
import { openssl } from "../helpers/openssl.js";

function matches(key: PrivateKey, certDer: Uint8Array): boolean {
  const cert = AsnParser.parse(certDer, Certificate);
  return Buffer.from(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo)).equals(
    Buffer.from(key.publicKey.spki),
  );
}

function clientFor(d: Demo, credential: ClientCredential, capture?: Uint8Array[]) {
  return new CmpClient({
    send: async (der, op) => {
      const rsp = await postCmp(`${d.url}/.well-known/cmp/${op}`, der);
      capture?.push(rsp);
      return rsp;
    },
    credential,
    trusted: pemBlocks(d.read("root-ca.crt")),
    untrusted: pemBlocks(d.read("issuing-ca.crt")),
  });
}
const mac = (d: Demo): ClientCredential => ({
  kind: "mac",
  reference: d.kid,
  secret: new TextEncoder().encode(d.secret),
});
const idevid = (d: Demo): ClientCredential => {
  const [certificate, ...chain] = pemBlocks(d.read("idevid-chain.crt"));
  return {
    kind: "signature",
    key: importPrivateKeyPem(d.read("idevid.key")),
    certificate: certificate!,
    chain,
  };
};

describe("central key generation with an EC PKI", () => {
  let d: Demo;
  before(async () => {
    d = await startDemo();
  });
  after(() => d.close());

  it("MAC-protected ir: PasswordRecipientInfo, profile's default key type; then kur with a new central key", async () => {
    const r = await clientFor(d, mac(d)).enroll("ir", { subject: "CN=kga-mac" });
    assert.ok(r.privateKey);
    assert.equal(r.privateKey.type, "ec-p256");
    assert.ok(matches(r.privateKey, r.certificate));
    // kur protected by the centrally generated key: the next key comes through KeyAgreeRecipientInfo.
    const k = await clientFor(d, { kind: "signature", key: r.privateKey, certificate: r.certificate }).enroll(
      "kur",
      {
        centralKeyType: "ed25519",
      },
    );
    assert.equal(k.privateKey?.type, "ed25519");
    assert.ok(matches(k.privateKey!, k.certificate));
  });

  it("IDevID (EC) ir asking for ML-DSA-65: KeyAgreeRecipientInfo; OpenSSL decrypts and verifies the package", async () => {
    const responses: Uint8Array[] = [];
    const r = await clientFor(d, idevid(d), responses).enroll("ir", {
      subject: "CN=kga-mldsa",
      centralKeyType: "ml-dsa-65",
    });
    assert.equal(r.privateKey?.type, "ml-dsa-65");
    assert.ok(matches(r.privateKey!, r.certificate));
    // OpenSSL 3.0 opens the EnvelopedData with the IDevID key and verifies the KGA's SignedData.
    const ip = decodePKIMessage(responses[0]!).message;
    const env = ip.body.ip!.response[0]!.certifiedKeyPair!.privateKey!.envelopedData!;
    assert.equal(env.recipientInfos[0]!.kari !== undefined, true);
    writeFileSync(d.file("kga-env.der"), envelopedContentInfoDer(env));
    const signedData = openssl([
      "cms",
      "-decrypt",
      "-inform",
      "DER",
      "-in",
      d.file("kga-env.der"),
      "-recip",
      d.file("idevid.crt"),
      "-inkey",
      d.file("idevid.key"),
      "-binary",
    ]);
    const ci = new Uint8Array(
      AsnSerializer.serialize(
        new ContentInfo({ contentType: id_signedData, content: new Uint8Array(signedData).buffer }),
      ),
    );
    writeFileSync(d.file("kga-sd.der"), ci);
    writeFileSync(d.file("chain.pem"), d.read("root-ca.crt") + d.read("issuing-ca.crt"));
    const out = openssl([
      "cms",
      "-verify",
      "-inform",
      "DER",
      "-in",
      d.file("kga-sd.der"),
      "-CAfile",
      d.file("chain.pem"),
      "-purpose",
      "any",
      "-binary",
    ]);
    assert.ok(out.length > 0, "the verified content is the AsymmetricKeyPackage");
  });

  it("an ML-KEM EE receives a centrally generated key through KEMRecipientInfo", async () => {
    const kemKey = generateKeyPair("ml-kem-768");
    const first = await clientFor(d, mac(d)).enroll("ir", { subject: "CN=kga-kem", newKey: kemKey });
    const r = await clientFor(d, { kind: "kem", key: kemKey, certificate: first.certificate }).enroll("cr", {
      // RFC 9483 §4.1.2: a cr keeps the subject of the certificate that authorizes it (allowSubjectChange).
      subject: "CN=kga-kem",
      centralKeyType: "ec-p384",
    });
    assert.equal(r.privateKey?.type, "ec-p384");
    assert.ok(matches(r.privateKey!, r.certificate));
  });

  it("a KGA certificate without id-kp-cmKGA is refused by the client", async () => {
    const patched = await startDemo({
      configPatch: (y) =>
        y.replace(
          "certificate: kga.crt\n    key: kga.key",
          "certificate: cmp-signer.crt\n    key: cmp-signer.key",
        ),
    });
    try {
      await assert.rejects(
        clientFor(patched, idevid(patched)).enroll("ir", { subject: "CN=kga-bad" }),
        (e: unknown) => {
          assert.ok(e instanceof CmpClientError);
          assert.match(e.message, /key generation authority is not trusted: .*1\.3\.6\.1\.5\.5\.7\.3\.32/);
          return true;
        },
      );
    } finally {
      await patched.close();
    }
  });
});

describe("central key generation with an RSA PKI: KeyTransRecipientInfo", () => {
  let d: Demo;
  before(async () => {
    d = await startDemo({ alg: "rsa2048" });
  });
  after(() => d.close());

  it("IDevID (RSA) ir: OpenSSL decrypts the key package", async () => {
    const responses: Uint8Array[] = [];
    const r = await clientFor(d, idevid(d), responses).enroll("ir", {
      subject: "CN=kga-rsa",
      centralKeyType: "ec-p256",
    });
    assert.ok(matches(r.privateKey!, r.certificate));
    const env = decodePKIMessage(responses[0]!).message.body.ip!.response[0]!.certifiedKeyPair!.privateKey!
      .envelopedData!;
    assert.ok(env.recipientInfos[0]!.ktri);
    writeFileSync(d.file("kga-env.der"), envelopedContentInfoDer(env));
    const out = openssl([
      "cms",
      "-decrypt",
      "-inform",
      "DER",
      "-in",
      d.file("kga-env.der"),
      "-recip",
      d.file("idevid.crt"),
      "-inkey",
      d.file("idevid.key"),
      "-binary",
    ]);
    assert.equal(out[0], 0x30);
  });
});

describe("central key generation with an Ed25519 IDevID", () => {
  let d: Demo;
  before(async () => {
    d = await startDemo({ alg: "ed25519" });
  });
  after(() => d.close());

  it("is rejected clearly: no key management technique applies to a signature-only key", async () => {
    const responses: Uint8Array[] = [];
    await assert.rejects(
      clientFor(d, idevid(d), responses).enroll("ir", { subject: "CN=kga-ed" }),
      CmpClientError,
    );
    const st = describeStatus(decodePKIMessage(responses[0]!).message.body.ip!.response[0]!.status);
    assert.deepEqual(st.failInfo, ["notAuthorized"]);
    assert.match(
      st.statusString.join(" "),
      /ed25519 certificate: it can neither decrypt, agree on nor decapsulate/,
    );
  });
});

describe("KGA password recipient key encryption (RFC 9483 §4.1.6.3)", () => {
  const who = {
    kind: "mac" as const,
    id: "kid:01",
    secret: { kid: "k", secret: new TextEncoder().encode("kga-password") },
  };
  const content = new TextEncoder().encode("generated key package");
  for (const [setting, oid] of [
    [undefined, "2.16.840.1.101.3.4.1.45"],
    ["aes-kw", "2.16.840.1.101.3.4.1.45"],
    ["pwri-kek", "1.2.840.113549.1.9.16.3.9"],
  ] as const) {
    // OpenSSL 3.0 knows only the RFC 3211 wrap for password recipients: the reason for the setting.
    const peer = setting === "pwri-kek" ? "openssl cms decrypts it" : "OpenSSL 3.0 cannot";
    it(`policy ${setting ?? "(default)"}: key encryption ${oid}; we open it, ${peer}`, () => {
      const recipient = keyRecipient(who, setting);
      const env = buildEnvelopedData(content, id_data, [recipient]);
      assert.equal(env.recipientInfos[0]!.pwri!.keyEncryptionAlgorithm.algorithm, oid);
      const password = { kind: "password" as const, password: who.secret.secret };
      assert.deepEqual(openEnvelopedData(env, password), content);
      const decrypt = () =>
        openssl(["cms", "-decrypt", "-inform", "DER", "-pwri_password", "kga-password"], {
          input: envelopedContentInfoDer(env),
        });
      if (setting === "pwri-kek") assert.deepEqual(new Uint8Array(decrypt()), content);
      else assert.throws(decrypt, /Error decrypting CMS using password/);
    });
  }
});
