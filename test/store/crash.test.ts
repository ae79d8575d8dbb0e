// Durability under a crash: a server process killed with SIGKILL under load has stored every certificate
// whose answer it sent (group commit answers only after the group's fsync'd COMMIT).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { prepareRequests } from "../../bench/server-prepare.js";
import { acceptedIp } from "../../bench/server-load.js";
import { freePort } from "../../bench/server-procs.js";
import { ROOT } from "../../bench/util.js";
import { initDemo } from "../../src/server/index.js";
import { openStore } from "../../src/store/open.js";
import { tempDir } from "../helpers/openssl.js";

function post(agent: Agent, url: string, der: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/pkixcmp" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(der);
  });
}

function records(buf: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < buf.length; o += 4 + buf.readUInt32BE(o))
    out.push(buf.subarray(o + 4, o + 4 + buf.readUInt32BE(o)));
  return out;
}

describe("SQLite store after kill -9 under load", () => {
  const dir = tempDir("lwcmp-crash-");
  after(() => dir.cleanup());

  it("holds every certificate whose answer was sent", async () => {
    const { config } = initDemo(dir.path, { port: 0 });
    const requests = records(await prepareRequests(dir.path, "ec-p256", "signature", 400));
    const port = await freePort();
    const args = [
      join(ROOT, "bin", "lwcmp.js"),
      "serve",
      "--config",
      config,
      "--port",
      String(port),
      "--workers",
      "1",
    ];
    const server = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "ignore"] });
    const exited = new Promise((resolve) => server.once("exit", resolve));
    await new Promise<void>((resolve) =>
      server.stdout.on("data", (c: Buffer) => /listening/.test(String(c)) && resolve()),
    );
    const url = `http://127.0.0.1:${port}/.well-known/cmp/p/default/initialization`;
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const answered: number[] = [];
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < requests.length) {
        const i = next++;
        const answer = await post(agent, url, requests[i]!).catch(() => undefined);
        if (answer && acceptedIp(answer)) answered.push(i);
        if (answered.length >= 100 && !killed) {
          killed = true;
          server.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    // Every request sent without 100 accepted answers: stop the server and let the assertion say so.
    if (!killed) server.kill("SIGKILL");
    await exited;
    agent.destroy();
    assert.ok(
      killed && answered.length >= 100 && answered.length < requests.length,
      `answered ${answered.length}`,
    );

    const store = await openStore(`sqlite:${join(dir.path, "lwcmp.db")}`);
    try {
      const subjects = new Set((await store.findCertificates({ limit: 10_000 })).map((c) => c.subject));
      const missing = answered.filter(
        (i) => ![...subjects].some((s) => s.endsWith(`CN=bench-signature-${i}`)),
      );
      assert.deepEqual(missing, []);
    } finally {
      await store.close();
    }
  });
});
