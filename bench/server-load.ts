// Benchmark load generator (run as its own process): sends pre-built requests over keep-alive
// connections at a fixed concurrency, checks each answer is an accepted ip (and in the certConf modes
// confirms it and checks for the pkiConf), prints one JSON line.
import { Agent, request } from "node:http";
import type { ProtectionCredential } from "../src/cmp/protection.js";
import { benchProtection, certConfFor, isPkiConf } from "./server-confirm.js";
import { readRequests } from "./server-prepare.js";
import { readTlv, children } from "../src/pki/der.js";

/** true when the DER answer is an ip whose first CertResponse has status accepted (0) or grantedWithMods (1). */
export function acceptedIp(der: Uint8Array): boolean {
  try {
    const outer = readTlv(der, 0);
    const body = children(der, outer)[1]!;
    if (body.tag !== 0xa1) return false;
    const rep = readTlv(der, body.contentStart, body.end);
    const fields = children(der, rep);
    const responses = fields[fields.length - 1]!;
    const first = children(der, responses)[0]!;
    const status = children(der, children(der, first)[1]!)[0]!;
    const v = der[status.contentStart];
    return status.end - status.contentStart === 1 && (v === 0 || v === 1);
  } catch {
    return false;
  }
}

function post(agent: Agent, url: URL, der: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/pkixcmp", "content-length": der.length },
      },
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

export interface LoadResult {
  sent: number;
  accepted: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  /** Cores the load generator itself kept busy (it shares the machine with the server). */
  loadCores: number;
}

export async function runLoad(
  url: string,
  requests: Uint8Array[],
  concurrency: number,
  confirmWith?: ProtectionCredential,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  let next = 0;
  let accepted = 0;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const worker = async () => {
    while (next < requests.length) {
      const der = requests[next++]!;
      const t = performance.now();
      // A server that closes idle keep-alive connections (openssl cmp -port) gets one retry.
      const send = (m: Uint8Array) =>
        post(agent, target, m)
          .catch(() => post(agent, target, m))
          .catch(() => new Uint8Array(0));
      const answer = await send(der);
      let ok = acceptedIp(answer);
      if (ok && confirmWith) {
        const conf = certConfFor(der, answer, confirmWith);
        ok = conf !== undefined && isPkiConf(await send(conf));
      }
      latencies.push(performance.now() - t);
      if (ok) accepted++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    sent: requests.length,
    accepted,
    seconds,
    perSecond: accepted / seconds,
    p50ms: q(0.5),
    p99ms: q(0.99),
    loadCores: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

if (process.argv[1]?.endsWith("server-load.js")) {
  const [url, file, concurrency, offset, count, dir, mode] = process.argv.slice(2) as string[];
  const all = readRequests(file!);
  const from = Number(offset ?? 0);
  // The certConf modes: each ip is confirmed with the EE's own protection.
  const confirm = dir && mode?.endsWith("-certconf") ? benchProtection(dir, mode) : undefined;
  const r = await runLoad(
    url!,
    all.slice(from, from + Number(count ?? all.length)),
    Number(concurrency),
    confirm,
  );
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
