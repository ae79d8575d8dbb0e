// Characterization of every body type the CA answers (RFC 9483 §4.1-4.3) and of those it refuses,
// calling its handler directly.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, Certificate, CertificateList } from "@peculiar/asn1-x509";
import {
  CertificateLists,
  CMPCertificates,
  InfoTypeAndValue,
  PKIBody,
  type CertRepMessage,
} from "../../src/asn1/cmp.js";
import { CertReqMessages } from "../../src/asn1/crmf.js";
import { AlgorithmIdentifiers, CertReqTemplateContent } from "../../src/asn1/itav.js";
import * as oids from "../../src/asn1/oids.js";
import {
  createTestCa,
  crRequest,
  dn,
  enrolled,
  errorRequest,
  genmRequest,
  irRequest,
  kurRequest,
  p10crRequest,
  request,
  rrRequest,
  send,
  serialOf,
  type Answer,
  type TestCa,
} from "../helpers/ca.js";

const der = (x: unknown) => new Uint8Array(AsnSerializer.serialize(x));

describe("CA bodies", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  const issuer = () => "CN=Demo Issuing CA,O=lwcmp demo";
  const record = (cert: Uint8Array) => t.store.getCertificate(issuer(), serialOf(cert));
  const rep = (a: Answer) => {
    const b = a.decoded.message.body;
    return (b.ip ?? b.cp ?? b.kup) as CertRepMessage;
  };
  const certOf = (a: Answer) => AsnParser.parse(a.certificate!, Certificate);
  const generalInfo = (a: Answer) => [...(a.decoded.message.header.generalInfo ?? [])].map((i) => i.infoType);

  it("ir with MAC: ip accepted, caPubs the root, extraCerts the chain; unconfirmed until certConf", async () => {
    const req = irRequest(t, { subject: "CN=ir-mac,O=Example", dnsNames: ["ir-mac.example"] });
    const a = await send(t.ca, req);
    assert.equal(a.bodyType, "ip");
    assert.equal(a.statusName, "accepted");
    assert.equal(rep(a).response[0]!.certReqId, 0);
    assert.deepEqual([...(rep(a).caPubs ?? [])].map(der), [t.root]);
    assert.deepEqual(
      a.decoded.extraCerts.map((c) => c.der),
      [t.issuing, t.root],
    );
    assert.equal(a.decoded.message.header.protectionAlg?.algorithm, oids.id_PasswordBasedMac);
    const cert = certOf(a);
    assert.deepEqual(der(cert.tbsCertificate.subjectPublicKeyInfo), req.key!.publicKey.spki);
    assert.deepEqual(der(cert.tbsCertificate.subject), der(dn("CN=ir-mac,O=Example")));
    assert.deepEqual(generalInfo(a), [oids.id_it_confirmWaitTime]);
    assert.equal((await record(a.certificate!))?.status, "unconfirmed");
  });

  it("ir with the IDevID: ip accepted without caPubs, signed by the CMP signer", async () => {
    const a = await send(t.ca, irRequest(t, { cred: t.idevid.cred, subject: "CN=ldevid-1" }));
    assert.equal(a.statusName, "accepted");
    assert.equal(rep(a).caPubs, undefined);
    assert.deepEqual(
      a.decoded.extraCerts.map((c) => c.der),
      [t.materials.signer.cert.der, t.issuing, t.root],
    );
    assert.deepEqual(der(certOf(a).tbsCertificate.issuer), der(dn(issuer())));
  });

  it("ir refusals are rejected ips: bad POP, no POP, subject outside the profile", async () => {
    const cases: [Parameters<typeof irRequest>[1], string][] = [
      [{ pop: "bad" }, "badPOP"],
      [{ pop: "none" }, "badPOP"],
      [{ subject: "O=no common name" }, "badCertTemplate"],
      [{ dnsNames: ["UPPER.example"] }, "badCertTemplate"],
      [{ certReqId: 1 }, "badRequest"],
    ];
    for (const [opts, fail] of cases) {
      const a = await send(t.ca, irRequest(t, opts));
      assert.equal(a.bodyType, "ip", fail);
      assert.equal(a.statusName, "rejection");
      assert.deepEqual(a.failInfo, [fail]);
      assert.ok(a.statusString[0]);
      assert.equal(a.certificate, undefined);
    }
  });

  it("cr with an issued certificate: cp accepted", async () => {
    const ee = await enrolled(t, "CN=cr-holder");
    // RFC 9483 §4.1.2: the cr is authorized by the holder's certificate, so it keeps that subject.
    const a = await send(t.ca, crRequest(t, { cred: ee.cred, subject: "CN=cr-holder" }));
    assert.equal(a.bodyType, "cp");
    assert.equal(a.statusName, "accepted");
    assert.equal(rep(a).caPubs, undefined);
  });

  it("kur: kup keeps the subject; the old certificate stays valid (revokeOnKeyUpdate off)", async () => {
    const ee = await enrolled(t, "CN=kur-holder,O=Example");
    const a = await send(t.ca, kurRequest(t, { cred: ee.cred, implicitConfirm: true }));
    assert.equal(a.bodyType, "kup");
    assert.equal(a.statusName, "accepted");
    assert.deepEqual(der(certOf(a).tbsCertificate.subject), der(dn("CN=kur-holder,O=Example")));
    assert.equal((await record(ee.cert))?.status, "valid");
    assert.equal((await record(a.certificate!))?.status, "valid");
  });

  it("kur refusals: under MAC, with the old key, with another subject", async () => {
    const ee = await enrolled(t, "CN=kur-refused");
    const mac = await send(t.ca, kurRequest(t, { oldCert: ee.cert }));
    assert.equal(mac.bodyType, "kup");
    assert.deepEqual(mac.failInfo, ["notAuthorized"]);
    const sameKey = await send(t.ca, kurRequest(t, { cred: ee.cred, key: ee.key }));
    assert.deepEqual(sameKey.failInfo, ["badCertTemplate"]);
    const other = await send(t.ca, kurRequest(t, { cred: ee.cred, subject: "CN=someone-else" }));
    assert.deepEqual(other.failInfo, ["badCertTemplate"]);
  });

  it("p10cr: cp with certReqId -1; a broken CSR signature -> rejected cp badPOP", async () => {
    const a = await send(t.ca, p10crRequest(t, { subject: "CN=p10-ee", implicitConfirm: true }));
    assert.equal(a.bodyType, "cp");
    assert.equal(a.statusName, "accepted");
    assert.equal(rep(a).response[0]!.certReqId, -1);
    const bad = await send(t.ca, p10crRequest(t, { pop: "bad" }));
    assert.equal(bad.bodyType, "cp");
    assert.deepEqual(bad.failInfo, ["badPOP"]);
    assert.equal(rep(bad).response[0]!.certReqId, -1);
  });

  it("rr by the holder: rp accepted, revoked with the reason; the certificate then authenticates nothing", async () => {
    const ee = await enrolled(t, "CN=rr-holder");
    const a = await send(t.ca, rrRequest(t, { cred: ee.cred, cert: ee.cert, reason: 1 }));
    assert.equal(a.bodyType, "rp");
    assert.equal(a.statusName, "accepted");
    const rec = await record(ee.cert);
    assert.equal(rec?.status, "revoked");
    assert.equal(rec?.revocationReason, 1);
    assert.deepEqual(rec?.revocationTime, t.clock.now());
    // Already revoked, asked by the holder: its protection certificate is no longer trusted.
    const again = await send(t.ca, rrRequest(t, { cred: ee.cred, cert: ee.cert }));
    assert.equal(again.bodyType, "error");
    assert.deepEqual(again.failInfo, ["signerNotTrusted"]);
  });

  it("rr refusals in the rp: not the holder -> notAuthorized, unknown serial -> badCertId", async () => {
    const victim = await enrolled(t, "CN=rr-victim");
    const other = await enrolled(t, "CN=rr-other");
    const a = await send(t.ca, rrRequest(t, { cred: other.cred, cert: victim.cert }));
    assert.equal(a.bodyType, "rp");
    assert.equal(a.statusName, "rejection");
    assert.deepEqual(a.failInfo, ["notAuthorized"]);
    assert.equal((await record(victim.cert))?.status, "valid");
    const unknown = await send(t.ca, rrRequest(t, { cred: other.cred, serial: Uint8Array.of(1, 2, 3) }));
    assert.equal(unknown.bodyType, "rp");
    assert.deepEqual(unknown.failInfo, ["badCertId"]);
    assert.match(unknown.statusString[0]!, /serial 010203/);
    const mac = await send(t.ca, rrRequest(t, { cert: victim.cert }));
    assert.deepEqual(mac.failInfo, ["notAuthorized"], "a shared secret cannot revoke");
  });

  it("rr by an authorized RA of a revoked certificate -> rp certRevoked", async () => {
    const ra = await createTestCa({
      configPatch: (y) => y.replace("ras: [ra-signer.crt]", "ras: [manufacturer-ca.crt]"),
    });
    try {
      const ee = await enrolled(ra, "CN=ra-revoked");
      const first = await send(ra.ca, rrRequest(ra, { cred: ra.idevid.cred, cert: ee.cert, reason: 4 }));
      assert.equal(first.statusName, "accepted");
      const again = await send(ra.ca, rrRequest(ra, { cred: ra.idevid.cred, cert: ee.cert }));
      assert.equal(again.bodyType, "rp");
      assert.deepEqual(again.failInfo, ["certRevoked"]);
    } finally {
      await ra.close();
    }
  });

  it("genm caCerts, rootCaCert, signKeyPairTypes and an unknown type in one message", async () => {
    const a = await send(
      t.ca,
      genmRequest(t, [oids.id_it_caCerts, oids.id_it_rootCaCert, oids.id_it_signKeyPairTypes, "1.2.3.4.5"]),
    );
    assert.equal(a.bodyType, "genp");
    const [ca, root, types, unknown] = [...a.decoded.message.body.genp!];
    assert.equal(ca!.infoType, oids.id_it_caCerts);
    assert.deepEqual([...AsnParser.parse(ca!.infoValue!, CMPCertificates)].map(der), [t.issuing, t.root]);
    assert.equal(root!.infoType, oids.id_it_rootCaKeyUpdate);
    assert.equal(root!.infoValue, undefined, "no root update is known");
    assert.equal(types!.infoType, oids.id_it_signKeyPairTypes);
    const algs = AsnParser.parse(types!.infoValue!, AlgorithmIdentifiers);
    assert.deepEqual(
      [...algs].map((x: AlgorithmIdentifier) => x.algorithm),
      ["1.2.840.10045.4.3.2"],
    );
    assert.equal(unknown!.infoType, "1.2.3.4.5");
    assert.equal(unknown!.infoValue, undefined);
  });

  it("genm certReqTemplate: none for default, the key type for tls-server; unknown profile -> badRequest", async () => {
    const plain = await send(t.ca, genmRequest(t, [oids.id_it_certReqTemplate]));
    const tpl = AsnParser.parse(plain.decoded.message.body.genp![0]!.infoValue!, CertReqTemplateContent);
    assert.equal(tpl.keySpec, undefined);
    assert.equal(tpl.certTemplate.subject?.length, 0);
    const tls = await send(t.ca, genmRequest(t, [oids.id_it_certReqTemplate], { certProfile: "tls-server" }));
    const tt = AsnParser.parse(tls.decoded.message.body.genp![0]!.infoValue!, CertReqTemplateContent);
    assert.deepEqual(
      tt.keySpec?.map((k) => k.type),
      [oids.id_regCtrl_algId],
    );
    const byPath = await send(t.ca, genmRequest(t, [oids.id_it_certReqTemplate]), { profile: "tls-server" });
    assert.equal(byPath.bodyType, "genp");
    const none = genmRequest(t, [oids.id_it_certReqTemplate], { certProfile: "no-such-profile" });
    const e = await send(t.ca, none);
    assert.equal(e.bodyType, "error");
    assert.deepEqual(e.failInfo, ["badRequest"]);
    assert.match(e.statusString[0]!, /unknown certificate profile "no-such-profile"/);
  });

  it("genm crlStatusList: one fresh CRL of the issuing CA listing revoked certificates", async () => {
    const ee = await enrolled(t, "CN=crl-listed");
    await send(t.ca, rrRequest(t, { cred: ee.cred, cert: ee.cert }));
    const a = await send(t.ca, genmRequest(t, [oids.id_it_crlStatusList]));
    const itav = a.decoded.message.body.genp![0]!;
    assert.equal(itav.infoType, oids.id_it_crls);
    const crls = AsnParser.parse(itav.infoValue!, CertificateLists);
    assert.equal(crls.length, 1);
    const crl: CertificateList = crls[0]!;
    assert.deepEqual(der(crl.tbsCertList.issuer), der(dn(issuer())));
    const serials = (crl.tbsCertList.revokedCertificates ?? []).map((r) =>
      Buffer.from(r.userCertificate)
        .toString("hex")
        .replace(/^(00)+(?=.)/, ""),
    );
    assert.ok(serials.includes(serialOf(ee.cert)));
  });

  it("genm without any InfoTypeAndValue -> error badRequest", async () => {
    const a = await send(t.ca, genmRequest(t, []));
    assert.equal(a.bodyType, "error");
    assert.deepEqual(a.failInfo, ["badRequest"]);
  });

  it("error from the EE -> pkiConf, also outside any transaction", async () => {
    const ip = await send(t.ca, irRequest(t));
    const a = await send(t.ca, errorRequest(t, ip));
    assert.equal(a.bodyType, "pkiconf");
    assert.deepEqual(a.transactionID, ip.transactionID);
    assert.equal(
      (await t.store.getTransaction(Buffer.from(ip.transactionID!).toString("hex")))?.state,
      "done",
    );
    // RFC 9483 §4.1.1 lets the CA revoke a certificate that will not be confirmed; today it stays
    // unconfirmed until sweep() revokes it after confirmWaitTime.
    assert.equal((await record(ip.certificate!))?.status, "unconfirmed");
    const alone = await send(
      t.ca,
      errorRequest(t, ip, { transactionID: crypto.getRandomValues(new Uint8Array(16)) }),
    );
    assert.equal(alone.bodyType, "pkiconf");
  });

  it("bodies the CA does not accept -> error badRequest: krr, ccr, ip", async () => {
    const reqs = new CertReqMessages();
    for (const body of [
      new PKIBody({ krr: reqs }),
      new PKIBody({ ccr: reqs }),
      new PKIBody({ ip: rep(await send(t.ca, irRequest(t, { implicitConfirm: true }))) }),
    ]) {
      const a = await send(t.ca, request(t, body));
      assert.equal(a.bodyType, "error");
      assert.deepEqual(a.failInfo, ["badRequest"]);
      assert.match(a.statusString[0]!, /does not accept (krr|ccr|ip) messages/);
    }
  });

  it("genm with a value for rootCaCert naming our root -> still no update", async () => {
    const value = new InfoTypeAndValue({
      infoType: oids.id_it_rootCaCert,
      infoValue: AsnSerializer.serialize(AsnParser.parse(t.root, Certificate)),
    });
    const a = await send(t.ca, genmRequest(t, [value]));
    assert.equal(a.decoded.message.body.genp![0]!.infoType, oids.id_it_rootCaKeyUpdate);
    assert.equal(a.decoded.message.body.genp![0]!.infoValue, undefined);
  });
});
