// ML-KEM end-entity keys: enrollment with indirect POP (the certificate comes encrypted to the new key
// in EnvelopedData / KEMRecipientInfo and certConf proves it was decrypted, RFC 9810 §5.2.8.3).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { CertReqMessages } from "../../src/asn1/crmf.js";
import { InfoTypeAndValue, InfoTypeAndValues, PKIBody, PKIMessage } from "../../src/asn1/cmp.js";
import { id_it_caCerts } from "../../src/asn1/oids.js";
import { buildHeader } from "../../src/cmp/header.js";
import { directoryName } from "../../src/pki/names.js";
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

  for (const t of [
    "ml-kem-512",
    "ml-kem-768",
    "ml-kem-1024",
    "x25519",
    "composite:MLKEM768-ECDH-P256-SHA3-256",
  ]) {
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

describe("KEM-based message protection (RFC 9810 §5.1.3.4)", () => {
  let d: Demo;
  before(async () => {
    d = await startDemo();
  });
  after(() => d.close());
  const trusted = () => pemBlocks(d.read("root-ca.crt"));

  for (const t of [
    "ml-kem-768",
    "ml-kem-1024",
    "composite:MLKEM768-X25519-SHA3-256",
    "composite:MLKEM1024-RSA3072-SHA3-256",
  ]) {
    it(`${t}: an EE whose only credential is a KEM certificate does genm, kur and rr`, async () => {
      const key = generateKeyPair(t);
      const first = await new CmpClient({
        send: (der) => postCmp(`${d.url}/.well-known/cmp`, der),
        credential: { kind: "mac", reference: d.kid, secret: new TextEncoder().encode(d.secret) },
        trusted: trusted(),
      }).enroll("ir", { subject: `CN=${t}-kemmac`, newKey: key });
      const sent: string[] = [];
      const kemClient = (k: typeof key, cert: Uint8Array) =>
        new CmpClient({
          send: (der, op) => {
            sent.push(decodePKIMessage(der).bodyType);
            return postCmp(`${d.url}/.well-known/cmp/${op}`, der);
          },
          credential: { kind: "kem", key: k, certificate: cert },
          trusted: trusted(),
          untrusted: pemBlocks(d.read("issuing-ca.crt")),
        });
      const ca = await kemClient(key, first.certificate).getCaCerts();
      assert.equal(ca.length, 2);
      assert.deepEqual(sent, ["genm", "genm"], "KemCiphertextInfo exchange, then the KEM-protected genm");
      const newKey = generateKeyPair(t);
      const kur = await kemClient(key, first.certificate).enroll("kur", { newKey });
      const newCert = AsnParser.parse(kur.certificate, Certificate);
      assert.deepEqual(
        Buffer.from(AsnSerializer.serialize(newCert.tbsCertificate.subjectPublicKeyInfo)),
        Buffer.from(newKey.publicKey.spki),
      );
      const rr = await kemClient(newKey, kur.certificate).revoke(kur.certificate, 1);
      assert.match(rr.status, /accepted/);
      const rec = (await d.server.store.findCertificates({ subject: `CN=${t}-kemmac` })).find(
        (c) => c.status === "revoked",
      );
      assert.ok(rec, "the updated certificate is revoked");
    });
  }

  it("a KEM-protected request without a preceding ciphertext exchange is refused with wrongIntegrity", async () => {
    const key = generateKeyPair("ml-kem-768");
    const r = await new CmpClient({
      send: (der) => postCmp(`${d.url}/.well-known/cmp`, der),
      credential: { kind: "mac", reference: d.kid, secret: new TextEncoder().encode(d.secret) },
      trusted: trusted(),
    }).enroll("ir", { subject: "CN=kem-no-ct", newKey: key });
    const m = new PKIMessage({
      header: buildHeader({ sender: directoryName("CN=kem-no-ct") }),
      body: new PKIBody({ genm: new InfoTypeAndValues([new InfoTypeAndValue({ infoType: id_it_caCerts })]) }),
    });
    const der = protectMessage(m, {
      kind: "kem",
      sharedSecret: new Uint8Array(32),
      extraCerts: [r.certificate],
    });
    const rsp = decodePKIMessage(await postCmp(`${d.url}/.well-known/cmp`, der)).message;
    assert.deepEqual(describeStatus(rsp.body.error!.pKIStatusInfo).failInfo, ["wrongIntegrity"]);
  });
});
