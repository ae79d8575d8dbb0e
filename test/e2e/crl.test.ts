// Published CRLs end to end on a real server: certificates carry the CDP and AIA, /crl and /ca
// downloads with caching headers, openssl verify -crl_check agrees, `lwcmp certs revoke` shows up in
// the next CRL with its reason and a higher crlNumber, genm crlStatusList answers from the stored CRLs.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CmpClient, CmpClientError } from "../../src/client/client.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { parseCrl } from "../../src/pki/crl.js";
import { certEntry, PathValidationError, validatePath } from "../../src/pki/path.js";
import { pemBlocks, toPem } from "../../src/pki/pem.js";
import { initDemo, startServer, type RunningServer } from "../../src/server/index.js";
import { cmpUrl, postCmp } from "../../src/transport/http-client.js";
import { run } from "../helpers/demo.js";
import { openssl, tempDir } from "../helpers/openssl.js";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe("published CRLs", () => {
  const tmp = tempDir("lwcmp-crl-");
  let s: RunningServer;
  let base: string;
  let config: string;
  let kid: string;
  let secret: string;
  const file = (n: string) => join(tmp.path, n);
  const client = (extra: Partial<ConstructorParameters<typeof CmpClient>[0]> = {}) =>
    new CmpClient({
      send: (der, op) => postCmp(cmpUrl(s.url.replace("/.well-known/cmp", ""), undefined, op), der),
      credential: { kind: "mac", reference: kid, secret: new TextEncoder().encode(secret) },
      trusted: pemBlocks(readFileSync(file("root-ca.crt"), "latin1")),
      untrusted: pemBlocks(readFileSync(file("issuing-ca.crt"), "latin1")),
      implicitConfirm: true,
      ...extra,
    });
  const enroll = async (cn: string, extra = {}) =>
    (await client(extra).enroll("ir", { subject: `CN=${cn}`, newKey: generateKeyPair("ec-p256") }))
      .certificate;
  const download = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${base}${path}`, { headers });
    return { r, der: new Uint8Array(await r.arrayBuffer()) };
  };
  const serialOf = (der: Uint8Array) =>
    openssl(["x509", "-inform", "DER", "-noout", "-serial"], { input: der })
      .toString()
      .trim()
      .split("=")[1]!
      .toLowerCase();
  const revoke = (serial: string, reason: string) =>
    run(process.execPath, [
      "bin/lwcmp.js",
      "certs",
      "revoke",
      serial,
      "--config",
      config,
      "--reason",
      reason,
      "--operator",
      "alice",
    ]);

  let good: Uint8Array;
  let bad: Uint8Array;
  before(async () => {
    const port = await freePort();
    const r = initDemo(tmp.path, { port });
    kid = r.kid;
    secret = r.secret;
    config = r.config;
    base = `http://127.0.0.1:${port}`;
    // The demo's own CRL and caIssuers URLs give way to the ones under test.
    const yaml = readFileSync(config, "utf8")
      .replace(/ {2}crl:\n {4}distributionPoints: .*\n {2}caIssuers: .*\n/, "")
      .replace(
        "ca:\n",
        `ca:\n  name: issuing\n  crl:\n    interval: 1h\n    distributionPoints: [${base}/crl/issuing.crl]\n  caIssuers: [${base}/ca/issuing.crt]\n`,
      );
    writeFileSync(config, yaml);
    s = await startServer(config, { port, log: () => undefined });
    good = await enroll("crl-good");
    bad = await enroll("crl-bad");
  });
  after(async () => {
    await s.close();
    tmp.cleanup();
  });

  it("issues certificates naming the CRL distribution point and the CA certificate's URL", () => {
    const text = openssl(["x509", "-inform", "DER", "-noout", "-text"], { input: good }).toString();
    assert.match(text, new RegExp(`CRL Distribution Points:[\\s\\S]*URI:${base}/crl/issuing.crl`));
    assert.match(text, new RegExp(`CA Issuers - URI:${base}/ca/issuing.crt`));
  });

  it("serves the CA certificate at /ca/<name>.crt", async () => {
    const { r, der } = await download("/ca/issuing.crt");
    assert.equal(r.headers.get("content-type"), "application/pkix-cert");
    assert.deepEqual(
      Buffer.from(der),
      Buffer.from(pemBlocks(readFileSync(file("issuing-ca.crt"), "latin1"))[0]!),
    );
    assert.equal((await download("/ca/other.crt")).r.status, 404);
  });

  let firstNumber: bigint;
  it("serves the latest CRL with caching headers and answers 304 to its ETag", async () => {
    const { r, der } = await download("/crl/issuing.crl");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "application/pkix-crl");
    const crl = parseCrl(der);
    firstNumber = crl.crlNumber!;
    assert.equal(r.headers.get("last-modified"), crl.thisUpdate.toUTCString());
    assert.equal(r.headers.get("expires"), crl.nextUpdate!.toUTCString());
    const maxAge = Number(/max-age=(\d+)/.exec(r.headers.get("cache-control")!)![1]);
    assert.ok(maxAge > 3000 && maxAge <= 3600, `max-age ${maxAge}`);
    const etag = r.headers.get("etag")!;
    assert.equal((await download("/crl/issuing.crl", { "If-None-Match": etag })).r.status, 304);
    assert.equal((await download("/crl/nope.crl")).r.status, 404);
  });

  it("`lwcmp certs revoke` is audited and the next CRL lists it; openssl verify -crl_check agrees", async () => {
    const serial = serialOf(bad);
    const out = await revoke(serial, "keyCompromise");
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /revoked \(keyCompromise\)/);
    const audit = out.stderr.split("\n").filter((l) => l.includes('"certificate-revoked"'));
    assert.equal(audit.length, 1);
    assert.match(audit[0]!, /operator:alice/);
    const { der } = await download("/crl/issuing.crl");
    const crl = parseCrl(der);
    assert.ok(crl.crlNumber! > firstNumber);
    assert.equal(crl.revoked.get(serial)?.reason, 1);
    writeFileSync(file("crl.pem"), toPem(der, "X509 CRL"));
    writeFileSync(file("good.pem"), toPem(good, "CERTIFICATE"));
    writeFileSync(file("bad.pem"), toPem(bad, "CERTIFICATE"));
    const verify = (leaf: string) =>
      run("openssl", [
        "verify",
        "-crl_check",
        "-CRLfile",
        file("crl.pem"),
        "-CAfile",
        file("root-ca.crt"),
        "-untrusted",
        file("issuing-ca.crt"),
        leaf,
      ]);
    const ok = await verify(file("good.pem"));
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const no = await verify(file("bad.pem"));
    assert.notEqual(no.code, 0);
    assert.match(no.stdout + no.stderr, /certificate revoked/);
    // The same verdicts from lwcmp's path validation.
    const opts = {
      anchors: [certEntry(pemBlocks(readFileSync(file("root-ca.crt"), "latin1"))[0]!)],
      intermediates: [certEntry(pemBlocks(readFileSync(file("issuing-ca.crt"), "latin1"))[0]!)],
      crls: [der],
    };
    await validatePath(certEntry(good), opts);
    await assert.rejects(
      validatePath(certEntry(bad), opts),
      (e: unknown) => e instanceof PathValidationError && e.reason === "revoked",
    );
  });

  it("refuses a reason RFC 5280 does not allow, naming the allowed ones", async () => {
    const out = await revoke(serialOf(good), "stolen");
    assert.equal(out.code, 2, "a bad value is a usage error (docs/security.md exit codes)");
    assert.match(out.stderr, /not a revocation reason RFC 5280 allows.*keyCompromise \(1\)/);
  });

  it("openssl crl -text shows the reason codes and an increasing crlNumber", async () => {
    const before = parseCrl((await download("/crl/issuing.crl")).der).crlNumber!;
    const third = await enroll("crl-superseded");
    assert.equal((await revoke(serialOf(third), "4")).code, 0);
    const { der } = await download("/crl/issuing.crl");
    const text = openssl(["crl", "-inform", "DER", "-noout", "-text"], { input: der }).toString();
    assert.match(text, /Key Compromise/);
    assert.match(text, /Superseded/);
    const n = BigInt(/X509v3 CRL Number:\s*\n\s*(\d+)/.exec(text)![1]!);
    assert.ok(n > before, `${n} > ${before}`);
  });

  it("genm crlStatusList: no CRL when the client's is current, the CRL when older, an error for another issuer", async () => {
    const latest = parseCrl((await download("/crl/issuing.crl")).der);
    const name = (await import("../../src/pki/names.js")).nameToString(latest.issuer);
    assert.deepEqual(await client().getCrls(name, latest.thisUpdate), []);
    const older = await client().getCrls(name, new Date(latest.thisUpdate.getTime() - 60_000));
    assert.equal(older.length, 1);
    assert.equal(parseCrl(older[0]!).crlNumber, latest.crlNumber);
    await assert.rejects(
      client().getCrls("CN=Somebody Else"),
      (e: unknown) => e instanceof CmpClientError && /no CRL of issuer "CN=Somebody Else"/.test(e.message),
    );
  });

  it("the client checks a new certificate against the CRL of its distribution point", async () => {
    const der = await enroll("crl-checked", { crlCheck: { fromDistributionPoints: true } });
    assert.ok(der.length > 0);
    await assert.rejects(
      client({ crlCheck: { crls: [] } }).enroll("ir", {
        subject: "CN=crl-none",
        newKey: generateKeyPair("ec-p256"),
      }),
      (e: unknown) => e instanceof CmpClientError && /no current CRL/.test(e.message),
    );
  });
});
