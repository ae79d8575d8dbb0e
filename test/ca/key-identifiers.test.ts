// The CA's key identifiers (RFC 5280 §4.2.1.1-2, RFC 7093 §2 method 1): the subjectKeyIdentifier of an
// issued certificate is the leftmost 160 bits of SHA-256 over its subjectPublicKey bits; its
// authorityKeyIdentifier is the issuing CA's subjectKeyIdentifier.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  getAuthorityKeyIdentifier,
  getSubjectKeyIdentifier,
  keyIdentifier,
} from "../../src/pki/extensions.js";
import { createTestCa, enrolled, type TestCa } from "../helpers/ca.js";

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString("hex") : "(none)");

describe("key identifiers of issued certificates", () => {
  let t: TestCa;
  before(async () => {
    t = await createTestCa();
  });
  after(() => t.close());

  it("SKI by RFC 7093 method 1 over the subject key, AKI = the CA's SKI", async () => {
    for (const subject of ["CN=ski-1", "CN=ski-2"]) {
      const { cert } = await enrolled(t, subject);
      const c = AsnParser.parse(cert, Certificate);
      const expected = keyIdentifier(c.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
      assert.equal(hex(getSubjectKeyIdentifier(c)), hex(expected));
      assert.equal(hex(getAuthorityKeyIdentifier(c)), hex(getSubjectKeyIdentifier(t.materials.caCert.cert)));
    }
  });
});
