// Root CA key rollover: `lwcmp ca rollover`, then genm rootCaCert answers rootCaKeyUpdate (RFC 9483 §4.3.2).
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { CmpClient } from "../../src/client/client.js";
import { startServer } from "../../src/server/index.js";
import { certEntry, validatePath } from "../../src/pki/path.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { postCmp } from "../../src/transport/http-client.js";
import { run, startDemo, type Demo } from "../helpers/demo.js";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "lwcmp.js");

describe("root CA key rollover", () => {
  let d: Demo;
  before(async () => {
    d = await startDemo();
  });
  after(() => d.close());

  it("offers no update before the rollover", async () => {
    const root = pemBlocks(d.read("root-ca.crt"))[0]!;
    const c = new CmpClient({
      send: (der) => postCmp(`${d.url}/.well-known/cmp/getrootupdate`, der),
      credential: { kind: "mac", reference: d.kid, secret: new TextEncoder().encode(d.secret) },
      trusted: [root],
    });
    assert.equal(await c.getRootUpdate(root), undefined);
  });

  it("rolls over and serves newWithNew, newWithOld and oldWithNew", async () => {
    const r = await run(process.execPath, [
      BIN,
      "ca",
      "rollover",
      "--config",
      d.file("lwcmp.yaml"),
      "--root-key",
      d.file("root-ca.key"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(d.read("lwcmp.yaml"), /rootUpdate:/);
    const server = await startServer(d.file("lwcmp.yaml"), { port: 0, log: () => undefined });
    try {
      const oldRoot = pemBlocks(d.read("root-ca.crt"))[0]!;
      const c = new CmpClient({
        send: (der) => postCmp(`http://127.0.0.1:${server.port}/.well-known/cmp/getrootupdate`, der),
        credential: { kind: "mac", reference: d.kid, secret: new TextEncoder().encode(d.secret) },
        trusted: [oldRoot],
      });
      const u = await c.getRootUpdate(oldRoot);
      assert.ok(u?.newWithOld && u.oldWithNew);
      assert.deepEqual(Buffer.from(u.newWithNew), Buffer.from(pemBlocks(d.read("new-root-ca.crt"))[0]!));
      // The new root is self-signed; oldWithNew chains the old root to the new one.
      await validatePath(certEntry(u.newWithNew), { anchors: [certEntry(u.newWithNew)] });
      await validatePath(certEntry(u.oldWithNew), { anchors: [certEntry(u.newWithNew)] });
      // A different root named by the client gets no update.
      assert.equal(await c.getRootUpdate(u.newWithNew), undefined);
    } finally {
      await server.close();
    }
  });
});
