// The HTTP transport over real sockets on 127.0.0.1: paths, status codes, limits, timeouts, TLS, openssl as client.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { request, type IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import { join } from "node:path";
import {
  startCmpHttpServer,
  type CmpHttpServer,
  type CmpRequestContext,
} from "../../src/transport/http-server.js";
import { cmpUrl, CmpTransportError, postCmp } from "../../src/transport/http-client.js";
import { parseCmpPath } from "../../src/transport/paths.js";
import { openssl, tempDir } from "../helpers/openssl.js";

describe("parseCmpPath (RFC 9483 §6.1)", () => {
  const cases: [string, ReturnType<typeof parseCmpPath>][] = [
    ["/.well-known/cmp", {}],
    ["/.well-known/cmp/", {}],
    ["/.well-known/cmp/initialization", { profile: undefined, operation: "initialization" }],
    ["/.well-known/cmp/p/iot", { profile: "iot" }],
    ["/.well-known/cmp/p/iot/keyupdate", { profile: "iot", operation: "keyupdate" }],
    ["/.well-known/cmp/p/iot/getcrls", { profile: "iot", operation: "getcrls" }],
    ["/.well-known/cmp/bogus", undefined],
    ["/.well-known/cmp/p", undefined],
    ["/.well-known/cmp/p/../initialization", undefined],
    ["/.well-known/cmp/p/a%2Fb/initialization", undefined],
    ["/.well-known/cmp/p/iot/initialization/extra", undefined],
    ["/.well-known/cmpx", undefined],
    ["/other", undefined],
    ["/", {}],
  ];
  for (const [path, want] of cases) it(path, () => assert.deepEqual(parseCmpPath(path), want));
  it("accepts extension operations when listed", () => {
    assert.deepEqual(parseCmpPath("/.well-known/cmp/getnonce", ["getnonce"]), {
      profile: undefined,
      operation: "getnonce",
    });
  });
});

function raw(
  url: string,
  opts: { method?: string; type?: string; body?: Uint8Array },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: opts.method ?? "POST", headers: opts.type ? { "Content-Type": opts.type } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

describe("CMP HTTP server and client", () => {
  let srv: CmpHttpServer;
  const seen: { ctx: CmpRequestContext; body: Uint8Array }[] = [];
  const errors: unknown[] = [];
  before(async () => {
    srv = await startCmpHttpServer(
      async (body, ctx) => {
        seen.push({ ctx, body });
        if (body[0] === 0xee) throw new Error("handler bug");
        if (body[0] === 0xdd) await new Promise((r) => setTimeout(r, 2000));
        return Uint8Array.from([0x30, 0x01, ...body.subarray(0, 1)]);
      },
      {
        maxRequestBytes: 1000,
        requestTimeoutMs: 300,
        discovery: () => ({ profiles: ["iot"], operations: ["initialization"] }),
        onError: (e) => errors.push(e),
      },
    );
  });
  after(() => srv.close());

  it("binds to 127.0.0.1 and reports the URL", () => {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/cmp$/);
  });
  it("round-trips DER and passes profile and operation", async () => {
    const answer = await postCmp(
      cmpUrl(srv.url.replace("/.well-known/cmp", ""), "iot", "initialization"),
      Uint8Array.of(0x42),
    );
    assert.deepEqual([...answer], [0x30, 0x01, 0x42]);
    const last = seen.at(-1)!;
    assert.equal(last.ctx.profile, "iot");
    assert.equal(last.ctx.operation, "initialization");
    assert.equal(last.ctx.tls, false);
  });
  it("answers with application/pkixcmp and no-cache", async () => {
    const r = await raw(srv.url, { type: "application/pkixcmp", body: Uint8Array.of(1) });
    assert.equal(r.status, 200);
    assert.equal(r.headers["content-type"], "application/pkixcmp");
    assert.equal(r.headers["cache-control"], "no-cache");
  });
  it("serves discovery on GET /.well-known/cmp", async () => {
    const r = await raw(srv.url, { method: "GET" });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body.toString()), { profiles: ["iot"], operations: ["initialization"] });
  });
  it("refuses GET on an operation path with 405 and Allow", async () => {
    const r = await raw(`${srv.url}/initialization`, { method: "GET" });
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, "POST");
  });
  it("refuses a wrong media type with 415", async () => {
    const r = await raw(srv.url, { type: "text/plain", body: Uint8Array.of(1) });
    assert.equal(r.status, 415);
  });
  it("answers 404 for non-CMP paths", async () => {
    const r = await raw(srv.url.replace("/.well-known/cmp", "/x/y"), {
      type: "application/pkixcmp",
      body: Uint8Array.of(1),
    });
    assert.equal(r.status, 404);
  });
  it("refuses oversized bodies with 413 and keeps serving", async () => {
    const r = await raw(srv.url, { type: "application/pkixcmp", body: new Uint8Array(5000) });
    assert.equal(r.status, 413);
    const ok = await postCmp(srv.url, Uint8Array.of(7));
    assert.deepEqual([...ok], [0x30, 0x01, 7]);
  });
  it("turns a throwing handler into 500 and reports it", async () => {
    const before = errors.length;
    const r = await raw(srv.url, { type: "application/pkixcmp", body: Uint8Array.of(0xee) });
    assert.equal(r.status, 500);
    assert.doesNotMatch(r.body.toString(), /handler bug/);
    assert.equal(errors.length, before + 1);
  });
  it("answers 503 when the handler exceeds the timeout", async () => {
    const r = await raw(srv.url, { type: "application/pkixcmp", body: Uint8Array.of(0xdd) });
    assert.equal(r.status, 503);
    assert.equal(seen.at(-1)!.ctx.signal.aborted, true);
  });
  it("survives a client that disconnects mid-body", async () => {
    await new Promise<void>((resolve) => {
      const req = request(srv.url, {
        method: "POST",
        headers: { "Content-Type": "application/pkixcmp", "Content-Length": "500" },
      });
      req.on("error", () => resolve());
      req.write(Buffer.alloc(10));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    const ok = await postCmp(srv.url, Uint8Array.of(9));
    assert.deepEqual([...ok], [0x30, 0x01, 9]);
  });
  it("keeps the connection alive between requests", async () => {
    let connections = 0;
    const count = () => connections++;
    srv.server.on("connection", count);
    try {
      await postCmp(srv.url, Uint8Array.of(1));
      const after1 = connections;
      await postCmp(srv.url, Uint8Array.of(2));
      await postCmp(srv.url, Uint8Array.of(3));
      assert.equal(connections, after1);
    } finally {
      srv.server.off("connection", count);
    }
  });
  it("answers 408 to a body that stalls, then keeps serving", async () => {
    const r = await new Promise<{ status: number; connection?: string; text: string }>((resolve, reject) => {
      const req = request(srv.url, {
        method: "POST",
        agent: false,
        headers: { "Content-Type": "application/pkixcmp", "Content-Length": "500" },
      });
      req.on("response", (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, text }));
      });
      req.on("error", reject);
      req.write(Buffer.alloc(10)); // the remaining 490 bytes never come
    });
    assert.equal(r.status, 408);
    assert.equal(r.connection, "close");
    assert.match(r.text, /body did not arrive in time/); // our own budget, not the HTTP library's fallback
    const ok = await postCmp(srv.url, Uint8Array.of(4));
    assert.deepEqual([...ok], [0x30, 0x01, 4]);
  });
  it("client reports a non-CMP answer with its status", async () => {
    await assert.rejects(
      postCmp(srv.url.replace("/.well-known/cmp", "/nope"), Uint8Array.of(1)),
      (e: unknown) => {
        assert.ok(e instanceof CmpTransportError);
        assert.equal(e.status, 404);
        return true;
      },
    );
  });
  it("client times out", async () => {
    await assert.rejects(postCmp(srv.url, Uint8Array.of(0xdd), { timeoutMs: 50 }), /no answer within 50 ms/);
  });
  it("client returns a CMP body sent with an error status (RFC 9811)", async () => {
    const s = await startCmpHttpServer(async () => Uint8Array.of(0x30, 0x00));
    // a server that answers 500 with a CMP body
    const { createServer } = await import("node:http");
    const plainSrv = createServer((_req, res) => {
      res.writeHead(500, { "Content-Type": "application/pkixcmp" });
      res.end(Buffer.from([0x30, 0x00]));
    });
    await new Promise<void>((r) => plainSrv.listen(0, "127.0.0.1", () => r()));
    const port = (plainSrv.address() as { port: number }).port;
    const answer = await postCmp(`http://127.0.0.1:${port}/.well-known/cmp`, Uint8Array.of(1));
    assert.deepEqual([...answer], [0x30, 0x00]);
    plainSrv.close();
    await s.close();
  });
});

describe("HTTPS and openssl cmp as a client", () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it("serves HTTPS to a client that trusts the server certificate", async () => {
    const key = join(dir.path, "tls.key");
    const cert = join(dir.path, "tls.crt");
    openssl([
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-days",
      "2",
    ]);
    const ctxs: CmpRequestContext[] = [];
    const srv = await startCmpHttpServer(
      async (b, ctx) => {
        ctxs.push(ctx);
        return Uint8Array.from([0x30, 0x01, b[0]!]);
      },
      { tls: { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") } },
    );
    try {
      assert.match(srv.url, /^https:/);
      const answer = await postCmp(srv.url, Uint8Array.of(5), { tls: { ca: readFileSync(cert, "utf8") } });
      assert.deepEqual([...answer], [0x30, 0x01, 5]);
      assert.equal(ctxs[0]!.tls, true);
      await assert.rejects(postCmp(srv.url, Uint8Array.of(5)), CmpTransportError);
    } finally {
      await srv.close();
    }
  });

  it("receives openssl cmp's POST on a profile path with the CMP media type", async () => {
    const seen: { ctx: CmpRequestContext; body: Uint8Array }[] = [];
    const requests: { method?: string; url?: string; type?: string }[] = [];
    const srv = await startCmpHttpServer(async (body, ctx) => {
      seen.push({ ctx, body });
      return Uint8Array.of(0x30, 0x00); // not a valid answer: openssl will complain, which is fine here
    });
    srv.server.prependListener("request", (req: IncomingMessage) =>
      requests.push({ method: req.method, url: req.url, type: req.headers["content-type"] }),
    );
    try {
      const key = join(dir.path, "ee.key");
      openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
      const status = await new Promise<number>((resolve) => {
        const child = execFile(
          "/usr/bin/openssl",
          [
            "cmp",
            "-cmd",
            "ir",
            "-server",
            `127.0.0.1:${srv.port}`,
            "-path",
            ".well-known/cmp/p/test/initialization",
            "-ref",
            "r1",
            "-secret",
            "pass:x",
            "-recipient",
            "/CN=CA",
            "-newkey",
            key,
            "-subject",
            "/CN=ee",
            "-certout",
            join(dir.path, "ee.crt"),
            "-msg_timeout",
            "5",
            "-total_timeout",
            "10",
          ],
          { timeout: 20000 },
        );
        child.on("exit", (code) => resolve(code ?? -1));
      });
      assert.notEqual(status, 0);
      assert.equal(requests.length, 1);
      assert.equal(requests[0]!.method, "POST");
      assert.equal(requests[0]!.url, "/.well-known/cmp/p/test/initialization");
      assert.equal(requests[0]!.type?.split(";")[0]!.trim().toLowerCase(), "application/pkixcmp");
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.ctx.profile, "test");
      assert.equal(seen[0]!.ctx.operation, "initialization");
      // A DER SEQUENCE with a definite length covering the whole body: the PKIMessage arrived intact.
      const body = seen[0]!.body;
      assert.equal(body[0], 0x30);
      const lenByte = body[1]!;
      const n = lenByte & 0x7f;
      const len = lenByte < 0x80 ? lenByte : [...body.subarray(2, 2 + n)].reduce((a, b) => a * 256 + b, 0);
      assert.equal(body.length, 2 + (lenByte < 0x80 ? 0 : n) + len);
    } finally {
      await srv.close();
    }
  });
});
