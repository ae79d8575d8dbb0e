// Benchmark processes: the lwcmp server (`lwcmp serve`, optionally with workers), OpenSSL's mock CMP
// server (`openssl cmp -port`) as reference, child runs of the factory and load generator, and RSS sampling.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT } from "./util.js";

const NODE = process.execPath;

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

function waitFor(proc: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${out}`)), 30_000);
    const on = (c: Buffer) => {
      out += c.toString();
      if (out.length > 100_000) out = out.slice(-10_000);
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on("data", on);
    proc.stderr?.on("data", on);
    proc.once("exit", (code) => reject(new Error(`${what} exited (${code}): ${out}`)));
  });
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGTERM");
    });
}

export async function startLwcmp(config: string, workers: number): Promise<Proc> {
  const port = await freePort();
  const args = [join(ROOT, "bin", "lwcmp.js"), "serve", "--config", config, "--port", String(port)];
  const proc = spawn(NODE, [...args, "--workers", String(workers)], { stdio: ["ignore", "pipe", "pipe"] });
  const ready = waitFor(proc, /listening/, "lwcmp serve");
  // Workers are counted as ready once each has answered: give them a moment to bind.
  await ready;
  proc.stderr!.resume();
  proc.stdout!.resume();
  return {
    proc,
    url: `http://127.0.0.1:${port}/.well-known/cmp/p/default/initialization`,
    stop: stopper(proc),
  };
}

/** OpenSSL's mock server with the demo PKI: answers every ir with one canned certificate. */
export async function startOpensslMock(dir: string): Promise<Proc> {
  const port = await freePort();
  const f = (n: string) => join(dir, n);
  const secret = readFileSync(f("demo-ee.secret"), "utf8").trim();
  const args = [
    "cmp",
    "-port",
    String(port),
    "-srv_cert",
    f("cmp-signer.crt"),
    "-srv_key",
    f("cmp-signer.key"),
  ];
  args.push("-srv_secret", `pass:${secret}`, "-srv_trusted", f("manufacturer-ca.crt"));
  args.push("-rsp_cert", f("idevid.crt"), "-grant_implicitconf", "-no_check_time");
  const proc = spawn("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  await waitFor(proc, /ACCEPT/, "openssl cmp -port");
  proc.stderr!.resume();
  proc.stdout!.resume();
  return { proc, url: `http://127.0.0.1:${port}/pkix/`, stop: stopper(proc) };
}

/** Runs a compiled bench script as its own process and returns its stdout. */
export function runScript(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(NODE, [join(ROOT, "dist", "bench", script), ...args], { maxBuffer: 64 << 20 }, (e, out, err) =>
      e ? reject(new Error(`${script}: ${e.message}\n${err}`)) : resolve(out),
    );
  });
}

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * While sampling runs: the highest RSS of any one process of the tree (primary and workers), and the CPU
 * seconds the tree used (its processes live through the whole measurement).
 */
export function sampleRss(root: number): { stop(): number; now(): number; cpuSeconds(): number } {
  const tree = () => [root, ...childPids(root)];
  const perProcess = () => tree().map(rssOf);
  const cpu = () => tree().reduce((s, p) => s + cpuOf(p), 0);
  const cpuStart = cpu();
  let cpuEnd = cpuStart;
  let max = 0;
  const timer = setInterval(() => (max = Math.max(max, ...perProcess())), 100);
  return {
    stop: () => {
      clearInterval(timer);
      cpuEnd = cpu();
      return Math.max(max, ...perProcess());
    },
    now: () => Math.max(...perProcess()),
    cpuSeconds: () => cpuEnd - cpuStart,
  };
}
