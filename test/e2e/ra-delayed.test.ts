// `openssl cmp` -> lwcmp RA over HTTP while the CA cannot be reached (RFC 9483 §5.1.2, §4.4): the EE gets
// "waiting" and polls, the RA restarts, the CA comes back, and every EE gets its certificate, issued once.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer, connect, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { startRaServer, type RunningRa } from "../../src/server/index.js";
import { OPENSSL, openssl } from "../helpers/openssl.js";
import {
  opensslIdevidArgs,
  opensslMacArgs,
  opensslVerifyIssued,
  run,
  startDemo,
  type Demo,
} from "../helpers/demo.js";

const RECIPIENT = "/O=lwcmp demo/CN=Demo Issuing CA";

/** A free TCP port on loopback. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The link to the CA: a TCP relay on `port` to the CA, listening only while "up". */
function link(port: number, target: number) {
  let server: Server | undefined;
  return {
    up: () =>
      new Promise<void>((resolve) => {
        server = createServer((c) => {
          const u = connect(target, "127.0.0.1");
          c.pipe(u).pipe(c);
          c.on("error", () => u.destroy());
          u.on("error", () => c.destroy());
        });
        server.listen(port, "127.0.0.1", resolve);
      }),
    down: () => new Promise<void>((r) => (server ? server.close(() => r()) : r())),
  };
}

describe("delayed delivery over HTTP with openssl cmp as the EE", () => {
  let d: Demo;
  let ra: RunningRa;
  let relay: ReturnType<typeof link>;
  let raPort = 0;
  const events: string[] = [];
  const startRa = async () =>
    startRaServer(d.file("held.yaml"), { port: raPort, log: (e) => events.push(e.event) });

  before(async () => {
    d = await startDemo();
    const relayPort = await freePort();
    relay = link(relayPort, d.port);
    let yaml = d.read("ra.yaml");
    yaml = yaml.replace(/url: http:\/\/[^\n]+/g, `url: http://127.0.0.1:${relayPort}/.well-known/cmp`);
    yaml = yaml.replace("store: sqlite:ra.db", "store: sqlite:held.db");
    yaml = yaml.replace(
      "      trust: [root-ca.crt]\n",
      "      trust: [root-ca.crt]\n      timeout: 2s\n      retry: { initialDelay: 1s, maxDelay: 2s, giveUpAfter: 5m }\n",
    );
    yaml = yaml.replace("  upstreams:\n", "  policy: { pollInterval: 3s }\n  upstreams:\n");
    writeFileSync(d.file("held.yaml"), yaml);
    ra = await startRa();
    raPort = ra.port;
  });
  after(async () => {
    await ra.close();
    await relay.down();
    await d.close();
  });

  it("three EEs (MAC and IDevID) wait, poll across an RA restart and get certificates once the CA is back", async () => {
    const ee = (i: number, cred: string[]) => {
      const key = d.file(`held${i}.key`);
      openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
      return run(
        OPENSSL,
        [
          "cmp",
          "-server",
          `127.0.0.1:${raPort}`,
          "-recipient",
          RECIPIENT,
          "-trusted",
          d.file("root-ca.crt"),
          "-cmd",
          "ir",
          ...cred,
          "-newkey",
          key,
          "-subject",
          `/CN=held-${i}`,
          "-certout",
          d.file(`held${i}.crt`),
          "-total_timeout",
          "60",
          // A connection per message: the RA restarts between two polls.
          "-keep_alive",
          "0",
        ],
        { cwd: d.dir, timeoutMs: 70_000 },
      );
    };
    const runs = [ee(1, opensslMacArgs(d)), ee(2, opensslMacArgs(d)), ee(3, opensslIdevidArgs(d))];
    // Wait until the RA holds all three, then restart it and bring the CA back.
    for (let i = 0; i < 100 && events.filter((e) => e === "ra-held").length < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(events.filter((e) => e === "ra-held").length, 3, "the RA held each request");
    // Each EE polls at once and is told to come back in 3 s: the RA restarts in between.
    await new Promise((r) => setTimeout(r, 1000));
    await ra.close();
    ra = await startRa();
    await relay.up();
    const results = await Promise.all(runs);
    for (const [i, r] of results.entries()) {
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /received PKICONF/);
      opensslVerifyIssued(d, d.file(`held${i + 1}.crt`));
    }
    assert.ok(events.includes("ra-delivered"));
    const issued = await d.server.store.findCertificates({ subjectContains: "held-" });
    assert.equal(issued.length, 3, "each certificate is issued once");
    assert.ok(issued.every((c) => c.status === "valid"));
  });
});
