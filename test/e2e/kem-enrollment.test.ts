// ML-KEM end-entity keys: enrollment with indirect POP (the certificate comes encrypted to the new key
// in EnvelopedData / KEMRecipientInfo and certConf proves it was decrypted, RFC 9810 §5.2.8.3).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { CertReqMessages } from "../../src/asn1/crmf.js";
import { CmpClient } from "../../src/client/client.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { protectMessage } from "../../src/cmp/protection.js";
import { describeStatus } from "../../src/cmp/status.js";
import { generateKeyPair, importPrivateKeyPem } from "../../src/crypto/index.js";
import { getKeyUsage } from "../../src/pki/extensions.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { postCmp } from "../../src/transport/http-client.js";
import { startDemo, type Demo } from "../helpers/demo.js";

describe("ML-KEM enrollment with encrCert", () => {
  let d: Demo;
  before(async () => {
    d = await startDemo();
  });
  after(() => d.close());
  const client = (extra: Partial<ConstructorParameters<typeof CmpClient>[0]> = {}) =>
    new CmpClient({
      send: (der) => postCmp(`${d.url}/.well-known/cmp`, der),
      credential: { kind: "mac", reference: d.kid, secret: new TextEncoder().encode(d.secret) },
      trusted: pemBlocks(d.read("root-ca.crt")),
      ...extra,
    });

  for (const t of ["ml-kem-512", "ml-kem-768", "ml-kem-1024", "x25519"]) {
    it(`${t}: the certificate arrives encrypted, certConf confirms it`, async () => {
      const key = generateKeyPair(t);
      const r = await client().enroll("ir", { subject: `CN=${t}-device`, newKey: key });
      const cert = AsnParser.parse(r.certificate, Certificate);
      assert.deepEqual(
        Buffer.from(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo)),
        Buffer.from(key.publicKey.spki),
      );
      assert.deepEqual(getKeyUsage(cert), t === "x25519" ? ["keyAgreement"] : ["keyEncipherment"]);
      assert.equal(
        r.implicitlyConfirmed,
        false,
        "implicitConfirm is never granted for an encrypted certificate",
      );
      const rec = (await d.server.store.findCertificates({ subject: `CN=${t}-device` }))[0];
      assert.equal(rec?.status, "valid");
    });
  }

  it("an IDevID-signed ir for an ML-KEM key, asking for implicitConfirm, still needs certConf", async () => {
    const idKey = importPrivateKeyPem(d.read("idevid.key"));
    const [idCert, ...chain] = pemBlocks(d.read("idevid-chain.crt"));
    const r = await client({
      credential: { kind: "signature", key: idKey, certificate: idCert!, chain },
      implicitConfirm: true,
    }).enroll("ir", {
      subject: "CN=kem-idevid",
      newKey: generateKeyPair("ml-kem-768"),
    });
    assert.equal(r.implicitlyConfirmed, false);
  });

  it("a KEM key offered with a signature POP is rejected with badPOP", async () => {
    let captured: Uint8Array | undefined;
    await new CmpClient({
      send: async (der) => {
        captured = der;
        throw new Error("captured");
      },
      credential: { kind: "mac", reference: d.kid, secret: new TextEncoder().encode(d.secret) },
    })
      .enroll("ir", { subject: "CN=kem-sigpop", newKey: generateKeyPair("ec-p256") })
      .catch(() => undefined);
    const m = decodePKIMessage(captured!).message;
    const req = (m.body.ir as CertReqMessages)[0]!;
    req.certReq.certTemplate.publicKey = AsnParser.parse(
      generateKeyPair("ml-kem-768").publicKey.spki,
      SubjectPublicKeyInfo,
    );
    m.header.senderNonce = crypto.getRandomValues(new Uint8Array(16)).buffer;
    const der = protectMessage(m, {
      kind: "pbm",
      secret: new TextEncoder().encode(d.secret),
      senderKID: new TextEncoder().encode(d.kid),
    });
    const rsp = decodePKIMessage(await postCmp(`${d.url}/.well-known/cmp`, der)).message;
    const s = describeStatus(rsp.body.ip!.response[0]!.status);
    assert.deepEqual(s.failInfo, ["badPOP"]);
    assert.match(s.statusString.join(" "), /ml-kem-768/);
  });
});
