// The direct CRMF reader (src/asn1/der/crmf-reader.ts) makes exactly the objects the schema parser makes:
// on the OpenSSL fixtures, on requests of every shape it reads itself, on shapes it leaves to the schema
// parser, and on seeded mutations of all of them (deep equality of the parsed objects, not just of their
// re-encodings, so that e.g. an absent and a FALSE `critical` would differ).
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  AttributeTypeAndValue as NameAttribute,
  AttributeValue,
  Extension,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import {
  AttributeTypeAndValue,
  CertReqMessages,
  CertReqMsg,
  POPOSigningKeyInput,
  POPOSigningKeyInputAuthInfo,
  PKMACValue,
} from "../../src/asn1/crmf.js";
import { Declined, readCertReqMessages, readCertReqMsgDirect } from "../../src/asn1/der/crmf-reader.js";
import { oidText } from "../../src/asn1/der/oid.js";
import { DerReader, DerSyntaxError } from "../../src/asn1/der/reader.js";
import { certReqMessages, certTemplate } from "../../src/cmp/build/crmf.js";
import { mutateByte, prng, wellFormedTree } from "../helpers/der-mutation.js";
import { importPrivateKeyPkcs8 } from "../../src/crypto/index.js";

const FIXTURES = join(process.cwd(), "test", "fixtures", "openssl");

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    spki: new Uint8Array(publicKey.export({ type: "spki", format: "der" })),
    key: importPrivateKeyPkcs8(new Uint8Array(privateKey.export({ type: "pkcs8", format: "der" }))),
  };
}

function rdn(type: string, value: Partial<AttributeValue>): RelativeDistinguishedName {
  return new RelativeDistinguishedName([new NameAttribute({ type, value: new AttributeValue(value) })]);
}

const CN = "2.5.4.3";
const O = "2.5.4.10";
const C = "2.5.4.6";
const asciiName = new Name([
  rdn(C, { printableString: "DE" }),
  rdn(O, { utf8String: "Example Org" }),
  rdn(CN, { ia5String: "device-1.example" }),
]);

type Shape = { name: string; direct: boolean; build: () => CertReqMessages };

/** Requests of every shape the direct reader handles, and some it leaves to the schema parser. */
function shapes(): Shape[] {
  const { spki, key } = keyPair();
  const sig = (
    t: ReturnType<typeof certTemplate>,
    extra: Partial<Parameters<typeof certReqMessages>[0]> = {},
  ) => certReqMessages({ template: t, pop: { kind: "signature", key }, ...extra });
  const ext = (critical: boolean) =>
    new Extension({
      extnID: "2.5.29.15",
      critical,
      extnValue: new OctetString(new Uint8Array([3, 2, 7, 128])),
    });
  return [
    {
      name: "subject, key, signature POP",
      direct: true,
      build: () => sig(certTemplate({ subject: asciiName, publicKey: spki })),
    },
    {
      name: "extensions critical and not",
      direct: true,
      build: () => {
        const t = certTemplate({ subject: asciiName, publicKey: spki });
        t.extensions = [ext(true), ext(false)];
        return sig(t);
      },
    },
    {
      name: "issuer and controls, raVerified",
      direct: true,
      build: () => {
        const t = certTemplate({ subject: asciiName, publicKey: spki });
        t.issuer = new Name([rdn(CN, { printableString: "Issuing CA" })]);
        const controls = [
          new AttributeTypeAndValue({
            type: "1.3.6.1.5.5.7.5.1.5",
            value: AsnSerializer.serialize(asciiName),
          }),
        ];
        return certReqMessages({ template: t, controls, pop: { kind: "raVerified" }, certReqId: 300 });
      },
    },
    {
      name: "central key generation (empty key, no POP)",
      direct: true,
      build: () =>
        certReqMessages({
          template: certTemplate({
            subject: asciiName,
            centralKeyAlgorithm: AsnParser.parse(spki, SubjectPublicKeyInfo).algorithm,
          }),
        }),
    },
    { name: "an empty template", direct: true, build: () => certReqMessages({ template: certTemplate({}) }) },
    {
      name: "a subject in UTF8String beyond ASCII",
      direct: false,
      build: () =>
        sig(certTemplate({ subject: new Name([rdn(CN, { utf8String: "Gerät Ö" })]), publicKey: spki })),
    },
    {
      name: "a BMPString subject",
      direct: false,
      build: () =>
        sig(certTemplate({ subject: new Name([rdn(CN, { bmpString: "device" })]), publicKey: spki })),
    },
    {
      name: "a multi-valued RDN",
      direct: false,
      build: () => {
        const multi = new RelativeDistinguishedName([
          new NameAttribute({ type: CN, value: new AttributeValue({ utf8String: "a" }) }),
          new NameAttribute({ type: O, value: new AttributeValue({ utf8String: "b" }) }),
        ]);
        return sig(certTemplate({ subject: new Name([multi]), publicKey: spki }));
      },
    },
    {
      name: "validity in the template",
      direct: false,
      build: () =>
        sig(certTemplate({ subject: asciiName, publicKey: spki, notAfter: new Date(Date.UTC(2030, 0, 1)) })),
    },
    {
      name: "encrCert POP",
      direct: false,
      build: () =>
        certReqMessages({
          template: certTemplate({ subject: asciiName, publicKey: spki }),
          pop: { kind: "encrCert" },
        }),
    },
    {
      name: "poposkInput with a publicKeyMAC",
      direct: false,
      build: () => {
        const m = sig(certTemplate({ publicKey: spki }));
        m[0]!.popo!.signature!.poposkInput = new POPOSigningKeyInput({
          authInfo: new POPOSigningKeyInputAuthInfo({
            publicKeyMAC: new PKMACValue({ algId: m[0]!.popo!.signature!.algorithmIdentifier }),
          }),
          publicKey: AsnParser.parse(spki, SubjectPublicKeyInfo),
        });
        return m;
      },
    },
    {
      name: "regInfo",
      direct: false,
      build: () => {
        const m = sig(certTemplate({ subject: asciiName, publicKey: spki }));
        m[0]!.regInfo = [
          new AttributeTypeAndValue({
            type: "1.3.6.1.5.5.7.5.2.1",
            value: new Uint8Array([0x0c, 1, 0x61]).buffer,
          }),
        ];
        return m;
      },
    },
    {
      name: "two requests",
      direct: true,
      build: () => {
        const a = sig(certTemplate({ subject: asciiName, publicKey: spki }))[0]!;
        const b = sig(certTemplate({ subject: asciiName, publicKey: spki }), { certReqId: 1 })[0]!;
        return new CertReqMessages([a, b]);
      },
    },
  ];
}

type Outcome = { ok: true; value: CertReqMessages } | { ok: false; error: unknown };

function attempt(f: () => CertReqMessages): Outcome {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Both readers on one encoding: the same objects, or both refusing (the direct one only on DER rules). */
function compare(der: Uint8Array, label: string): "accepted" | "rejected" {
  const schema = attempt(() => AsnParser.parse(der, CertReqMessages));
  const direct = attempt(() => {
    const r = new DerReader(der);
    const e = r.read();
    r.finish("CertReqMessages");
    return readCertReqMessages(e);
  });
  if (direct.ok && schema.ok) {
    assert.deepStrictEqual(direct.value, schema.value, label);
    return "accepted";
  }
  if (direct.ok) assert.fail(`${label}: the direct reader accepts what the schema parser refuses`);
  // Where the schema parser alone accepts, the input breaks DER (decodePKIMessage's shape check refuses
  // elements that overrun their parent before either reader runs).
  if (schema.ok)
    assert.ok(
      direct.error instanceof DerSyntaxError || !wellFormedTree(der),
      `${label}: refused with ${String(direct.error)}`,
    );
  return "rejected";
}

function fixtureRequests(): { name: string; der: Uint8Array }[] {
  return readdirSync(FIXTURES)
    .filter((n) => /^(ir|cr|kur)-.*\.der$/.test(n))
    .map((n) => {
      const msg = new DerReader(new Uint8Array(readFileSync(join(FIXTURES, n)))).read();
      const body = DerReader.of(msg).all()[1]!;
      return { name: n, der: DerReader.of(body).read().bytes.slice() };
    });
}

describe("direct CRMF reader", () => {
  it("reads every OpenSSL ir / cr / kur itself, into the schema parser's objects", () => {
    const reqs = fixtureRequests();
    assert.ok(reqs.length >= 4);
    for (const r of reqs) {
      for (const m of DerReader.of(new DerReader(r.der).read()).all()) {
        assert.deepStrictEqual(readCertReqMsgDirect(m), AsnParser.parse(m.bytes, CertReqMsg), r.name);
      }
      assert.equal(compare(r.der, r.name), "accepted");
    }
  });

  it("reads the usual shapes itself and leaves the others to the schema parser, with equal results", () => {
    for (const s of shapes()) {
      const der = new Uint8Array(AsnSerializer.serialize(s.build()));
      const first = DerReader.of(new DerReader(der).read()).read();
      if (s.direct) assert.doesNotThrow(() => readCertReqMsgDirect(first), s.name);
      else assert.throws(() => readCertReqMsgDirect(first), Declined, s.name);
      assert.equal(compare(der, s.name), "accepted", s.name);
    }
  });

  it("agrees with the schema parser on 400 seeded mutations of each request", () => {
    const counts = { accepted: 0, rejected: 0 };
    const rnd = prng(0x4211);
    const inputs = [
      ...fixtureRequests(),
      ...shapes().map((s) => ({ name: s.name, der: new Uint8Array(AsnSerializer.serialize(s.build())) })),
    ];
    for (const input of inputs) {
      for (let i = 0; i < 400; i++)
        counts[compare(mutateByte(input.der, rnd), `${input.name} mutation ${i}`)]++;
    }
    assert.ok(counts.accepted > 500, `accepted ${counts.accepted}`);
    assert.ok(counts.rejected > 500, `rejected ${counts.rejected}`);
  });

  it("decodes OBJECT IDENTIFIERs as the schema parser does, and refuses non-minimal arcs", () => {
    for (const oid of [
      "2.5.4.3",
      "1.2.840.10045.2.1",
      "0.9.2342.19200300.100.1.25",
      "2.999.1",
      "1.3.6.1.4.1.311.60.2.1.3",
    ]) {
      const der = new Uint8Array(
        AsnSerializer.serialize(
          new NameAttribute({ type: oid, value: new AttributeValue({ utf8String: "x" }) }),
        ),
      );
      const e = DerReader.of(new DerReader(der).read()).read();
      assert.equal(oidText(e.content), oid);
      assert.equal(oidText(e.content), oid, "and again from the cache");
    }
    assert.throws(() => oidText(new Uint8Array([0x55, 0x80, 0x04])), DerSyntaxError);
    assert.throws(() => oidText(new Uint8Array([0x55, 0x84])), DerSyntaxError);
    assert.throws(() => oidText(new Uint8Array([])), DerSyntaxError);
  });
});
