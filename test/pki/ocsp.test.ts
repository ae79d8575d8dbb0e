// OCSP structures: the serving path's DER reader equals the schema parser on every request shape; responses
// signed with EC, ML-DSA and composite keys read back and verify with lwcmp's own parser.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { generateKeyPair, type PrivateKey } from "../../src/crypto/index.js";
import { buildCertificate } from "../../src/pki/build.js";
import { parseName } from "../../src/pki/names.js";
import {
  buildCertId,
  buildOcspRequest,
  buildOcspResponse,
  ocspErrorResponse,
  OcspFormatError,
  parseOcspRequest,
  parseOcspResponse,
  readOcspRequest,
} from "../../src/pki/ocsp.js";
import { openssl, tempDir } from "../helpers/openssl.js";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toPem } from "../../src/pki/pem.js";

function selfSigned(key: PrivateKey, cn: string): Certificate {
  const der = buildCertificate({
    issuer: parseName(`CN=${cn}`),
    subject: parseName(`CN=${cn}`),
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 86_400_000),
    subjectPublicKeyInfo: key.publicKey.spki,
    extensions: [],
    issuerKey: key,
  });
  return AsnParser.parse(der, Certificate);
}

describe("OCSPRequest readers", () => {
  const ca = selfSigned(generateKeyPair("ec-p256"), "OCSP Test CA");
  const requests: [string, Uint8Array][] = [
    ["sha256", buildOcspRequest(ca, ca)],
    ["sha1", buildOcspRequest(ca, ca, { hash: "sha1" })],
    ["nonce", buildOcspRequest(ca, ca, { nonce: new Uint8Array(32).fill(7) })],
  ];
  const dir = tempDir();
  try {
    writeFileSync(
      join(dir.path, "ca.crt"),
      toPem(new Uint8Array(AsnSerializer.serialize(ca)), "CERTIFICATE"),
    );
    openssl([
      "ocsp",
      "-issuer",
      join(dir.path, "ca.crt"),
      "-cert",
      join(dir.path, "ca.crt"),
      "-reqout",
      join(dir.path, "r.der"),
    ]);
    requests.push(["openssl", new Uint8Array(readFileSync(join(dir.path, "r.der")))]);
  } finally {
    dir.cleanup();
  }

  for (const [name, der] of requests) {
    it(`the DER reader equals the schema parser: ${name}`, () => {
      const fast = readOcspRequest(der);
      assert.deepEqual(fast, parseOcspRequest(der));
      assert.equal(fast.certIds.length, 1);
      assert.equal(fast.certIds[0]!.hash, name === "sha1" || name === "openssl" ? "sha1" : "sha256");
    });
  }

  it("a nonce is read, and both readers refuse truncated input; the DER reader also trailing bytes", () => {
    assert.equal(readOcspRequest(requests[2]![1]).nonce?.length, 34);
    const der = requests[0]![1];
    for (const bad of [der.subarray(0, der.length - 3), Uint8Array.of(0x04, 0x00)]) {
      assert.throws(() => readOcspRequest(bad), OcspFormatError);
      assert.throws(() => parseOcspRequest(bad), OcspFormatError);
    }
    assert.throws(() => readOcspRequest(Uint8Array.of(...der, 0)), OcspFormatError);
  });
});

describe("BasicOCSPResponse signing", () => {
  for (const alg of ["ec-p256", "ml-dsa-65", "composite:MLDSA65-ECDSA-P256-SHA512"]) {
    it(`${alg}: signed, read back, verified; another key does not verify`, () => {
      const key = generateKeyPair(alg);
      const ca = selfSigned(key, `CA ${alg}`);
      const now = new Date();
      const der = buildOcspResponse({
        certId: buildCertId(ca, "4a", "sha256"),
        status: "revoked",
        revocationTime: new Date(now.getTime() - 5000),
        revocationReason: 1,
        signer: { key, cert: ca },
        producedAt: now,
        thisUpdate: now,
        nextUpdate: new Date(now.getTime() + 3_600_000),
      });
      const r = parseOcspResponse(der);
      assert.equal(r.status, "successful");
      assert.equal(r.responses[0]!.status, "revoked");
      assert.equal(r.responses[0]!.revocationReason, 1);
      assert.equal(r.responses[0]!.certId.serial, "4a");
      assert.ok(r.verifySignature(ca));
      assert.ok(!r.verifySignature(selfSigned(generateKeyPair(alg), "other")));
    });
  }

  it("error responses carry only their status", () => {
    const r = parseOcspResponse(ocspErrorResponse("unauthorized"));
    assert.equal(r.status, "unauthorized");
    assert.deepEqual(r.responses, []);
  });
});
