// The CmpClient against the in-process CA: every operation's happy path (RFC 9483 §4.1-4.3).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  CmpClient,
  CmpClientError,
  type ClientCredential,
  type CmpClientOptions,
} from "../../src/client/client.js";
import * as oids from "../../src/asn1/oids.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { buildCsr, createTestCa, dn, serialOf, type TestCa } from "../helpers/ca.js";

describe("CmpClient -> in-process CA", () => {
  let t: TestCa;
  let mac: Extract<ClientCredential, { kind: "mac" }>;
  before(async () => {
    t = await createTestCa();
    mac = {
      kind: "mac",
      reference: t.secrets.kid,
      secret: new TextEncoder().encode(t.secrets.secret),
      iterations: 1000,
    };
  });
  after(() => t.close());

  const client = (credential: ClientCredential, extra: Partial<CmpClientOptions> = {}) =>
    new CmpClient({
      send: (der, op) => t.ca.handle(der, { operation: op }),
      credential,
      trusted: [t.root],
      untrusted: [t.issuing],
      now: t.clock.now,
      ...extra,
    });
  const issuer = "CN=Demo Issuing CA,O=lwcmp demo";
  const status = async (cert: Uint8Array) => (await t.store.getCertificate(issuer, serialOf(cert)))?.status;
  const der = (x: unknown) => new Uint8Array(AsnSerializer.serialize(x));

  it("ir with MAC: certConf sent, certificate valid, chain and caPubs returned", async () => {
    const key = generateKeyPair("ec-p256");
    const r = await client(mac).enroll("ir", { subject: "CN=client-ir,O=Example", newKey: key });
    assert.equal(r.implicitlyConfirmed, false);
    assert.deepEqual([...r.caPubs], [t.root]);
    assert.deepEqual([...r.chain], [t.issuing, t.root]);
    assert.match(r.status, /^accepted/);
    assert.equal(r.transactionId.length, 32);
    const cert = AsnParser.parse(r.certificate, Certificate);
    assert.deepEqual(der(cert.tbsCertificate.subjectPublicKeyInfo), key.publicKey.spki);
    assert.equal(await status(r.certificate), "valid");
    const tx = await t.store.getTransaction(r.transactionId);
    assert.equal(tx?.state, "confirmed");
  });

  it("ir with MAC and no trust anchor: the root from caPubs validates the certificate", async () => {
    const r = await client(mac, { trusted: [] }).enroll("ir", {
      subject: "CN=client-capubs",
      newKey: generateKeyPair("ec-p256"),
    });
    assert.equal(await status(r.certificate), "valid");
  });

  it("ir with the IDevID and implicitConfirm; PBMAC1 too", async () => {
    const idevid: ClientCredential = {
      kind: "signature",
      key: t.idevid.key,
      certificate: t.idevid.cert,
      chain: t.idevid.chain,
    };
    const r = await client(idevid, { implicitConfirm: true }).enroll("ir", {
      subject: "CN=client-ldevid",
      newKey: generateKeyPair("ed25519"),
    });
    assert.equal(r.implicitlyConfirmed, true);
    assert.deepEqual([...r.caPubs], []);
    assert.equal(await status(r.certificate), "valid");
    const p = await client({ ...mac, algorithm: "pbmac1" }).enroll("ir", {
      subject: "CN=client-pbmac1",
      newKey: generateKeyPair("ec-p384"),
    });
    assert.equal(await status(p.certificate), "valid");
  });

  it("cr and kur with an issued certificate, then rr of the updated one", async () => {
    const key = generateKeyPair("ec-p256");
    const first = await client(mac).enroll("ir", { subject: "CN=client-holder", newKey: key });
    const sig: ClientCredential = { kind: "signature", key, certificate: first.certificate };
    // RFC 9483 §4.1.2: a cr keeps the subject of the certificate that authorizes it (allowSubjectChange).
    const cr = await client(sig).enroll("cr", {
      subject: "CN=client-holder",
      newKey: generateKeyPair("ec-p256"),
      dnsNames: ["holder.example"],
    });
    assert.equal(await status(cr.certificate), "valid");
    const newKey = generateKeyPair("ec-p256");
    const kur = await client(sig).enroll("kur", { newKey });
    const kc = AsnParser.parse(kur.certificate, Certificate);
    assert.deepEqual(der(kc.tbsCertificate.subject), der(dn("CN=client-holder")));
    assert.equal(await status(kur.certificate), "valid");
    assert.equal(await status(first.certificate), "valid", "revokeOnKeyUpdate is off");
    const updated: ClientCredential = { kind: "signature", key: newKey, certificate: kur.certificate };
    const rr = await client(updated).revoke(kur.certificate, 1);
    assert.match(rr.status, /^accepted/);
    const rec = await t.store.getCertificate(issuer, serialOf(kur.certificate));
    assert.equal(rec?.status, "revoked");
    assert.equal(rec?.revocationReason, 1);
  });

  it("p10cr: the CSR's key is certified", async () => {
    const key = generateKeyPair("ec-p256");
    const r = await client(mac).p10cr(buildCsr(key, "CN=client-p10"));
    const cert = AsnParser.parse(r.certificate, Certificate);
    assert.deepEqual(der(cert.tbsCertificate.subjectPublicKeyInfo), key.publicKey.spki);
    assert.equal(await status(r.certificate), "valid");
  });

  it("genm: CA certificates, root update, certificate request template, CRLs", async () => {
    const c = client(mac);
    assert.deepEqual([...(await c.getCaCerts())], [t.issuing, t.root]);
    assert.equal(await c.getRootUpdate(t.root), undefined);
    const tpl = await c.getCertReqTemplate();
    assert.ok(tpl);
    assert.equal(tpl.keySpec, undefined);
    const tls = await client(mac, { certProfile: "tls-server" }).getCertReqTemplate();
    assert.deepEqual(
      tls?.keySpec?.map((k) => k.type),
      [oids.id_regCtrl_algId],
    );
    const crls = await c.getCrls(issuer);
    assert.equal(crls.length, 1);
    await assert.rejects(c.genm([]), (e) => e instanceof CmpClientError && e.failInfo.includes("badRequest"));
  });
});
