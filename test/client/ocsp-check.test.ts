// Which OCSP answers the client's check accepts (RFC 6960 §3.2, §4.2.2.2): signed by the issuer or by a
// responder the issuer delegated with id-kp-OCSPSigning, naming the certificate, current, and good.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Certificate } from "@peculiar/asn1-x509";
import { checkOcsp, OcspCheckError, type OcspFetch } from "../../src/client/ocsp-check.js";
import { generateKeyPair, type PrivateKey } from "../../src/crypto/index.js";
import { buildCertificate } from "../../src/pki/build.js";
import {
  authorityInfoAccessExt,
  basicConstraintsExt,
  extKeyUsageExt,
  keyUsageExt,
} from "../../src/pki/extensions.js";
import { parseName } from "../../src/pki/names.js";
import { buildCertId, buildOcspResponse, ocspErrorResponse, type SingleStatus } from "../../src/pki/ocsp.js";
import { serialHex } from "../../src/pki/certificate.js";
import { certEntry, type CertEntry } from "../../src/pki/path.js";

const HOUR = 3_600_000;
const now = new Date();
const URL = "http://127.0.0.1:9/ocsp";

function cert(
  subject: string,
  key: PrivateKey,
  issuer: { name: string; key: PrivateKey },
  extensions: Parameters<typeof buildCertificate>[0]["extensions"],
): CertEntry {
  return certEntry(
    buildCertificate({
      issuer: parseName(issuer.name),
      subject: parseName(subject),
      notBefore: new Date(now.getTime() - HOUR),
      notAfter: new Date(now.getTime() + 24 * HOUR),
      subjectPublicKeyInfo: key.publicKey.spki,
      extensions,
      issuerKey: issuer.key,
    }),
  );
}

const caKey = generateKeyPair("ec-p256");
const CA = { name: "CN=Test OCSP CA", key: caKey };
const ca = cert(CA.name, caKey, CA, [basicConstraintsExt(true), keyUsageExt(["keyCertSign", "crlSign"])]);
const eeKey = generateKeyPair("ec-p256");
const ee = cert("CN=ee", eeKey, CA, [authorityInfoAccessExt({ ocsp: [URL] })]);
const delegatedKey = generateKeyPair("ec-p256");
const delegated = cert("CN=responder", delegatedKey, CA, [extKeyUsageExt(["1.3.6.1.5.5.7.3.9"])]);
const plainKey = generateKeyPair("ec-p256");
const notResponder = cert("CN=not a responder", plainKey, CA, [extKeyUsageExt(["1.3.6.1.5.5.7.3.2"])]);
const forgerKey = generateKeyPair("ec-p256");
const forger = cert("CN=Test OCSP CA", forgerKey, { name: CA.name, key: forgerKey }, [
  extKeyUsageExt(["1.3.6.1.5.5.7.3.9"]),
]);

interface Answer {
  signer?: { key: PrivateKey; cert: CertEntry };
  status?: SingleStatus;
  serialOf?: Certificate;
  nextUpdate?: Date;
}

/** A responder that signs what the test says, reached through the check's fetch option. */
function answering(a: Answer): OcspFetch {
  return () => {
    const signer = a.signer ?? { key: caKey, cert: ca };
    const subject = a.serialOf ?? ee.cert;
    return Promise.resolve(
      buildOcspResponse({
        ...(a.status ?? { status: "good" }),
        certId: buildCertId(ca.cert, serialHex(subject.tbsCertificate.serialNumber), "sha256"),
        signer: { key: signer.key, cert: signer.cert.cert },
        producedAt: now,
        thisUpdate: now,
        nextUpdate: a.nextUpdate ?? new Date(now.getTime() + HOUR),
      }),
    );
  };
}

const check = (fetch: OcspFetch, chain: CertEntry[] = [ee, ca]) => checkOcsp(chain, { fetch }, now);
const fails = (reason: OcspCheckError["reason"], pattern: RegExp) => (e: unknown) => {
  assert.ok(e instanceof OcspCheckError, String(e));
  assert.equal(e.reason, reason);
  assert.match(e.message, pattern);
  return true;
};

describe("client OCSP check: which answers count", () => {
  it("accepts good signed by the issuer", async () => {
    await check(answering({}));
  });

  it("accepts good signed by a responder the issuer delegated (id-kp-OCSPSigning)", async () => {
    await check(answering({ signer: { key: delegatedKey, cert: delegated } }));
  });

  it("refuses a CA-issued signer without id-kp-OCSPSigning", async () => {
    await assert.rejects(
      check(answering({ signer: { key: plainKey, cert: notResponder } })),
      fails("invalid", /signed neither by the issuer nor by a responder it delegated/),
    );
  });

  it("refuses a signer the issuer did not certify, though it bears the issuer's name", async () => {
    await assert.rejects(
      check(answering({ signer: { key: forgerKey, cert: forger } })),
      fails("invalid", /signed neither/),
    );
  });

  it("reports revoked with the revocation time", async () => {
    const revocationTime = new Date(now.getTime() - HOUR);
    await assert.rejects(
      check(answering({ status: { status: "revoked", revocationTime, revocationReason: 1 } })),
      fails("revoked", new RegExp(`is revoked on ${revocationTime.toISOString().slice(0, 19)}`)),
    );
  });

  it("reports unknown", async () => {
    await assert.rejects(
      check(answering({ status: { status: "unknown" } })),
      fails("unknown", /\(unknown\)/),
    );
  });

  it("refuses an answer about another certificate", async () => {
    await assert.rejects(check(answering({ serialOf: delegated.cert })), fails("invalid", /does not name/));
  });

  it("refuses an answer past its nextUpdate", async () => {
    const nextUpdate = new Date(now.getTime() - HOUR);
    await assert.rejects(check(answering({ nextUpdate })), fails("invalid", /not current/));
  });

  it("reports an error status and an unreachable responder as unavailable", async () => {
    await assert.rejects(
      check(() => Promise.resolve(ocspErrorResponse("tryLater"))),
      fails("unavailable", /answered tryLater/),
    );
    await assert.rejects(
      checkOcsp([ee, ca], {}, now),
      fails("unavailable", /no OCSP answer from http:\/\/127\.0\.0\.1:9\/ocsp/),
    );
  });

  it("needs a responder named in the certificate", async () => {
    const bare = cert("CN=bare", eeKey, CA, []);
    await assert.rejects(check(answering({}), [bare, ca]), fails("unavailable", /names no OCSP responder/));
  });
});
