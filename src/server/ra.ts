// Composition root of an RA / LRA (`lwcmp ra serve`): configuration -> store -> RegistrationAuthority with
// HTTP upstreams and the configured inventory hook -> HTTP router with the CMP mount.
import { ConfigCheckError, checkLoadedConfig } from "../config/check.js";
import { ConfigError, loadConfig, type LoadedConfig } from "../config/load.js";
import { loadRaMaterials, raPolicyFromConfig, requireRa } from "../config/ra-policy.js";
import type { ConfigDocument } from "../config/schema.js";
import { RegistrationAuthority } from "../ra/authority.js";
import type { InventoryHook } from "../ra/types.js";
import { raUpstreams } from "./ra-upstream.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import { startHttpServer } from "../transport/http-router.js";
import { cmpMounts } from "../transport/http-server.js";
import { WELL_KNOWN_CMP } from "../transport/paths.js";
import {
  applyDecodeLimits,
  connectionLimits,
  listenError,
  readTls,
  resolveStoreUrl,
  type ServerOverrides,
} from "./compose.js";
import { logLine, type LogEvent } from "./log.js";
import type { RaPolicy } from "../ra/policy.js";
import { execHook, webhookHook } from "./ra-hook.js";

export interface RunningRa {
  url: string;
  baseUrl: string;
  port: number;
  ra: RegistrationAuthority;
  store: Store;
  close(): Promise<void>;
}

/** Loads the file and runs the whole check, refusing a file without an `ra` section in one line. */
async function loadCheckedRaConfig(
  configPath: string,
): Promise<{ loaded: LoadedConfig; warnings: string[] }> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(configPath);
  } catch (e) {
    throw e instanceof ConfigError ? new ConfigCheckError(configPath, e.problems) : e;
  }
  requireRa(loaded.config, loaded.path);
  const report = await checkLoadedConfig(loaded);
  if (report.problems.length > 0) throw new ConfigCheckError(configPath, report.problems);
  return { loaded, warnings: report.warnings };
}

function configuredHook(config: ConfigDocument): InventoryHook | undefined {
  const h = config.ra?.hook;
  if (!h) return undefined;
  return h.exec ? execHook(h.exec, h.timeout) : webhookHook(h.url!, h.timeout);
}

/** Half the shortest first retry delay, between 200 ms and 10 s. */
export function retryInterval(policy: RaPolicy): number {
  const first = Math.min(...policy.upstreams().map((u) => u.retry.initialDelayMs), 20_000);
  return Math.min(10_000, Math.max(200, first / 2));
}

/** Runs the RA's delayed-delivery rounds on a timer that never keeps the process alive; returns its stop. */
function startRetrier(
  ra: RegistrationAuthority,
  everyMs: number,
  log: (e: LogEvent) => void,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = ra
      .retryHeld()
      .then(() => undefined)
      .catch((e: unknown) =>
        log({ event: "ra-retry-failed", detail: e instanceof Error ? e.message : String(e) }),
      )
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  // A round under way ends before the store closes.
  return async () => {
    clearInterval(timer);
    await running;
  };
}

export interface RaOverrides extends ServerOverrides {
  /** Upstream URLs by upstream name, instead of the configured ones (the demo's CA on its actual port). */
  upstreamUrls?: Readonly<Record<string, string>>;
}

export async function startRaServer(configPath: string, overrides: RaOverrides = {}): Promise<RunningRa> {
  const { loaded, warnings } = await loadCheckedRaConfig(configPath);
  const { config, baseDir } = loaded;
  for (const [name, url] of Object.entries(overrides.upstreamUrls ?? {})) {
    const u = config.ra?.upstreams[name];
    if (u) u.url = url;
  }
  const log = overrides.log ?? logLine;
  for (const w of warnings) log({ event: "config-warning", detail: w });
  const materials = loadRaMaterials(config, baseDir, loaded.path);
  const policy = raPolicyFromConfig(config, loaded.path);
  const tls = readTls(config, baseDir);
  const store = await openStore(resolveStoreUrl(config.store, baseDir));
  try {
    const ra = new RegistrationAuthority({
      policy,
      materials,
      store,
      send: raUpstreams(policy, baseDir),
      hook: configuredHook(config),
      log,
    });
    const host = overrides.host ?? config.server.host;
    const port = overrides.port ?? config.server.port;
    applyDecodeLimits(config);
    const server = await startHttpServer({
      host,
      port,
      tls,
      requestTimeoutMs: config.server.requestTimeout,
      connections: connectionLimits(config),
      onError: (e) => log({ event: "http-error", detail: e instanceof Error ? e.message : String(e) }),
      mounts: [
        ...cmpMounts((der, ctx) => ra.handle(der, ctx), {
          maxRequestBytes: config.server.maxRequestBytes,
          discovery: () => ra.discovery(),
        }),
        ...(overrides.mounts ?? []),
      ],
    }).catch((e: unknown) => {
      throw listenError(e, host, port);
    });
    const stopRetrier = startRetrier(ra, retryInterval(policy), log);
    return {
      url: `${server.baseUrl}${WELL_KNOWN_CMP}`,
      baseUrl: server.baseUrl,
      port: server.port,
      ra,
      store,
      close: async () => {
        await stopRetrier();
        await server.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
