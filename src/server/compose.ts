// Composition root: configuration -> store -> CA -> HTTP router with its mounts (CMP, CRL and CA
// certificate downloads) on one listener; the sweeper and the CRL publication timer.
import { readFileSync } from "node:fs";
import { CertificateAuthority } from "../ca/authority.js";
import type { OcspResponder } from "../ocsp/responder.js";
import { CrlPublisher } from "../ca/crl/publisher.js";
import { caPolicyFromConfig } from "../config/policy.js";
import { ConfigCheckError, checkLoadedConfig } from "../config/check.js";
import { ConfigError, loadConfig, requireCa, resolvePath, type LoadedConfig } from "../config/load.js";
import { loadCaMaterials } from "../config/materials.js";
import type { Config, ConfigDocument } from "../config/schema.js";
import { openStore } from "../store/open.js";
import type { Store } from "../store/store.js";
import { startHttpServer, type ConnectionLimits, type Mount } from "../transport/http-router.js";
import { setDecodeLimits } from "../cmp/message.js";
import { setCertCacheLimits } from "../pki/path/types.js";
import { cmpMounts } from "../transport/http-server.js";
import { WELL_KNOWN_CMP } from "../transport/paths.js";
import { logLine, type LogEvent } from "./log.js";
import {
  OCSP_PATH,
  ocspMount,
  ocspResponderFromConfig,
  ocspTimerInterval,
  startOcspRefresh,
} from "./ocsp.js";
import { startSweeper, sweepInterval } from "./sweeper.js";
import { downloadMounts } from "./crl-mount.js";
import { crlTickInterval, startCrlTimer, type CrlTimer } from "./crl-timer.js";

export interface ServerOverrides {
  port?: number;
  host?: string;
  log?: (e: LogEvent) => void;
  /** Further mounts on the same listener (CRL download, OCSP, ...); CMP keeps /.well-known/cmp and "/". */
  mounts?: readonly Mount[];
  /**
   * Whether this process pre-produces OCSP responses on the timer (default true). Of the workers of
   * `lwcmp serve --workers N` one does; the others answer from the store and sign only what is missing.
   */
  ocspRefresh?: boolean;
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

/** One clear line for the usual reasons a listen fails. */
export function listenError(e: unknown, host: string, port: number): unknown {
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
  /** The CA's CRL publication: publish(now), current(shard, now). */
  crl: CrlPublisher;
  store: Store;
  /** The OCSP responder below /ocsp when the configuration has an `ocsp` section. */
  ocsp?: OcspResponder;
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

export function readTls(config: ConfigDocument, baseDir: string): { cert: string; key: string } | undefined {
  const tls = config.server.tls;
  if (!tls) return undefined;
  return {
    cert: readFileSync(resolvePath(baseDir, tls.certificate), "utf8"),
    key: readFileSync(resolvePath(baseDir, tls.key), "utf8"),
  };
}

/** Runs the CA a configuration file describes: CMP over HTTP(S) plus the housekeeping sweeper. */
/**
 * Loads the configuration and runs the whole check of `lwcmp config check`, so that a bad file is
 * refused at start-up and never per request; throws ConfigCheckError with one line per problem.
 */
export async function loadCheckedConfig(
  configPath: string,
): Promise<{ loaded: LoadedConfig; config: Config; warnings: readonly string[] }> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(configPath);
  } catch (e) {
    throw e instanceof ConfigError ? new ConfigCheckError(configPath, e.problems) : e;
  }
  const config = requireCa(loaded.config, loaded.path);
  const report = await checkLoadedConfig(loaded);
  if (report.problems.length > 0) throw new ConfigCheckError(configPath, report.problems);
  return { loaded, config, warnings: report.warnings };
}

export async function startServer(
  configPath: string,
  overrides: ServerOverrides = {},
): Promise<RunningServer> {
  const { loaded, config, warnings } = await loadCheckedConfig(configPath);
  const log = overrides.log ?? logLine;
  for (const w of warnings) log({ event: "config-warning", detail: w });
  const materials = loadCaMaterials(config, loaded.baseDir, loaded.path);
  const tls = readTls(config, loaded.baseDir);
  const store = await openStore(resolveStoreUrl(config.store, loaded.baseDir));
  try {
    const publisher = new CrlPublisher({ materials, policy: caPolicyFromConfig(config), store, log });
    const crlTimer: { current?: CrlTimer } = {};
    const caLog = (e: LogEvent) => {
      log(e);
      if (e.event.endsWith("revoked")) crlTimer.current?.kick();
    };
    const ca = new CertificateAuthority({ config, materials, store, log: caLog });
    const ocsp = ocspResponderFromConfig(config, loaded.baseDir, store);
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
        ...cmpMounts((der, ctx) => ca.handle(der, ctx), {
          maxRequestBytes: config.server.maxRequestBytes,
          discovery: () => ca.discovery(),
        }),
        ...(ocsp ? [ocspMount(ocsp)] : []),
        ...(overrides.mounts ?? []),
        ...downloadMounts({ publisher, caCertificate: materials.caCert.der }),
      ],
    }).catch((e: unknown) => {
      throw listenError(e, host, port);
    });
    const stopSweeper = startSweeper(ca, sweepInterval(config.policy.confirmWaitTime), log);
    const refresh =
      ocsp && overrides.ocspRefresh !== false
        ? startOcspRefresh(ocsp, ocspTimerInterval(config.ocsp!.refreshInterval), log)
        : undefined;
    crlTimer.current = startCrlTimer(publisher, crlTickInterval(publisher), log);
    return {
      url: `${server.baseUrl}${WELL_KNOWN_CMP}`,
      baseUrl: server.baseUrl,
      port: server.port,
      ca,
      crl: publisher,
      store,
      ocsp,
      close: async () => {
        stopSweeper();
        refresh?.stop();
        await refresh?.first;
        crlTimer.current?.stop();
        await server.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

export interface RunningOcspServer {
  /** The responder URL: http(s)://host:port/ocsp */
  url: string;
  port: number;
  responder: OcspResponder;
  store: Store;
  close(): Promise<void>;
}

/** The server section's connection limits, for the listener (docs/security.md "Resource limits"). */
export function connectionLimits(config: Pick<Config, "server">): ConnectionLimits {
  const l = config.server.limits;
  return {
    maxConnections: l.maxConnections,
    headersTimeoutMs: l.headersTimeout,
    keepAliveTimeoutMs: l.keepAliveTimeout,
    idleTimeoutMs: l.idleTimeout,
  };
}

/** The server section's limits on received messages and on the parsed-certificate cache. */
export function applyDecodeLimits(config: Pick<Config, "server">): void {
  const l = config.server.limits;
  setDecodeLimits({
    maxExtraCerts: l.maxExtraCerts,
    maxExtraCertsBytes: l.maxExtraCertsBytes,
    maxNodes: l.maxAsn1Nodes,
  });
  setCertCacheLimits({ entries: l.certCacheEntries, bytes: l.certCacheBytes });
}

/** Runs only the OCSP responder of a configuration (`lwcmp ocsp serve`), on the server section's listener. */
export async function startOcspServer(
  configPath: string,
  overrides: Omit<ServerOverrides, "mounts"> = {},
): Promise<RunningOcspServer> {
  const { config, baseDir, path } = loadConfig(configPath);
  if (!config.ocsp) throw new ConfigError(`${path} has no ocsp section`);
  const log = overrides.log ?? logLine;
  const store = await openStore(resolveStoreUrl(config.store, baseDir));
  try {
    const responder = ocspResponderFromConfig(config, baseDir, store)!;
    const server = await startHttpServer({
      host: overrides.host ?? config.server.host,
      port: overrides.port ?? config.server.port,
      tls: readTls(config, baseDir),
      requestTimeoutMs: config.server.requestTimeout,
      connections: connectionLimits(config),
      onError: (e) => log({ event: "http-error", detail: e instanceof Error ? e.message : String(e) }),
      mounts: [ocspMount(responder)],
    });
    const refresh = startOcspRefresh(responder, ocspTimerInterval(config.ocsp.refreshInterval), log);
    return {
      url: `${server.baseUrl}${OCSP_PATH}`,
      port: server.port,
      responder,
      store,
      close: async () => {
        refresh.stop();
        await refresh.first;
        await server.close();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
