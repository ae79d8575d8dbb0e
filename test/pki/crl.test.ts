// CRL building and reading (RFC 5280 §5): our DER parses with the ASN.1 schemas and with openssl,
// reason codes and invalidityDate come back, large sources stream, bad reasons are refused.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { CertificateList } from "@peculiar/asn1-x509";
import { generateKeyPair } from "../../src/crypto/index.js";
import {
  buildCrl,
  buildCrlStream,
  CrlReasonError,
  CrlSourceChanged,
  parseCrl,
  parseCrlReason,
  type RevokedEntry,
} from "../../src/pki/crl.js";
import { parseName } from "../../src/pki/names.js";
import { openssl, tempDir } from "../helpers/openssl.js";

const issuer = parseName("CN=CRL Test CA,O=lwcmp");
const t0 = new Date("2030-05-01T10:00:00Z");

describe("CRL builder", () => {
  it("writes entries with reason codes and invalidityDate that openssl and the parser read", async () => {
    const key = generateKeyPair("ec-p256");
    const revoked: RevokedEntry[] = [
      { serial: "7f01", revocationTime: t0, reason: 1, invalidityDate: new Date("2030-04-30T00:00:00Z") },
      { serial: "8001", revocationTime: new Date("2051-01-01T00:00:00Z"), reason: 4 },
      { serial: "0abc", revocationTime: t0 },
    ];
    const der = await buildCrl({
      issuer,
      issuerKey: key,
      issuerKeyId: new Uint8Array(20).fill(7),
      crlNumber: 300n,
      thisUpdate: t0,
      nextUpdate: new Date(t0.getTime() + 86_400_000),
      revoked,
    });
    const asn = AsnParser.parse(der, CertificateList);
    assert.equal(asn.tbsCertList.revokedCertificates?.length, 3);
    const p = parseCrl(der);
    assert.equal(p.crlNumber, 300n);
    assert.equal(p.thisUpdate.toISOString(), t0.toISOString());
    assert.deepEqual([...p.revoked.keys()], ["7f01", "8001", "0abc"]);
    assert.equal(p.revoked.get("7f01")!.reason, 1);
    assert.equal(p.revoked.get("8001")!.revocationTime.getUTCFullYear(), 2051);
    assert.equal(p.revoked.get("0abc")!.reason, undefined);
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, "c.crl"), der);
      const text = openssl([
        "crl",
        "-inform",
        "DER",
        "-in",
        join(dir.path, "c.crl"),
        "-noout",
        "-text",
      ]).toString();
      assert.match(text, /X509v3 CRL Number:\s*\n\s*300/);
      assert.match(text, /Key Compromise/);
      assert.match(text, /Superseded/);
      assert.match(text, /Invalidity Date:\s*\n\s*Apr 30 00:00:00 2030 GMT/);
      assert.match(text, /Serial Number: 8001/);
    } finally {
      dir.cleanup();
    }
  });

  it("names a partition in a critical issuingDistributionPoint", async () => {
    const der = await buildCrl({
      issuer,
      issuerKey: generateKeyPair("ed25519"),
      crlNumber: 1n,
      thisUpdate: t0,
      nextUpdate: t0,
      revoked: [],
      distributionPoint: ["http://pki.example/crl/ca-3.crl"],
    });
    const p = parseCrl(der);
    assert.deepEqual(p.distributionPoint, ["http://pki.example/crl/ca-3.crl"]);
    assert.equal(p.revoked.size, 0);
    assert.equal(AsnParser.parse(der, CertificateList).tbsCertList.revokedCertificates, undefined);
  });

  it("refuses bytes after the CRL", async () => {
    const der = await buildCrl({
      issuer,
      issuerKey: generateKeyPair("ed25519"),
      crlNumber: 2n,
      thisUpdate: t0,
      nextUpdate: t0,
      revoked: [],
    });
    assert.ok(parseCrl(der));
    assert.throws(() => parseCrl(new Uint8Array([...der, 0])), /after the CRL/);
  });

  it("refuses a source that changes between its two passes", async () => {
    let pass = 0;
    const source = () => {
      pass++;
      const n = pass === 1 ? 2 : 3;
      return Array.from({ length: n }, (_, i) => ({ serial: `1${i}`, revocationTime: t0 }));
    };
    await assert.rejects(
      buildCrlStream({
        issuer,
        issuerKey: generateKeyPair("ec-p256"),
        crlNumber: 1n,
        thisUpdate: t0,
        nextUpdate: t0,
        revoked: source,
      }),
      CrlSourceChanged,
    );
  });
});

describe("revocation reasons", () => {
  it("accepts RFC 5280 names and numbers", () => {
    assert.equal(parseCrlReason("keyCompromise"), 1);
    assert.equal(parseCrlReason("CACOMPROMISE"), 2);
    assert.equal(parseCrlReason(10), 10);
    assert.equal(parseCrlReason("0"), 0);
  });
  it("refuses 7, removeFromCRL and unknown names with the allowed list", () => {
    for (const bad of ["7", "removeFromCRL", "stolen", "11", "-1"]) {
      assert.throws(
        () => parseCrlReason(bad),
        (e: unknown) => e instanceof CrlReasonError && /keyCompromise \(1\)/.test(e.message),
      );
    }
  });
});
