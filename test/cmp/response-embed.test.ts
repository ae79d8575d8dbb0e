// The issued certificate is embedded in the CertRepMessage as the DER that was signed: the answer
// is byte-identical to the one built from a parsed Certificate, and the fields still read.
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
  PKIBody,
} from "../../src/asn1/cmp.js";
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

  it("reads the fields of the embedded certificate on demand", () => {
    const cert = embeddedCertificate(der);
    const reference = AsnParser.parse(der, Certificate);
    assert.ok(cert instanceof Certificate);
    assert.equal(hex(cert.tbsCertificate.serialNumber), hex(reference.tbsCertificate.serialNumber));
    assert.equal(cert.signatureAlgorithm.algorithm, reference.signatureAlgorithm.algorithm);
    assert.equal(hex(AsnSerializer.serialize(cert)), hex(der));
  });
});
