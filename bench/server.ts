// Server throughput benchmark (`npm run bench:server [-- --quick] [-- --workers N]`): the CA runs as
// `lwcmp serve`, unique ir + implicitConfirm requests are pre-built by one process and sent over
// keep-alive connections by another; printed next to the server-side crypto ceiling of the same run
// and to OpenSSL's mock server (`openssl cmp -port`) answering the same requests.
import { hash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { defaultSignatureAlgorithm, generateKeyPair, sign, verify } from "../src/crypto/index.js";
import { initDemo } from "../src/server/index.js";
import type { LoadResult } from "./server-load.js";
import { runScript, sampleRss, startLwcmp, startOpensslMock, type Proc } from "./server-procs.js";
import { rate } from "./util.js";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const WORKERS = [1, Number(opt("--workers") ?? availableParallelism())].filter(
  (v, i, a) => a.indexOf(v) === i,
);
const CONCURRENCY = opt("--concurrency")?.split(",").map(Number) ?? (quick ? [8] : [1, 8, 64]);
const ALGS = (opt("--algs") ?? "ec-p256,ml-dsa-65").split(",");
/** signature | mac: ir + implicitConfirm; signature-certconf | mac-certconf: ir, ip, certConf, pkiConf. */
const MODES = (opt("--modes") ?? "signature,mac,signature-certconf").split(",");
const COUNT = Number(opt("--requests") ?? (quick ? 300 : 1500));
/** `--store URL`: the CA's store instead of the demo's SQLite file (e.g. postgres://127.0.0.1/test?schema=bench). */
const STORE = opt("--store");
/** Requests sent to each server before it is measured. */
const WARMUP = 100;

/** Server-side crypto of one enrollment: verify protection + verify POP + sign certificate + sign answer. */
function ceiling(alg: string, mode: string): number {
  const k = generateKeyPair(alg);
  const a = defaultSignatureAlgorithm(k);
  const data = new Uint8Array(1200);
  const s = sign(a, k, data);
  const signRate = rate(() => sign(a, k, data), quick ? 500 : 1500);
  const verifyRate = rate(() => verify(a, k.publicKey, data, s), quick ? 500 : 1500);
  // certConf adds one verification (its protection) and one signature (the pkiConf).
  const extra = mode.endsWith("-certconf") ? 1 : 0;
  if (mode.startsWith("signature")) return 1 / ((2 + extra) / signRate + (2 + extra) / verifyRate);
  // MAC: PasswordBasedMac over 10 000 SHA-256 iterations on the request and on the answer.
  const pbmRate = rate(() => {
    let key: Buffer = Buffer.alloc(32);
    for (let i = 0; i < 10_000; i++) key = hash("sha256", key, "buffer");
  }, 500);
  return 1 / (1 / signRate + 1 / verifyRate + (2 + 2 * extra) / pbmRate);
}

interface Row {
  alg: string;
  mode: string;
  server: string;
  concurrency: number;
  r: LoadResult;
  rssMB: number;
  /** Cores the server's processes kept busy during the measurement. */
  cores: number;
}

async function measure(
  p: Proc,
  file: string,
  concurrency: number,
  slice: number,
  demo: { dir: string; mode: string },
): Promise<[LoadResult, number, number]> {
  const { dir, mode } = demo;
  const rss = sampleRss(p.proc.pid!);
  const range = [String(slice * COUNT), String(COUNT)];
  const out = await runScript("server-load.js", [p.url, file, String(concurrency), ...range, dir, mode]);
  const r = JSON.parse(out) as LoadResult;
  const rssMB = rss.stop() / 2 ** 20;
  // Cores the server kept busy while it answered (CPU seconds of all its processes per second).
  return [r, rssMB, rss.cpuSeconds() / r.seconds];
}

async function benchAlg(alg: string, rows: Row[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "lwcmp-bench-server-"));
  try {
    const { config } = initDemo(dir, { alg, port: 0 });
    const doc = parseYaml(readFileSync(config, "utf8")) as Record<string, unknown>;
    // Without the demo's OCSP responder: each server start would pre-produce two responses for every
    // certificate the earlier measurements issued, during the next ones (bench/ocsp.ts measures it).
    delete doc.ocsp;
    if (STORE) doc.store = STORE;
    writeFileSync(config, stringifyYaml(doc));
    for (const mode of MODES) {
      const file = join(dir, `${mode}.req`);
      let slice = 0;
      const servers: [string, () => Promise<Proc>][] = WORKERS.map((w) => [
        `lwcmp workers=${w}`,
        () => startLwcmp(config, w),
      ]);
      // System OpenSSL 3.0 knows no ML-DSA: the reference runs for the algorithms it has.
      if (!alg.startsWith("ml-dsa")) servers.push(["openssl cmp -port", () => startOpensslMock(dir)]);
      // Every measurement gets requests of its own: transactionIDs and nonces are never reused.
      // ... and each server a warm-up of its own first (every worker started, code compiled).
      const measured = COUNT * CONCURRENCY.length * servers.length;
      const n = measured + WARMUP * servers.length;
      await runScript("server-prepare.js", [dir, alg, mode, String(n), file]);
      const ceil = ceiling(alg, mode);
      console.log(`\n${alg} ${mode}: crypto ceiling ${ceil.toFixed(0)} enrollments/s per core`);
      for (const [i, [name, start]] of servers.entries()) {
        const p = await start();
        try {
          await runScript("server-load.js", [
            p.url,
            file,
            "8",
            String(measured + i * WARMUP),
            String(WARMUP),
            dir,
            mode,
          ]);
          for (const c of CONCURRENCY) {
            const [r, rssMB, cores] = await measure(p, file, c, slice++, { dir, mode });
            rows.push({ alg, mode, server: name, concurrency: c, r, rssMB, cores });
            printRow(rows[rows.length - 1]!, ceil, rows);
          }
        } finally {
          await p.stop();
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printRow(x: Row, ceil: number, rows: Row[]): void {
  const ref = rows.find(
    (o) =>
      o.alg === x.alg &&
      o.mode === x.mode &&
      o.server.startsWith("openssl") &&
      o.concurrency === x.concurrency,
  );
  const workers = Number(/workers=(\d+)/.exec(x.server)?.[1] ?? 1);
  const vsCeil = x.server.startsWith("openssl")
    ? ""
    : ` ceiling/core ${(x.r.perSecond / ceil / workers).toFixed(2)}`;
  console.log(
    `  ${x.server.padEnd(18)} c=${String(x.concurrency).padEnd(3)} ${x.r.perSecond.toFixed(0).padStart(6)}/s` +
      ` ok ${x.r.accepted}/${x.r.sent} p50 ${x.r.p50ms.toFixed(1)} ms p99 ${x.r.p99ms.toFixed(1)} ms` +
      ` rss ${x.rssMB.toFixed(0)} MB cpu ${x.cores.toFixed(2)} load ${x.r.loadCores.toFixed(2)}${vsCeil}${ref && ref !== x ? ` vs openssl ${(x.r.perSecond / ref.r.perSecond).toFixed(2)}` : ""}`,
  );
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  console.log(`cores ${availableParallelism()}, ${COUNT} requests per measurement${quick ? " (quick)" : ""}`);
  for (const alg of ALGS) await benchAlg(alg, rows);
  // The reference runs last per algorithm: print the lwcmp / openssl ratios once all are known.
  console.log("\nratio lwcmp / openssl cmp -port (same requests, same run)");
  for (const x of rows.filter((o) => !o.server.startsWith("openssl"))) {
    const ref = rows.find(
      (o) =>
        o.alg === x.alg &&
        o.mode === x.mode &&
        o.server.startsWith("openssl") &&
        o.concurrency === x.concurrency,
    );
    if (ref)
      console.log(
        `  ${x.alg} ${x.mode} ${x.server} c=${x.concurrency}: ${(x.r.perSecond / ref.r.perSecond).toFixed(2)}`,
      );
  }
}

await main();
