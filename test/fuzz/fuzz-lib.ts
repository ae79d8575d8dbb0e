// HTTP fuzzing of the CMP server: a seeded PRNG, mutations of real PKIMessages (bit flips, truncations,
// length-byte changes, inserted bytes), a server in a child process and the outcome counts of a run.
import { fork, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CmpClient, type ClientCredential } from "../../src/client/client.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { generateKeyPair } from "../../src/crypto/index.js";
import { readTlv } from "../../src/pki/der.js";
import { pemBlocks } from "../../src/pki/pem.js";
import { cmpUrl, postCmp } from "../../src/transport/http-client.js";
import type { FuzzServerReady, FuzzServerStats } from "./fuzz-server.js";

export { prng } from "../helpers/der-mutation.js";
import { prng } from "../helpers/der-mutation.js";

/** Offsets of the length bytes of every TLV that parses, walking constructed elements. */
export function lengthOffsets(der: Uint8Array): number[] {
  const out: number[] = [];
  const walk = (start: number, end: number, depth: number) => {
    for (let p = start; p < end && depth < 32;) {
      let t;
      try {
        t = readTlv(der, p, end);
      } catch {
        return;
      }
      out.push(p + 1);
      if (t.tag & 0x20) walk(t.contentStart, t.end, depth + 1);
      p = t.end;
    }
  };
  walk(0, der.length, 0);
  return out;
}

export type Mutation = "bitflip" | "truncate" | "length" | "insert" | "inflate";
const MUTATIONS: readonly Mutation[] = [
  "bitflip",
  "truncate",
  "length",
  "insert",
  "bitflip",
  "length",
  "inflate",
];

/** One mutation of `der`, chosen by `rand`. */
export function mutate(der: Uint8Array, rand: () => number): { kind: Mutation; out: Uint8Array } {
  const pick = (n: number) => Math.floor(rand() * n);
  const kind = MUTATIONS[pick(MUTATIONS.length)]!;
  const out = Uint8Array.from(der);
  switch (kind) {
    case "bitflip": {
      for (let i = 1 + pick(4); i > 0; i--) out[pick(out.length)]! ^= 1 << pick(8);
      return { kind, out };
    }
    case "truncate":
      return { kind, out: out.subarray(0, pick(out.length)) };
    case "length": {
      const offs = lengthOffsets(der);
      const at = offs[pick(offs.length)] ?? 1;
      const choices = [
        0x00,
        0x7f,
        0x80,
        0x81,
        0x82,
        0x84,
        0x85,
        0xff,
        (out[at]! + 1) & 0xff,
        (out[at]! - 1) & 0xff,
      ];
      out[at] = choices[pick(choices.length)]!;
      return { kind, out };
    }
    case "insert": {
      const at = pick(out.length + 1);
      const extra = Uint8Array.from({ length: 1 + pick(16) }, () => pick(256));
      return { kind, out: Uint8Array.from([...out.subarray(0, at), ...extra, ...out.subarray(at)]) };
    }
    case "inflate": {
      // A large run of bytes: a message that costs parsing and memory if it is not refused early.
      const at = pick(out.length + 1);
      const extra = new Uint8Array(1024 * (1 + pick(256))).fill(pick(2) ? 0x30 : pick(256));
      return { kind, out: Uint8Array.from([...out.subarray(0, at), ...extra, ...out.subarray(at)]) };
    }
  }
}

export interface FuzzServer {
  url: string;
  ready: FuzzServerReady;
  stats(): Promise<FuzzServerStats>;
  stop(): Promise<void>;
}

/** The demo CA in a child process (its memory measured apart from the fuzzer's). */
export async function startFuzzServer(): Promise<FuzzServer> {
  const child: ChildProcess = fork(new URL("./fuzz-server.js", import.meta.url), [], { stdio: "inherit" });
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type?: string }) => {
        if (m.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(m as T);
      };
      const onExit = (code: number | null) => reject(new Error(`fuzz server exited (${code})`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const ready = await next<FuzzServerReady>("ready");
  return {
    url: `http://127.0.0.1:${ready.port}`,
    ready,
    stats: () => {
      const p = next<FuzzServerStats>("stats");
      child.send("rss");
      return p;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.send("stop");
      }),
  };
}

/** Real requests: the openssl fixtures and the requests of an ir, genm, cr and rr run against the demo. */
export async function buildCorpus(s: FuzzServer): Promise<Uint8Array[]> {
  const fixtures = new URL("../../../test/fixtures/openssl/", import.meta.url);
  const corpus: Uint8Array[] = readdirSync(fixtures)
    .filter((f) => f.endsWith(".der"))
    .map((f) => new Uint8Array(readFileSync(new URL(f, fixtures))));
  const read = (n: string) => readFileSync(join(s.ready.dir, n), "utf8");
  const mac: ClientCredential = {
    kind: "mac",
    reference: s.ready.kid,
    secret: new TextEncoder().encode(s.ready.secret),
  };
  const client = (credential: ClientCredential) =>
    new CmpClient({
      send: async (der, op) => {
        corpus.push(der);
        return postCmp(cmpUrl(s.url, undefined, op), der);
      },
      credential,
      trusted: pemBlocks(read("root-ca.crt")),
      untrusted: pemBlocks(read("issuing-ca.crt")),
    });
  const key = generateKeyPair("ec-p256");
  const ir = await client(mac).enroll("ir", { subject: "CN=fuzz-seed", newKey: key });
  await client(mac).getCaCerts();
  const sig: ClientCredential = { kind: "signature", key, certificate: ir.certificate, chain: ir.chain };
  const crKey = generateKeyPair("ec-p256");
  const cr = await client(sig).enroll("cr", { subject: "CN=fuzz-seed", newKey: crKey });
  await client({ kind: "signature", key: crKey, certificate: cr.certificate, chain: cr.chain }).revoke(
    cr.certificate,
  );
  return corpus;
}

export type Outcome = "cmpAnswer" | "http4xx" | "http5xx" | "badAnswer" | "networkError";

export interface FuzzResult {
  messages: number;
  outcomes: Record<Outcome, number>;
  byMutation: Record<string, number>;
  baselineRss: number;
  peakRss: number;
  /** Up to 10 inputs that gave a 500 or an answer that is not a PKIMessage, in hex. */
  failures: { outcome: Outcome; status: number; input: string }[];
}

async function post(
  url: string,
  body: Uint8Array,
  type: string,
): Promise<Outcome | { status: number; o: Outcome }> {
  let r: Response;
  try {
    r = await fetch(`${url}/.well-known/cmp`, { method: "POST", headers: { "Content-Type": type }, body });
  } catch {
    return "networkError";
  }
  const answer = new Uint8Array(await r.arrayBuffer());
  if (r.status >= 500) return { status: r.status, o: "http5xx" };
  if (r.status >= 400) return "http4xx";
  try {
    decodePKIMessage(answer);
    return r.headers.get("content-type") === "application/pkixcmp"
      ? "cmpAnswer"
      : { status: r.status, o: "badAnswer" };
  } catch {
    return { status: r.status, o: "badAnswer" };
  }
}

/** Posts mutated messages for `durationMs` with `concurrency` requests in flight; samples the server's RSS. */
export async function runFuzz(
  s: FuzzServer,
  corpus: readonly Uint8Array[],
  opts: { seed: number; durationMs: number; concurrency?: number },
): Promise<FuzzResult> {
  const rand = prng(opts.seed);
  const res: FuzzResult = {
    messages: 0,
    outcomes: { cmpAnswer: 0, http4xx: 0, http5xx: 0, badAnswer: 0, networkError: 0 },
    byMutation: {},
    baselineRss: (await s.stats()).rss,
    peakRss: 0,
    failures: [],
  };
  res.peakRss = res.baselineRss;
  const deadline = Date.now() + opts.durationMs;
  const sampler = setInterval(() => {
    void s.stats().then((st) => (res.peakRss = Math.max(res.peakRss, st.rss)));
  }, 250);
  const worker = async () => {
    while (Date.now() < deadline) {
      const base = corpus[Math.floor(rand() * corpus.length)]!;
      const first = mutate(base, rand);
      const kind = first.kind;
      // A second mutation now and then.
      const out = rand() < 0.3 ? mutate(first.out, rand).out : first.out;
      const type = rand() < 0.05 ? "text/plain" : "application/pkixcmp";
      const r = await post(s.url, out, type);
      const outcome = typeof r === "string" ? r : r.o;
      res.messages++;
      res.outcomes[outcome]++;
      res.byMutation[kind] = (res.byMutation[kind] ?? 0) + 1;
      if (typeof r !== "string" && res.failures.length < 10)
        res.failures.push({
          outcome,
          status: r.status,
          input: Buffer.from(out).toString("hex").slice(0, 4000),
        });
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
  } finally {
    clearInterval(sampler);
  }
  res.peakRss = Math.max(res.peakRss, (await s.stats()).rss);
  return res;
}
