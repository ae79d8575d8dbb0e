// Connection limits of the HTTP listener: idle sockets closed, a cap on concurrent connections,
// a slow request kept past the idle timeout while it is processed.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { describe, it } from "node:test";
import { startHttpServer } from "../../src/transport/http-router.js";

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
    s.once("error", reject);
  });
}

/** Milliseconds until the server closes the socket (or `cap` when it stays open). */
function closedAfter(s: Socket, cap: number): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(cap), cap);
    s.on("error", () => undefined);
    s.once("close", () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    });
  });
}

describe("HTTP connection limits", () => {
  it("closes a socket that sends nothing after the idle timeout", async () => {
    const srv = await startHttpServer({
      mounts: [],
      connections: { idleTimeoutMs: 300 },
    });
    try {
      const s = await open(srv.port);
      const ms = await closedAfter(s, 3000);
      assert.ok(ms >= 250 && ms < 2000, `closed after ${ms} ms`);
    } finally {
      await srv.close();
    }
  });

  it("keeps a socket whose request is being processed past the idle timeout", async () => {
    const srv = await startHttpServer({
      connections: { idleTimeoutMs: 200 },
      mounts: [
        {
          prefix: "/",
          handle: async (_req, res) => {
            await new Promise((r) => setTimeout(r, 600));
            res.end("done");
          },
        },
      ],
    });
    try {
      const r = await fetch(`${srv.baseUrl}/slow`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), "done");
    } finally {
      await srv.close();
    }
  });

  it("refuses connections beyond maxConnections", async () => {
    const srv = await startHttpServer({
      mounts: [],
      connections: { maxConnections: 2, idleTimeoutMs: 5000 },
    });
    try {
      const held = [await open(srv.port), await open(srv.port)];
      await new Promise((r) => setTimeout(r, 50));
      const third = await open(srv.port);
      const ms = await closedAfter(third, 2000);
      assert.ok(ms < 1000, `the third connection stayed open ${ms} ms`);
      for (const s of held) s.destroy();
    } finally {
      await srv.close();
    }
  });

  it("applies the header and keep-alive timeouts to the node server", async () => {
    const srv = await startHttpServer({
      mounts: [],
      requestTimeoutMs: 30_000,
      connections: { headersTimeoutMs: 1234, keepAliveTimeoutMs: 777, maxConnections: 9 },
    });
    try {
      assert.equal(srv.server.headersTimeout, 1234);
      assert.equal(srv.server.keepAliveTimeout, 777);
      assert.equal(srv.server.maxConnections, 9);
    } finally {
      await srv.close();
    }
  });
});
