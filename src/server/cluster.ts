// `lwcmp serve --workers N`: the primary forks N workers (node:cluster) that share one listening socket;
// each runs the whole CA on the same store, so any worker continues any transaction (state, nonces and
// transactionIDs live only in the store).
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { createServer } from "node:net";
import {
  listenError,
  loadCheckedConfig,
  openConfiguredStore,
  startServer,
  type RunningServer,
  type ServerOverrides,
} from "./compose.js";

export interface ClusterOptions extends Pick<ServerOverrides, "port" | "host"> {
  /** Worker processes; 1 runs the CA in this process. Default: the number of cores. */
  workers?: number;
}

export interface RunningCluster {
  url: string;
  port: number;
  workers: number;
  /** Process ids of the running workers (this process alone when workers is 1). */
  pids(): number[];
  close(): Promise<void>;
}

const READY = "lwcmp-worker-listening";
/** The environment variable that tells a worker its index (0 .. N-1). */
const WORKER_INDEX = "LWCMP_WORKER_INDEX";

/** Whether a worker pre-produces OCSP responses: worker 0 (or a process not started as a worker). */
export function workerRunsOcspRefresh(env: NodeJS.ProcessEnv): boolean {
  return (env[WORKER_INDEX] ?? "0") === "0";
}
const ReadyMessage = z.object({ type: z.literal(READY), url: z.string(), port: z.number() });
const WorkerOverrides = z.object({ port: z.number().optional(), host: z.string().optional() });

export function defaultWorkers(): number {
  return availableParallelism();
}

/** Starts the configured CA on `workers` processes. Call it in the primary; workers run `runWorker`. */
export async function startCluster(configPath: string, o: ClusterOptions = {}): Promise<RunningCluster> {
  const n = o.workers ?? defaultWorkers();
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`workers must be a positive integer, got ${n}`);
  if (n === 1) return single(await startServer(configPath, o));
  // Configuration problems and a busy port are reported once, here, in the words a single process
  // uses; migrations run once, before any worker opens the store.
  const { config } = await loadCheckedConfig(configPath);
  await probeListen(o.host ?? config.server.host, o.port ?? config.server.port);
  await (await openConfiguredStore(configPath)).close();
  cluster.setupPrimary({
    exec: fileURLToPath(new URL("./worker.js", import.meta.url)),
    args: [configPath, JSON.stringify({ port: o.port, host: o.host })],
    execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS),
  });
  let stopping = false;
  const workers = new Set<Worker>();
  // Worker 0 also pre-produces OCSP responses; a replacement keeps the index of the worker it replaces.
  const fork = (index: number): Promise<{ url: string; port: number }> => {
    const w = cluster.fork({ [WORKER_INDEX]: String(index) });
    workers.add(w);
    let listening = false;
    w.once("exit", () => {
      workers.delete(w);
      // A worker that died serving is replaced; what it answered is in the store already.
      if (!stopping && listening) fork(index).catch(() => undefined);
    });
    return new Promise((resolve, reject) => {
      w.once("exit", (code) => reject(new Error(`worker exited with code ${code} before listening`)));
      w.on("message", (m: unknown) => {
        const r = ReadyMessage.safeParse(m);
        if (!r.success) return;
        listening = true;
        resolve(r.data);
      });
    });
  };
  const close = async () => {
    stopping = true;
    const exits = [...workers].map((w) => {
      const exited = new Promise<void>((resolve) => w.once("exit", () => resolve()));
      w.kill();
      return exited;
    });
    await Promise.all(exits);
  };
  let first: { url: string; port: number }[];
  try {
    first = await Promise.all(Array.from({ length: n }, (_, i) => fork(i)));
  } catch (e) {
    await close();
    throw e;
  }
  return {
    url: first[0]!.url,
    port: first[0]!.port,
    workers: n,
    pids: () => [...workers].map((w) => w.process.pid!).filter((p) => p !== undefined),
    close,
  };
}

/**
 * Young-generation size of a worker (V8 semi-space, MB). Node sizes it by the machine's memory (up to
 * 32 MB per semi-space here); at 8 MB a worker stays near 140 MB under load with the same throughput
 * (docs/performance.md). A size the operator gives (in NODE_OPTIONS or node's own flags) is kept.
 */
export const WORKER_SEMI_SPACE_MB = 8;

export function workerExecArgv(execArgv: readonly string[], nodeOptions = ""): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => /^--max-semi-space-size(=|$)/.test(a));
  return given ? [...execArgv] : [...execArgv, `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`];
}

/** Listens on the address once and lets go again: a port in use fails here, before any worker starts. */
function probeListen(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (e) => reject(listenError(e, host, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function single(s: RunningServer): RunningCluster {
  return { url: s.url, port: s.port, workers: 1, pids: () => [process.pid], close: () => s.close() };
}

/** The body of a worker (src/server/worker.ts): serve until told to stop, report the address to the primary. */
export async function runWorker(argv: readonly string[]): Promise<void> {
  const [configPath, overrides] = argv;
  if (!configPath) throw new Error("worker started without a configuration");
  const s = await startServer(configPath, {
    ...WorkerOverrides.parse(JSON.parse(overrides ?? "{}")),
    ocspRefresh: workerRunsOcspRefresh(process.env),
  });
  const stop = () => void s.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.once("disconnect", stop);
  process.send?.({ type: READY, url: s.url, port: s.port });
}
