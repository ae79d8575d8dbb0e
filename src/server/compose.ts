// Composition root: configuration -> store -> CA -> HTTP router with its mounts on one listener.
import { readFileSync } from "node:fs";
import { CertificateAuthority } from "../ca/authority.js";
import { ConfigCheckError, checkLoadedConfig } from "../config/check.js";
import { ConfigError, loadConfig, requireCa, resolvePath, type LoadedConfig } from "../config/load.js";
import { loadCaMaterials } from "../config/materials.js";
import type { ConfigDocument } from "../config/schema.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import { startHttpServer, type Mount } from "../transport/http-router.js";
import { cmpMounts } from "../transport/http-server.js";
import { WELL_KNOWN_CMP } from "../transport/paths.js";
import { logLine, type LogEvent } from "./log.js";
import { startSweeper, sweepInterval } from "./sweeper.js";

export interface ServerOverrides {
  port?: number;
  host?: string;
  log?: (e: LogEvent) => void;
  /** Further mounts on the same listener (CRL download, OCSP, ...); CMP keeps /.well-known/cmp and "/". */
  mounts?: readonly Mount[];
}

/** The listener could not be opened (port in use, address not available, no permission). */
export class ListenError extends Error {
  override readonly name = "ListenError";
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  if (code === "EADDRINUSE") {
    return new ListenError(
      `cannot listen on ${where}: the port is in use; stop the other server or choose another port (--port or server.port)`,
      code,
    );
  }
  if (code === "EACCES") {
    return new ListenError(
      `cannot listen on ${where}: permission denied; choose a port above 1023 (--port or server.port)`,
      code,
    );
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return new ListenError(
      `cannot listen on ${where}: no such local address; check --host or server.host`,
      code,
    );
  }
  return e;
}

export interface RunningServer {
  /** The CMP endpoint: http(s)://host:port/.well-known/cmp */
  url: string;
  /** http(s)://host:port */
  baseUrl: string;
  port: number;
  ca: CertificateAuthority;
  store: Store;
  close(): Promise<void>;
}

/** The store URL with a relative SQLite path resolved against the configuration's folder. */
export function resolveStoreUrl(store: string, baseDir: string): string {
  if (store.startsWith("sqlite:") && !store.startsWith("sqlite::memory:")) {
    return `sqlite:${resolvePath(baseDir, store.slice(7))}`;
  }
  return store;
}

/** Opens the store a configuration file names (for approvals and other offline work). */
export async function openConfiguredStore(configPath: string): Promise<Store> {
  const { config, baseDir } = loadConfig(configPath);
  return openStore(resolveStoreUrl(config.store, baseDir));
}

function readTls(config: ConfigDocument, baseDir: string): { cert: string; key: string } | undefined {
  const tls = config.server.tls;
  if (!tls) return undefined;
  return {
    cert: readFileSync(resolvePath(baseDir, tls.certificate), "utf8"),
    key: readFileSync(resolvePath(baseDir, tls.key), "utf8"),
  };
}

/** Runs the CA a configuration file describes: CMP over HTTP(S) plus the housekeeping sweeper. */
export async function startServer(
  configPath: string,
  overrides: ServerOverrides = {},
): Promise<RunningServer> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(configPath);
  } catch (e) {
    throw e instanceof ConfigError ? new ConfigCheckError(configPath, e.problems) : e;
  }
  const config = requireCa(loaded.config, loaded.path);
  // The whole check first, so that a bad file is refused at start-up and never per request.
  const report = await checkLoadedConfig(loaded);
  if (report.problems.length > 0) throw new ConfigCheckError(configPath, report.problems);
  const log = overrides.log ?? logLine;
  for (const w of report.warnings) log({ event: "config-warning", detail: w });
  const materials = loadCaMaterials(config, loaded.baseDir, loaded.path);
  const tls = readTls(config, loaded.baseDir);
  const store = await openStore(resolveStoreUrl(config.store, loaded.baseDir));
  try {
    const ca = new CertificateAuthority({ config, materials, store, log });
    const host = overrides.host ?? config.server.host;
    const port = overrides.port ?? config.server.port;
    const server = await startHttpServer({
      host,
      port,
      tls,
      requestTimeoutMs: config.server.requestTimeout,
      onError: (e) => log({ event: "http-error", detail: e instanceof Error ? e.message : String(e) }),
      mounts: [
        ...cmpMounts((der, ctx) => ca.handle(der, ctx), {
          maxRequestBytes: config.server.maxRequestBytes,
          discovery: () => ca.discovery(),
        }),
        ...(overrides.mounts ?? []),
      ],
    }).catch((e: unknown) => {
      throw listenError(e, host, port);
    });
    const stopSweeper = startSweeper(ca, sweepInterval(config.policy.confirmWaitTime), log);
    return {
      url: `${server.baseUrl}${WELL_KNOWN_CMP}`,
      baseUrl: server.baseUrl,
      port: server.port,
      ca,
      store,
      close: async () => {
        stopSweeper();
        await server.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
