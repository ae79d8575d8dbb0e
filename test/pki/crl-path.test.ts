// Path validation with CRLs (RFC 5280 §6.3): revoked and good leaves, stale CRLs, and RFC 10007 —
// a CRL signed by a CA certificate without cRLSign is refused, by lwcmp and by openssl alike.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { generateKeyPair, type PrivateKey } from "../../src/crypto/index.js";
import { buildCertificate } from "../../src/pki/build.js";
import { serialHex } from "../../src/pki/certificate.js";
import { buildCrl } from "../../src/pki/crl.js";
import { basicConstraintsExt, keyUsageExt, type KeyUsageType } from "../../src/pki/extensions.js";
import { parseName } from "../../src/pki/names.js";
import { certEntry, PathValidationError, validatePath } from "../../src/pki/path.js";
import { toPem } from "../../src/pki/pem.js";
import { openssl, tempDir } from "../helpers/openssl.js";

const now = new Date();
const day = 86_400_000;

function pki(caUsages: KeyUsageType[]) {
  const caKey = generateKeyPair("ec-p256");
  const ca = buildCertificate({
    issuer: parseName("CN=Path CA"),
    subject: parseName("CN=Path CA"),
    notBefore: new Date(now.getTime() - day),
    notAfter: new Date(now.getTime() + day),
    subjectPublicKeyInfo: caKey.publicKey.spki,
    extensions: [basicConstraintsExt(true), keyUsageExt(caUsages)],
    issuerKey: caKey,
  });
  const leaf = (cn: string) =>
    buildCertificate({
      issuer: parseName("CN=Path CA"),
      subject: parseName(`CN=${cn}`),
      notBefore: new Date(now.getTime() - day),
      notAfter: new Date(now.getTime() + day),
      subjectPublicKeyInfo: generateKeyPair("ec-p256").publicKey.spki,
      extensions: [keyUsageExt(["digitalSignature"])],
      issuerKey: caKey,
    });
  return { caKey, ca, good: leaf("good"), bad: leaf("bad") };
}

function crlOf(key: PrivateKey, revoked: Uint8Array[], thisUpdate = now, validity = day) {
  return buildCrl({
    issuer: parseName("CN=Path CA"),
    issuerKey: key,
    crlNumber: 1n,
    thisUpdate: new Date(thisUpdate.getTime() - 1000),
    nextUpdate: new Date(thisUpdate.getTime() + validity),
    revoked: revoked.map((c) => ({
      serial: serialHex(certEntry(c).cert.tbsCertificate.serialNumber),
      revocationTime: new Date(thisUpdate.getTime() - 2000),
      reason: 1,
    })),
  });
}

const reason = (r: string) => (e: unknown) => e instanceof PathValidationError && e.reason === r;

describe("path validation with CRLs", () => {
  it("refuses a revoked leaf, accepts a good one, and wants a current CRL", async () => {
    const p = pki(["keyCertSign", "crlSign"]);
    const crl = await crlOf(p.caKey, [p.bad]);
    const opts = { anchors: [certEntry(p.ca)], crls: [crl], time: now };
    await validatePath(certEntry(p.good), opts);
    await assert.rejects(validatePath(certEntry(p.bad), opts), reason("revoked"));
    const stale = await crlOf(p.caKey, [], new Date(now.getTime() - 3 * day));
    await assert.rejects(
      validatePath(certEntry(p.good), { ...opts, crls: [stale] }),
      reason("crlUnavailable"),
    );
    await assert.rejects(validatePath(certEntry(p.good), { ...opts, crls: [] }), reason("crlUnavailable"));
  });

  it("refuses a CRL with a wrong signature", async () => {
    const p = pki(["keyCertSign", "crlSign"]);
    const forged = await crlOf(generateKeyPair("ec-p256"), []);
    await assert.rejects(
      validatePath(certEntry(p.good), { anchors: [certEntry(p.ca)], crls: [forged], time: now }),
      reason("crlInvalid"),
    );
  });

  it("RFC 10007: a CRL from a CA certificate without cRLSign is refused (openssl agrees)", async () => {
    const p = pki(["keyCertSign"]);
    const crl = await crlOf(p.caKey, []);
    await assert.rejects(
      validatePath(certEntry(p.good), { anchors: [certEntry(p.ca)], crls: [crl], time: now }),
      (e: unknown) => reason("crlInvalid")(e) && /cRLSign/.test((e as Error).message),
    );
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, "ca.pem"), toPem(p.ca, "CERTIFICATE"));
      writeFileSync(join(dir.path, "good.pem"), toPem(p.good, "CERTIFICATE"));
      writeFileSync(join(dir.path, "crl.pem"), toPem(crl, "X509 CRL"));
      assert.throws(() =>
        openssl([
          "verify",
          "-crl_check",
          "-CRLfile",
          join(dir.path, "crl.pem"),
          "-CAfile",
          join(dir.path, "ca.pem"),
          join(dir.path, "good.pem"),
        ]),
      );
    } finally {
      dir.cleanup();
    }
  });
});
