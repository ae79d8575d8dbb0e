// The HTTP router over real sockets: mounts by longest prefix, exact mounts, 404, failing mounts, CMP beside others.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import {
  findMount,
  HttpError,
  startHttpServer,
  type HttpServer,
  type Mount,
} from "../../src/transport/http-router.js";
import { cmpMounts } from "../../src/transport/http-server.js";
import { postCmp } from "../../src/transport/http-client.js";

function get(url: string, method = "GET"): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

const echo =
  (name: string): Mount["handle"] =>
  (req, res) => {
    res.writeHead(200, { "Content-Type": "text/plain" });
    res.end(`${name} ${req.url}`);
  };

describe("findMount", () => {
  const mounts: Mount[] = [
    { prefix: "/", exact: true, handle: echo("root") },
    { prefix: "/a", handle: echo("a") },
    { prefix: "/a/b", handle: echo("ab") },
    { prefix: "/web/", handle: echo("web") },
  ];
  const name = (p: string) => {
    const m = findMount(mounts, p);
    return m ? mounts.indexOf(m) : -1;
  };
  it("picks the longest matching prefix", () => {
    assert.equal(name("/a"), 1);
    assert.equal(name("/a/x"), 1);
    assert.equal(name("/a/b"), 2);
    assert.equal(name("/a/b/c"), 2);
  });
  it("matches whole segments only", () => {
    assert.equal(name("/ab"), -1);
    assert.equal(name("/a/bc"), 1);
  });
  it("serves an exact mount only at its own path", () => {
    assert.equal(name("/"), 0);
    assert.equal(name("/zzz"), -1);
  });
  it("treats a trailing slash in a prefix like none", () => {
    assert.equal(name("/web"), 3);
    assert.equal(name("/web/x"), 3);
  });
});

describe("HTTP router", () => {
  let srv: HttpServer;
  const errors: unknown[] = [];
  before(async () => {
    srv = await startHttpServer({
      requestTimeoutMs: 500,
      onError: (e) => errors.push(e),
      mounts: [
        ...cmpMounts(async (der) => Uint8Array.from([0x30, 0x01, der[0]!])),
        { prefix: "/crl", handle: echo("crl") },
        { prefix: "/crl/issuing", handle: echo("issuing") },
        {
          prefix: "/boom",
          handle: (req) => {
            if (req.url === "/boom/teapot") throw new HttpError(418, "short and stout");
            throw new Error("mount bug");
          },
        },
        {
          prefix: "/slow",
          handle: (_req, res, signal) =>
            new Promise<void>((resolve) =>
              signal.addEventListener("abort", () => {
                res.writeHead(503).end(String((signal.reason as Error).name));
                resolve();
              }),
            ),
        },
      ],
    });
  });
  after(() => srv.close());

  it("routes two mounts on one listener, longest prefix first", async () => {
    assert.deepEqual(await get(`${srv.baseUrl}/crl/other.crl`), { status: 200, text: "crl /crl/other.crl" });
    assert.deepEqual(await get(`${srv.baseUrl}/crl/issuing/1.crl`), {
      status: 200,
      text: "issuing /crl/issuing/1.crl",
    });
  });
  it("keeps CMP working beside other mounts, on /.well-known/cmp and on /", async () => {
    assert.deepEqual([...(await postCmp(`${srv.baseUrl}/.well-known/cmp`, Uint8Array.of(6)))], [0x30, 1, 6]);
    assert.deepEqual([...(await postCmp(`${srv.baseUrl}/`, Uint8Array.of(7)))], [0x30, 1, 7]);
  });
  it("answers 404 for paths no mount serves", async () => {
    for (const p of ["/nothing", "/crlx", "/index.html"]) {
      const r = await get(`${srv.baseUrl}${p}`);
      assert.equal(r.status, 404, p);
    }
  });
  it("turns a throwing mount into 500, reports it, and keeps serving", async () => {
    const before = errors.length;
    const r = await get(`${srv.baseUrl}/boom/x`);
    assert.equal(r.status, 500);
    assert.doesNotMatch(r.text, /mount bug/);
    assert.equal(errors.length, before + 1);
    assert.match(String(errors.at(-1)), /mount bug/);
    assert.equal((await get(`${srv.baseUrl}/crl/a`)).status, 200);
  });
  it("answers an HttpError thrown by a mount with its status, not as a failure", async () => {
    const before = errors.length;
    const r = await get(`${srv.baseUrl}/boom/teapot`);
    assert.deepEqual(r, { status: 418, text: "short and stout\n" });
    assert.equal(errors.length, before);
  });
  it("aborts a mount's signal when the request's time budget is spent", async () => {
    const r = await get(`${srv.baseUrl}/slow`);
    assert.deepEqual(r, { status: 503, text: "RequestTimeout" });
  });
});
