// Load generator of bench/ocsp.ts, run as its own process: GET requests over keep-alive connections at a
// fixed concurrency for a time window; prints {"rate": requests per second, "errors": n} as JSON.
import { Agent, get } from "node:http";

const [urlsJson, msText, concText] = process.argv.slice(2);
const urls = JSON.parse(urlsJson ?? "[]") as unknown;
if (!Array.isArray(urls) || !urls.every((u) => typeof u === "string"))
  throw new Error("usage: URLS_JSON MS CONC");
const list = urls as string[];
const ms = Number(msText);
const concurrency = Number(concText);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function once(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.on("data", () => undefined);
      res.on("end", () => resolve(res.statusCode ?? 0));
    }).on("error", reject);
  });
}

let n = 0;
let errors = 0;
let i = 0;
const start = performance.now();
const worker = async () => {
  while (performance.now() - start < ms) {
    const status = await once(list[i++ % list.length]!);
    if (status === 200) n++;
    else errors++;
  }
};
await Promise.all(Array.from({ length: concurrency }, worker));
process.stdout.write(JSON.stringify({ rate: (n * 1000) / (performance.now() - start), errors }));
agent.destroy();
