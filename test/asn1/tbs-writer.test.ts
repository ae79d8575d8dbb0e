// The direct TBSCertificate writer produces the schema serialiser's bytes exactly, and the signed
// certificate is a Certificate over exactly those bytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Certificate,
  Extension,
  id_ce_basicConstraints,
  SubjectKeyIdentifier,
} from "@peculiar/asn1-x509";
import { defaultSignatureAlgorithm, generateKeyPair, verify } from "../../src/crypto/index.js";
import { DerWriter } from "../../src/asn1/der/index.js";
import {
  buildCertificate,
  randomSerial,
  tbsCertificateDer,
  tbsCertificateDerSchema,
  type CertificateSpec,
} from "../../src/pki/build.js";
import { parseName } from "../../src/pki/names.js";
import {
  authorityInfoAccessExt,
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  crlDistributionPointsExt,
  extKeyUsageExt,
  keyUsageExt,
  subjectKeyIdentifierExt,
} from "../../src/pki/extensions.js";
import { firstChild } from "../../src/pki/der.js";

const issuerKey = generateKeyPair("ec-p256");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function spec(over: Partial<CertificateSpec> = {}): CertificateSpec {
  const ca = new Extension({
    extnID: id_ce_basicConstraints,
    critical: true,
    extnValue: new OctetString(AsnSerializer.serialize(new BasicConstraints({ cA: true }))),
  });
  return {
    issuer: parseName("CN=Writer CA,O=lwcmp"),
    subject: parseName("CN=device-7,OU=Ops,O=lwcmp"),
    notBefore: new Date("2026-01-02T03:04:05.678Z"),
    notAfter: new Date("2031-01-02T03:04:05Z"),
    subjectPublicKeyInfo: generateKeyPair("ec-p256").publicKey.spki,
    extensions: [ca],
    issuerKey,
    ...over,
  };
}

describe("TBSCertificate writer", () => {
  const cases: [string, Partial<CertificateSpec>][] = [
    ["EC key with an extension", {}],
    ["no extensions", { extensions: [] }],
    ["GeneralizedTime from 2050", { notAfter: new Date("2051-06-30T23:59:59Z") }],
    ["RSA key (long SPKI)", { subjectPublicKeyInfo: generateKeyPair("rsa-2048").publicKey.spki }],
    ["ML-DSA key (very long SPKI)", { subjectPublicKeyInfo: generateKeyPair("ml-dsa-65").publicKey.spki }],
    [
      "the CA's usual extensions, critical and not, with large OID arcs",
      {
        extensions: [
          basicConstraintsExt(false),
          keyUsageExt(["digitalSignature", "keyAgreement"]),
          extKeyUsageExt(["1.3.6.1.5.5.7.3.2", "1.3.6.1.4.1.99999.12345678.1"]),
          authorityKeyIdentifierExt(Uint8Array.from({ length: 20 }, (_, i) => i)),
          crlDistributionPointsExt(["http://ca.example/crl/a.crl"]),
          authorityInfoAccessExt({ ocsp: ["http://ca.example/ocsp"] }),
          new Extension({
            extnID: "2.25.329800735698586629295641978511506172918",
            critical: false,
            extnValue: new OctetString(new Uint8Array([5, 0]).buffer),
          }),
        ],
      },
    ],
  ];
  for (const [name, over] of cases) {
    it(`matches the schema serialiser: ${name}`, () => {
      const s = spec(over);
      const alg = defaultSignatureAlgorithm(issuerKey);
      for (const serial of [randomSerial(), randomSerial(20), Uint8Array.of(1)]) {
        // Twice: the second time the kept DER of the algorithm, the issuer and the extension values serves.
        for (let round = 0; round < 2; round++) {
          assert.equal(hex(tbsCertificateDer(s, alg, serial)), hex(tbsCertificateDerSchema(s, alg, serial)));
        }
      }
    });
  }

  it("writes the subjectKeyIdentifier extension as the schema serialiser does", () => {
    for (const n of [20, 32, 127, 128, 300]) {
      const keyId = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
      const e = subjectKeyIdentifierExt(keyId);
      assert.equal(
        hex(new Uint8Array(e.extnValue.buffer)),
        hex(new Uint8Array(AsnSerializer.serialize(new SubjectKeyIdentifier(keyId)))),
      );
      assert.equal(e.critical, false);
    }
  });

  it("signs exactly the written TBSCertificate", () => {
    const der = buildCertificate(spec());
    const cert = AsnParser.parse(der, Certificate);
    assert.equal(hex(new Uint8Array(AsnSerializer.serialize(cert))), hex(der));
    const tbs = firstChild(der);
    assert.ok(verify(cert.signatureAlgorithm, issuerKey.publicKey, tbs, new Uint8Array(cert.signatureValue)));
  });

  it("refuses a subject key that is not one DER element", () => {
    const spki = spec().subjectPublicKeyInfo;
    const alg = defaultSignatureAlgorithm(issuerKey);
    assert.throws(() =>
      tbsCertificateDer(spec({ subjectPublicKeyInfo: spki.subarray(0, 20) }), alg, randomSerial()),
    );
  });

  it("the writer back-patches long lengths", () => {
    for (const n of [0, 127, 128, 255, 256, 65535, 65536]) {
      const out = new DerWriter(4).sequence((w) => w.raw(new Uint8Array(n))).finish();
      const head =
        n < 128
          ? [0x30, n]
          : n < 256
            ? [0x30, 0x81, n]
            : n < 65536
              ? [0x30, 0x82, n >> 8, n & 255]
              : [0x30, 0x83, 1, 0, 0];
      assert.deepEqual([...out.subarray(0, head.length)], head, `length ${n}`);
      assert.equal(out.length, head.length + n);
    }
  });
});
