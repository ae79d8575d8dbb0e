// The issued certificate is embedded in the CertRepMessage as the DER that was signed: the answer
// is byte-identical to the one built from a parsed Certificate, and the fields still read. The direct
// body writer gives the schema serialiser's bytes and leaves the shapes it does not write to it.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  CertOrEncCert,
  CertRepMessage,
  CertResponse,
  CertifiedKeyPair,
  CMPCertificates,
  InfoTypeAndValues,
  PKIBody,
} from "../../src/asn1/cmp.js";
import { writeCertRepBody } from "../../src/asn1/der/index.js";
import { certRepBody, certResponse, embeddedCertificate } from "../../src/cmp/build/response.js";
import { PKIStatus } from "../../src/asn1/cmp.js";
import { statusInfo } from "../../src/cmp/status.js";
import { opensslSelfSigned, tempDir } from "../helpers/openssl.js";

const dir = tempDir();
let der: Uint8Array;
let ca: Uint8Array;
before(() => {
  der = opensslSelfSigned(dir.path, "ee", "/CN=Embedded EE").der;
  ca = opensslSelfSigned(dir.path, "ca", "/CN=Embedded CA").der;
});
after(() => dir.cleanup());

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(new Uint8Array(b)).toString("hex");

describe("embedded issued certificate", () => {
  it("serialises the ip body byte for byte like the parsed certificate", () => {
    const status = statusInfo(PKIStatus.accepted);
    const fast = certRepBody("ir", [certResponse(0, status, { certificate: { der } })], [ca]);
    const parsed = new CertResponse({
      certReqId: 0,
      status,
      certifiedKeyPair: new CertifiedKeyPair({
        certOrEncCert: new CertOrEncCert({ certificate: AsnParser.parse(der, Certificate) }),
      }),
    });
    const rep = new CertRepMessage({ response: [parsed] });
    rep.caPubs = new CMPCertificates([AsnParser.parse(ca, Certificate)]);
    const schema = new PKIBody({ ip: rep });
    assert.equal(hex(AsnSerializer.serialize(fast)), hex(AsnSerializer.serialize(schema)));
    assert.ok(hex(AsnSerializer.serialize(fast)).includes(hex(der)));
  });

  it("writes ip / cp / kup bodies directly with the schema serialiser's bytes, other shapes through it", () => {
    const ok = statusInfo(PKIStatus.accepted);
    const issued = (id: number, status = ok) => certResponse(id, status, { certificate: { der } });
    const direct = [
      certRepBody("ir", [issued(0)]),
      certRepBody("ir", [issued(0)], [ca]),
      certRepBody("cr", [issued(0), issued(200)], [ca, der]),
      certRepBody("kur", [issued(7, statusInfo(PKIStatus.grantedWithMods))]),
      certRepBody("ir", [certResponse(0, statusInfo(PKIStatus.waiting))]),
    ];
    for (const body of direct) {
      const written = writeCertRepBody(body);
      assert.ok(written, "written directly");
      assert.equal(hex(written), hex(AsnSerializer.serialize(body)));
    }
    const rejected = certRepBody("ir", [
      certResponse(0, statusInfo(PKIStatus.rejection, { text: "no", failInfo: ["badPOP"] })),
    ]);
    const parsedCert = new CertResponse({
      certReqId: 0,
      status: ok,
      certifiedKeyPair: new CertifiedKeyPair({
        certOrEncCert: new CertOrEncCert({ certificate: AsnParser.parse(der, Certificate) }),
      }),
    });
    const left = [
      rejected,
      certRepBody("p10cr", [issued(-1)]),
      new PKIBody({ ip: new CertRepMessage({ response: [parsedCert] }) }),
      new PKIBody({ genp: new InfoTypeAndValues([]) }),
    ];
    for (const body of left) assert.equal(writeCertRepBody(body), undefined);
  });

  it("reads the fields of the embedded certificate on demand", () => {
    const cert = embeddedCertificate(der);
    const reference = AsnParser.parse(der, Certificate);
    assert.ok(cert instanceof Certificate);
    assert.equal(hex(cert.tbsCertificate.serialNumber), hex(reference.tbsCertificate.serialNumber));
    assert.equal(cert.signatureAlgorithm.algorithm, reference.signatureAlgorithm.algorithm);
    assert.equal(hex(AsnSerializer.serialize(cert)), hex(der));
  });
});
