// The composition root on real sockets and SQLite: a configured CA served with extra mounts, and
// configurations without a `ca` section refused in one line before anything is opened.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/load.js";
import { loadCaMaterials } from "../../src/config/materials.js";
import { initDemo, startServer, type RunningServer } from "../../src/server/index.js";
import { tempDir } from "../helpers/openssl.js";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { nameToString } from "../../src/pki/names.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { openStore } from "../../src/store/open.js";
import { workerRunsOcspRefresh } from "../../src/server/cluster.js";

function get(url: string): Promise<{ status: number; type?: string; text: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, type: res.headers["content-type"], text }));
    })
      .on("error", reject)
      .end();
  });
}

describe("startServer", () => {
  const tmp = tempDir("lwcmp-server-");
  let s: RunningServer;
  before(async () => {
    const r = initDemo(join(tmp.path, "pki"), { port: 0 });
    s = await startServer(r.config, {
      port: 0,
      log: () => undefined,
      mounts: [
        {
          prefix: "/crl",
          handle: (_req, res) => {
            res.writeHead(200, { "Content-Type": "text/plain" });
            res.end("crl mount");
          },
        },
      ],
    });
  });
  after(async () => {
    await s.close();
    tmp.cleanup();
  });

  it("reports the CMP endpoint and the base URL", () => {
    assert.equal(s.url, `http://127.0.0.1:${s.port}/.well-known/cmp`);
    assert.equal(s.baseUrl, `http://127.0.0.1:${s.port}`);
  });
  it("serves the CA's discovery on GET /.well-known/cmp", async () => {
    const r = await get(s.url);
    assert.equal(r.status, 200);
    const d: unknown = JSON.parse(r.text);
    assert.deepEqual(d, s.ca.discovery());
    assert.match(r.text, /Demo Issuing CA/);
  });
  it("serves further mounts on the same listener, 404 elsewhere", async () => {
    assert.deepEqual(await get(`${s.baseUrl}/crl/x`), {
      status: 200,
      type: "text/plain",
      text: "crl mount",
    });
    assert.equal((await get(`${s.baseUrl}/nothing-here`)).status, 404);
    // The demo configuration has an ocsp section: /ocsp is the responder, which wants a request.
    assert.equal((await get(`${s.baseUrl}/ocsp/not*base64`)).status, 400);
  });
  it("answers a CMP request with a CMP error message, not an HTTP error", async () => {
    const r = await new Promise<{ status: number; type?: string; body: Buffer }>((resolve, reject) => {
      const req = request(
        s.url,
        { method: "POST", headers: { "Content-Type": "application/pkixcmp" } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({
              status: res.statusCode!,
              type: res.headers["content-type"],
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x02]));
    });
    assert.equal(r.status, 200);
    assert.equal(r.type, "application/pkixcmp");
    assert.equal(decodePKIMessage(new Uint8Array(r.body)).bodyType, "error");
  });
});

describe("configurations without a ca section", () => {
  const tmp = tempDir("lwcmp-noca-");
  after(() => tmp.cleanup());
  const file = join(tmp.path, "ra.yaml");
  writeFileSync(file, "server:\n  port: 0\nstore: sqlite:ra.db\nsharedSecrets:\n  - kid: k\n    secret: s\n");

  it("validate", () => {
    const { config } = loadConfig(file);
    assert.equal(config.ca, undefined);
    assert.equal(config.sharedSecrets[0]!.kid, "k");
    assert.equal(parseConfig({}).ca, undefined);
  });
  it("are refused by loadCaMaterials with one clear line", () => {
    const { config, baseDir, path } = loadConfig(file);
    assert.throws(
      () => loadCaMaterials(config, baseDir, path),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.message.split("\n").length, 1);
        assert.match(
          e.message,
          new RegExp(`^configuration ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} has no \`ca\` section: `),
        );
        return true;
      },
    );
  });
  it("are refused by startServer before any store is opened", async () => {
    await assert.rejects(startServer(file, { port: 0 }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /ra\.yaml has no `ca` section: running a CA needs ca\.certificate and ca\.key/);
      return true;
    });
    assert.equal(existsSync(join(tmp.path, "ra.db")), false);
  });
  it("still reject a ca section that is incomplete", () => {
    assert.throws(() => parseConfig({ ca: { certificate: "x.crt" } }), /ca\.key/);
  });
});

describe("OCSP pre-production at start", () => {
  it("runs unless the process is told not to (of a cluster's workers, worker 0 does)", async () => {
    const tmp = tempDir("lwcmp-ocsp-refresh-");
    try {
      const pki = join(tmp.path, "pki");
      const r = initDemo(pki, { port: 0 });
      const [caDer] = pemBlocks(readFileSync(join(pki, "issuing-ca.crt"), "latin1"));
      const issuer = nameToString(AsnParser.parse(caDer!, Certificate).tbsCertificate.subject);
      const store = await openStore(`sqlite:${join(pki, "lwcmp.db")}`);
      await store.migrate();
      await store.insertCertificate({
        issuer,
        serial: "5e11",
        subject: "CN=ocsp-refresh",
        der: caDer!,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 86_400_000),
        status: "valid",
        profile: "default",
        createdAt: new Date(),
      });
      await store.close();
      const response = async () => {
        const s = await openStore(`sqlite:${join(pki, "lwcmp.db")}`);
        try {
          return (await s.getOcspEntry(issuer, "5e11", "sha256"))?.response;
        } finally {
          await s.close();
        }
      };
      const quiet = await startServer(r.config, { port: 0, log: () => undefined, ocspRefresh: false });
      await quiet.close();
      assert.equal(await response(), undefined, "nothing pre-produced");
      const busy = await startServer(r.config, { port: 0, log: () => undefined });
      await busy.close();
      assert.equal((await response())?.certStatus, "good", "pre-produced at start");
      assert.equal(workerRunsOcspRefresh({}), true);
      assert.equal(workerRunsOcspRefresh({ LWCMP_WORKER_INDEX: "0" }), true);
      assert.equal(workerRunsOcspRefresh({ LWCMP_WORKER_INDEX: "1" }), false);
    } finally {
      tmp.cleanup();
    }
  });
});
