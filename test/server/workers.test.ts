// lwcmp serve --workers: several processes on one port and one SQLite store; a transaction started on
// one worker goes on at another, and a request replayed to another worker is refused.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { prepareRequests } from "../../bench/server-prepare.js";
import { benchProtection, certConfFor, isPkiConf } from "../../bench/server-confirm.js";
import { CmpClient } from "../../src/client/client.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { generateKeyPair, importPrivateKeyPem } from "../../src/crypto/index.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { initDemo, startCluster, type RunningCluster } from "../../src/server/index.js";
import { WORKER_SEMI_SPACE_MB, workerExecArgv } from "../../src/server/cluster.js";
import { tempDir } from "../helpers/openssl.js";

/** POST on a connection of its own: the cluster hands each new connection to the next worker. */
function postFresh(url: string, der: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent: false, headers: { "content-type": "application/pkixcmp" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
      },
    );
    req.on("error", reject);
    req.end(der);
  });
}

function statusOf(der: Uint8Array): { body: string; text: string } {
  const d = decodePKIMessage(der);
  const body = d.message.body;
  const info = body.ip?.response[0]?.status ?? body.error?.pKIStatusInfo;
  return { body: d.bodyType, text: `${info?.status} ${JSON.stringify(info?.failInfo ?? "")}` };
}

describe("lwcmp serve --workers 2", () => {
  const dir = tempDir("lwcmp-workers-");
  let cluster: RunningCluster;
  before(async () => {
    const { config } = initDemo(dir.path, { port: 0 });
    cluster = await startCluster(config, { port: 0, host: "127.0.0.1", workers: 2 });
  });
  after(async () => {
    await cluster.close();
    dir.cleanup();
  });

  it("runs two worker processes", () => {
    const pids = cluster.pids();
    assert.equal(pids.length, 2);
    assert.ok(!pids.includes(process.pid));
    // One worker (index 0) pre-produces OCSP responses; each knows its index from its environment.
    const indexes = pids.map((pid) =>
      readFileSync(`/proc/${pid}/environ`, "latin1")
        .split("\0")
        .find((v) => v.startsWith("LWCMP_WORKER_INDEX=")),
    );
    assert.deepEqual(indexes.sort(), ["LWCMP_WORKER_INDEX=0", "LWCMP_WORKER_INDEX=1"]);
    // Each with a young generation of its own size (unless the operator gave one).
    for (const pid of pids) {
      const args = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
      assert.ok(args.includes(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`), args.join(" "));
    }
    assert.deepEqual(workerExecArgv(["--max-semi-space-size=32"]), ["--max-semi-space-size=32"]);
    assert.deepEqual(workerExecArgv([], "--max-semi-space-size 4"), []);
    assert.deepEqual(workerExecArgv(["--enable-source-maps"], "--max-old-space-size=512"), [
      "--enable-source-maps",
      `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`,
    ]);
  });

  it("the same request sent to both workers is answered once and refused once", async () => {
    const url = `${cluster.url}/p/default/initialization`;
    const [der] = splitRecords(await prepareRequests(dir.path, "ec-p256", "signature", 1));
    const answers = [await postFresh(url, der!), await postFresh(url, der!)].map(statusOf);
    assert.equal(answers.filter((a) => a.body === "ip" && a.text.startsWith("0")).length, 1);
    const refused = answers.find((a) => a.body === "error");
    assert.ok(refused, JSON.stringify(answers));
  });

  it("the benchmark's certConf (signature and MAC) confirms an ip from either worker: pkiConf", async () => {
    const url = `${cluster.url}/p/default/initialization`;
    for (const [alg, mode] of [
      ["ec-p256", "signature-certconf"],
      ["ec-p256", "mac-certconf"],
    ] as const) {
      const [ir] = splitRecords(await prepareRequests(dir.path, alg, mode, 1));
      const ip = await postFresh(url, ir!);
      assert.equal(statusOf(ip).body, "ip");
      assert.equal(isPkiConf(ip), false);
      const conf = certConfFor(ir!, ip, benchProtection(dir.path, mode));
      assert.ok(conf, "a certConf was built");
      const answer = await postFresh(`${cluster.url}/p/default/certification`, conf);
      assert.ok(isPkiConf(answer), `${mode}: ${statusOf(answer).body} ${statusOf(answer).text}`);
    }
  });

  it("an ir answered by one worker is confirmed through the other (certConf)", async () => {
    const key = importPrivateKeyPem(readFileSync(join(dir.path, "idevid.key"), "utf8"));
    const [certificate, ...chain] = pemBlocks(readFileSync(join(dir.path, "idevid-chain.crt"), "latin1"));
    const seen: string[] = [];
    const client = new CmpClient({
      send: (der, operation) => {
        seen.push(operation);
        return postFresh(`${cluster.url}/p/default/${operation}`, der);
      },
      credential: { kind: "signature", key, certificate: certificate!, chain },
      trusted: pemBlocks(readFileSync(join(dir.path, "root-ca.crt"), "latin1")),
      implicitConfirm: false,
    });
    const r = await client.enroll("ir", { subject: "CN=across-workers", newKey: generateKeyPair("ec-p256") });
    assert.equal(r.implicitlyConfirmed, false);
    assert.equal(seen.length, 2, `exchanges: ${seen.join(", ")}`);
  });
});

function splitRecords(buf: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < buf.length; o += 4 + buf.readUInt32BE(o)) {
    out.push(new Uint8Array(buf.subarray(o + 4, o + 4 + buf.readUInt32BE(o))));
  }
  return out;
}
