// The client's OCSP check of an issued certificate against the demo CA's responder on a real server:
// good (library and --ocsp-check), revoked (rejected in certConf), unknown, and a responder that is down.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CmpClient, CmpClientError, type CmpClientOptions } from "../../src/client/client.js";
import { postOcspRequest } from "../../src/client/ocsp-check.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { parseOcspRequest } from "../../src/pki/ocsp.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { initDemo, openOperator, startServer, type RunningServer } from "../../src/server/index.js";
import type { LogEvent } from "../../src/server/log.js";
import { cmpUrl, postCmp } from "../../src/transport/http-client.js";
import { run } from "../helpers/demo.js";
import { tempDir } from "../helpers/openssl.js";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

describe("client OCSP check", () => {
  const tmp = tempDir("lwcmp-ocsp-check-");
  let s: RunningServer;
  let config: string;
  let kid: string;
  let secret: string;
  const events: LogEvent[] = [];
  const file = (n: string) => join(tmp.path, n);
  const client = (extra: Partial<CmpClientOptions> = {}) =>
    new CmpClient({
      send: (der, op) => postCmp(cmpUrl(s.url.replace("/.well-known/cmp", ""), undefined, op), der),
      credential: { kind: "mac", reference: kid, secret: new TextEncoder().encode(secret) },
      trusted: pemBlocks(readFileSync(file("root-ca.crt"), "latin1")),
      untrusted: pemBlocks(readFileSync(file("issuing-ca.crt"), "latin1")),
      ...extra,
    });
  const enroll = (cn: string, extra: Partial<CmpClientOptions> = {}) =>
    client(extra).enroll("ir", { subject: `CN=${cn}`, newKey: generateKeyPair("ec-p256") });

  before(async () => {
    const port = await freePort();
    const r = initDemo(tmp.path, { port });
    ({ kid, secret, config } = r);
    s = await startServer(config, { port, log: (e) => events.push(e) });
  });
  after(async () => {
    await s.close();
    tmp.cleanup();
  });

  it("accepts a certificate the responder (a delegated one) answers good for", async () => {
    const asked: string[] = [];
    const r = await enroll("ocsp-good", {
      implicitConfirm: true,
      ocspCheck: { fetch: (url, req) => (asked.push(url), postOcspRequest(url, req)) },
    });
    assert.ok(r.implicitlyConfirmed);
    assert.deepEqual(asked, [`http://127.0.0.1:${s.port}/ocsp`]);
    // The demo's issuing CA names no responder: with `all` only the new certificate is asked.
    await enroll("ocsp-good-all", {
      implicitConfirm: true,
      ocspCheck: { all: true, fetch: (url, req) => (asked.push(url), postOcspRequest(url, req)) },
    });
    assert.equal(asked.length, 2);
  });

  it("rejects a certificate revoked before it is confirmed, in certConf", async () => {
    const opened = await openOperator(config, { log: () => undefined });
    let serial = "";
    const revokeFirst = async (url: string, req: Uint8Array) => {
      serial = parseOcspRequest(req).certIds[0]!.serial;
      await opened.operator.revoke(serial, { reason: "keyCompromise", operator: "test" });
      return postOcspRequest(url, req);
    };
    try {
      await assert.rejects(enroll("ocsp-revoked", { ocspCheck: { fetch: revokeFirst } }), (e) => {
        assert.ok(e instanceof CmpClientError);
        assert.match(e.message, /the issued certificate was rejected: certificate [0-9a-f]+ is revoked on /);
        return true;
      });
    } finally {
      await opened.close();
    }
    const rejected = events.find((e) => e.event === "certificate-rejected-by-ee");
    assert.ok(rejected, "the CA logged the certConf rejection");
    assert.ok(JSON.stringify(rejected).includes(serial), JSON.stringify(rejected));
  });

  it("refuses a certificate the responder does not know yet (unknown until certConf)", async () => {
    await assert.rejects(
      enroll("ocsp-unconfirmed", { ocspCheck: {} }),
      /does not know certificate [0-9a-f]+ \(unknown\)/,
    );
  });

  it("--ocsp-check enrolls with the responder up", async () => {
    const out = await run(process.execPath, [
      "bin/lwcmp.js",
      "ir",
      "--server",
      `http://127.0.0.1:${s.port}`,
      "--ref",
      kid,
      "--secret",
      `pass:${secret}`,
      "--subject",
      "/CN=ocsp-cli",
      "--newkeytype",
      "ec-p256",
      "--newkeyout",
      file("cli.key"),
      "--certout",
      file("cli.crt"),
      "--trusted",
      file("root-ca.crt"),
      "--implicit-confirm",
      "--ocsp-check",
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.ok(readFileSync(file("cli.crt"), "latin1").includes("BEGIN CERTIFICATE"));
  });
});

describe("client OCSP check, responder down", () => {
  const tmp = tempDir("lwcmp-ocsp-down-");
  let s: RunningServer;
  let kid: string;
  let secret: string;
  let down: number;
  before(async () => {
    const port = await freePort();
    down = await freePort();
    const r = initDemo(tmp.path, { port });
    ({ kid, secret } = r);
    // Certificates name a responder on a port nothing listens on.
    const yaml = readFileSync(r.config, "utf8").replace(
      /url: http:\/\/127\.0\.0\.1:\d+\/ocsp/,
      `url: http://127.0.0.1:${down}/ocsp`,
    );
    writeFileSync(r.config, yaml);
    s = await startServer(r.config, { port, log: () => undefined });
  });
  after(async () => {
    await s.close();
    tmp.cleanup();
  });

  it("rejects the certificate with the responder's URL and why", async () => {
    const c = new CmpClient({
      send: (der, op) => postCmp(cmpUrl(s.url.replace("/.well-known/cmp", ""), undefined, op), der),
      credential: { kind: "mac", reference: kid, secret: new TextEncoder().encode(secret) },
      trusted: pemBlocks(readFileSync(join(tmp.path, "root-ca.crt"), "latin1")),
      untrusted: pemBlocks(readFileSync(join(tmp.path, "issuing-ca.crt"), "latin1")),
      implicitConfirm: true,
      ocspCheck: {},
    });
    await assert.rejects(
      c.enroll("ir", { subject: "CN=ocsp-down", newKey: generateKeyPair("ec-p256") }),
      new RegExp(`no OCSP answer from http://127\\.0\\.0\\.1:${down}/ocsp: `),
    );
  });
});
