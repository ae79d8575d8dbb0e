// The OCSP responder against `openssl ocsp` (system OpenSSL 3.0): good / revoked / unknown / unauthorized for
// certificates the demo CA issued and revoked (rr, and the store as an operator would), over POST and GET,
// verified with -CAfile and -VAfile; delegated responder and CA-key responder; the caching headers.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CmpClient } from "../../src/client/client.js";
import { generateKeyPair, importPrivateKeyPem } from "../../src/crypto/index.js";
import { buildCertificate } from "../../src/pki/build.js";
import { getOcspUris } from "../../src/pki/extensions.js";
import { parseOcspResponse } from "../../src/pki/ocsp.js";
import { pemBlocks, toPem } from "../../src/pki/pem.js";
import { cmpUrl, postCmp } from "../../src/transport/http-client.js";
import { run } from "../helpers/demo.js";
import { startDemo, type Demo } from "../helpers/demo.js";
import { OPENSSL } from "../helpers/openssl.js";
import { serialOf } from "../helpers/ca.js";

const RESPONDER_LINES =
  /\n {2}responder:\n {4}certificate: ocsp-responder.crt\n {4}key: ocsp-responder.key\n/;

async function enroll(d: Demo, name: string): Promise<{ der: Uint8Array; file: string; client: CmpClient }> {
  const client = new CmpClient({
    send: (der, op) => postCmp(cmpUrl(d.url, undefined, op), der),
    credential: { kind: "mac", reference: d.kid, secret: new TextEncoder().encode(d.secret) },
    trusted: pemBlocks(d.read("root-ca.crt")),
    untrusted: [pemBlocks(d.read("issuing-ca.crt"))[0]!],
  });
  const key = generateKeyPair("ec-p256");
  const r = await client.enroll("ir", { subject: `CN=${name}`, newKey: key });
  const file = d.file(`${name}.crt`);
  writeFileSync(file, toPem(r.certificate, "CERTIFICATE"));
  // RFC 9483 §4.2: the holder signs its own revocation request.
  const holder = new CmpClient({
    send: (der, op) => postCmp(cmpUrl(d.url, undefined, op), der),
    credential: { kind: "signature", key, certificate: r.certificate },
    trusted: pemBlocks(d.read("root-ca.crt")),
    untrusted: [pemBlocks(d.read("issuing-ca.crt"))[0]!],
  });
  return { der: r.certificate, file, client: holder };
}

function ocspArgs(d: Demo, cert: string, extra: string[] = []): string[] {
  return [
    "ocsp",
    "-issuer",
    d.file("issuing-ca.crt"),
    ...extra,
    "-cert",
    cert,
    "-CAfile",
    d.file("root-ca.crt"),
  ];
}

async function opensslOcsp(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const r = await run(OPENSSL, args);
  return { out: r.stdout, err: r.stderr, code: r.code };
}

function suite(name: string, opts: { delegated: boolean }) {
  describe(name, () => {
    let d: Demo;
    let url: string;
    before(async () => {
      d = await startDemo({
        configPatch: opts.delegated ? undefined : (y) => y.replace(RESPONDER_LINES, "\n"),
      });
      url = `${d.url}/ocsp`;
      assert.equal(d.server.ocsp !== undefined, true);
    });
    after(() => d.close());

    it("issued certificates name the responder in authorityInfoAccess", async () => {
      const { der } = await enroll(d, "aia");
      assert.deepEqual(getOcspUris(AsnParser.parse(der, Certificate)), ["http://127.0.0.1:0/ocsp"]);
    });

    it("POST: good for an issued certificate (SHA-1 and SHA-256 CertIDs), the signature verifies", async () => {
      const { file } = await enroll(d, "good");
      for (const hash of [[], ["-sha256"]]) {
        const r = await opensslOcsp([...ocspArgs(d, file, hash), "-url", url]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /good\.crt: good/);
        assert.match(r.out, /This Update: .*\n\s*Next Update: /);
        assert.match(r.err, /Response verify OK/);
        // RFC 9919: pre-produced responses carry no nonce, whatever the request held.
        assert.match(r.err, /WARNING: no nonce in response/);
      }
    });

    if (opts.delegated) {
      it("a delegated responder's answers verify with -VAfile", async () => {
        const { file } = await enroll(d, "va");
        const r = await opensslOcsp([
          "ocsp",
          "-issuer",
          d.file("issuing-ca.crt"),
          "-cert",
          file,
          "-url",
          url,
          "-VAfile",
          d.file("ocsp-responder.crt"),
          "-no_nonce",
        ]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /va\.crt: good/);
        assert.match(r.err, /Response verify OK/);
      });
    }

    it("revoked by rr: revoked with time and reason", async () => {
      const { der, file, client } = await enroll(d, "rr");
      assert.match((await opensslOcsp([...ocspArgs(d, file), "-url", url])).out, /rr\.crt: good/);
      await client.revoke(der, 1);
      const r = await opensslOcsp([...ocspArgs(d, file), "-url", url]);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /rr\.crt: revoked/);
      assert.match(r.out, /Reason: keyCompromise/);
      assert.match(r.out, /Revocation Time: /);
      assert.match(r.err, /Response verify OK/);
    });

    it("revoked by the operator in the store: the next answer says so", async () => {
      const { der, file } = await enroll(d, "op");
      assert.match((await opensslOcsp([...ocspArgs(d, file), "-url", url])).out, /op\.crt: good/);
      const issuer = d.server.ocsp!.issuerName;
      const when = new Date(Date.now() - 60_000);
      assert.ok(
        await d.server.store.setCertificateStatus(issuer, serialOf(der), "revoked", {
          time: when,
          reason: 4,
        }),
      );
      const r = await opensslOcsp([...ocspArgs(d, file), "-url", url]);
      assert.match(r.out, /op\.crt: revoked/);
      assert.match(r.out, /Reason: superseded/);
    });

    it("unknown for a serial the CA never issued; unauthorized for another issuer", async () => {
      const caKey = importPrivateKeyPem(d.read("issuing-ca.key"));
      const ca = AsnParser.parse(pemBlocks(d.read("issuing-ca.crt"))[0]!, Certificate);
      const stray = buildCertificate({
        issuer: ca.tbsCertificate.subject,
        subject: ca.tbsCertificate.subject,
        notBefore: new Date(),
        notAfter: new Date(Date.now() + 86_400_000),
        subjectPublicKeyInfo: generateKeyPair("ec-p256").publicKey.spki,
        extensions: [],
        issuerKey: caKey,
      });
      writeFileSync(d.file("stray.crt"), toPem(stray, "CERTIFICATE"));
      const r = await opensslOcsp([...ocspArgs(d, d.file("stray.crt")), "-url", url]);
      assert.match(r.out, /stray\.crt: unknown/);
      assert.match(r.err, /Response verify OK/);
      const other = await opensslOcsp([
        "ocsp",
        "-issuer",
        d.file("root-ca.crt"),
        "-cert",
        d.file("issuing-ca.crt"),
        "-url",
        url,
      ]);
      assert.match(other.out + other.err, /unauthorized \(6\)/);
    });

    it("GET with the URL-encoded base64 request in the path; caching headers match nextUpdate", async () => {
      const { file } = await enroll(d, "get");
      const reqFile = d.file("get.req");
      const mk = await opensslOcsp([...ocspArgs(d, file, ["-no_nonce"]), "-reqout", reqFile]);
      assert.equal(mk.code, 0, mk.err);
      const { readFileSync } = await import("node:fs");
      const b64 = readFileSync(reqFile).toString("base64");
      const res = await fetch(`${url}/${encodeURIComponent(b64)}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/ocsp-response");
      const body = new Uint8Array(await res.arrayBuffer());
      writeFileSync(d.file("get.resp"), body);
      const v = await opensslOcsp([...ocspArgs(d, file), "-respin", d.file("get.resp")]);
      assert.equal(v.code, 0, v.err);
      assert.match(v.out, /get\.crt: good/);
      assert.match(v.err, /Response verify OK/);

      const parsed = parseOcspResponse(body);
      // Signed by the configured responder: the delegated certificate or the CA key itself.
      const signer = pemBlocks(d.read(opts.delegated ? "ocsp-responder.crt" : "issuing-ca.crt"))[0]!;
      assert.ok(parsed.verifySignature(AsnParser.parse(signer, Certificate)));
      assert.equal(parsed.hasNonce, false);
      const next = parsed.responses[0]!.nextUpdate!;
      assert.equal(res.headers.get("expires"), next.toUTCString());
      assert.equal(res.headers.get("last-modified"), parsed.producedAt!.toUTCString());
      const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get("cache-control")!)![1]);
      const left = (next.getTime() - Date.now()) / 1000;
      assert.ok(maxAge <= left + 1 && maxAge >= left - 10, `max-age ${maxAge}, ${left} s to nextUpdate`);
      assert.match(res.headers.get("cache-control")!, /public/);
      const etag = res.headers.get("etag")!;
      assert.match(etag, /^"[\w-]+"$/);
      // The same request is a lookup: the very same bytes, and 304 for the client's ETag.
      const again = await fetch(`${url}/${encodeURIComponent(b64)}`);
      assert.deepEqual(new Uint8Array(await again.arrayBuffer()), body);
      const cond = await fetch(`${url}/${encodeURIComponent(b64)}`, { headers: { "If-None-Match": etag } });
      assert.equal(cond.status, 304);
    });
  });
}

suite("openssl ocsp against a delegated responder", { delegated: true });
suite("openssl ocsp against the CA key as responder", { delegated: false });
