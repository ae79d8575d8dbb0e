// KEMRecipientInfo (RFC 9629 §3): the kem algorithm must be the recipient key's; another one is refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { id_data } from "../../src/asn1/oids.js";
import { generateKeyPair } from "../../src/crypto/index.js";
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

// id-alg-ml-kem-768 (2.16.840.1.101.3.4.4.2) as DER.
const ML_KEM_768 = Buffer.from("0609608648016503040402", "hex");

describe("KEMRecipientInfo kem", () => {
  it("opens with the matching kem and refuses a kem that is not the key's", () => {
    const key = generateKeyPair("ml-kem-768");
    const certificate = buildCertificate({
      issuer: parseName("CN=KEM Test CA"),
      subject: parseName("CN=kem"),
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 86_400_000),
      subjectPublicKeyInfo: key.publicKey.spki,
      extensions: [keyUsageExt(["keyEncipherment"])],
      issuerKey: generateKeyPair("ec-p256"),
    });
    const content = new TextEncoder().encode("secret");
    const der = envelopedContentInfoDer(
      buildEnvelopedData(content, id_data, [{ kind: "certificate", certificate }]),
    );
    const cred = { kind: "key" as const, key, certificate };
    assert.deepEqual(openEnvelopedData(parseEnvelopedContentInfo(der), cred), content);
    const at = Buffer.from(der).indexOf(ML_KEM_768);
    assert.ok(at > 0, "the kem OID is in the EnvelopedData");
    const tampered = Uint8Array.from(der);
    tampered[at + ML_KEM_768.length - 1] = 0x03; // id-alg-ml-kem-1024
    assert.throws(
      () => openEnvelopedData(parseEnvelopedContentInfo(tampered), cred),
      (e: unknown) => e instanceof CmsError && /does not match the recipient key/.test(e.message),
    );
  });
});
