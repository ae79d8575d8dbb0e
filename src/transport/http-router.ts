// One HTTP(S) listener routing requests to mounts by path prefix (longest wins), so CMP, CRL download,
// OCSP, EST and a web UI can share a port. Owns per-request time budgets, slow-client limits and 404/500.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";

/** Handles one request below its prefix; `signal` aborts at the request's time budget or when the client leaves. */
export type MountHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  signal: AbortSignal,
) => Promise<void> | void;

export interface Mount {
  /** Path prefix: "/a/b" serves "/a/b" and "/a/b/..."; "/" serves every path. */
  prefix: string;
  /** Serve the prefix itself only, not the paths below it. */
  exact?: boolean;
  handle: MountHandler;
}

export interface HttpServerOptions {
  host?: string;
  port?: number;
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  /** Time budget of one request, body and processing included (default 30 s). */
  requestTimeoutMs?: number;
  mounts: readonly Mount[];
  /** Unexpected failures of a mount (answered with 500). */
  onError?: (err: unknown) => void;
  /** Connection limits against clients that hold sockets (defaults: CONNECTION_LIMIT_DEFAULTS). */
  connections?: Partial<ConnectionLimits>;
}

/** Bounds on the sockets of one listener. */
export interface ConnectionLimits {
  /** Concurrent connections; further ones are refused (node server.maxConnections). */
  maxConnections: number;
  /** Time for a client to send the complete request headers (node server.headersTimeout). */
  headersTimeoutMs: number;
  /** Time an idle keep-alive connection is kept after an answer (node server.keepAliveTimeout). */
  keepAliveTimeoutMs: number;
  /** A connection with no request under way and no data for this long is closed. */
  idleTimeoutMs: number;
}

export const CONNECTION_LIMIT_DEFAULTS: Readonly<ConnectionLimits> = {
  maxConnections: 1024,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
};

export interface HttpServer {
  /** Scheme, host and port, without a path: http://127.0.0.1:8080 */
  readonly baseUrl: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** A failure a mount answers with a plain-text HTTP status instead of its own body. */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Close the connection after the answer (the rest of the request body is not read). */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

/** Abort reason when a request's time budget is spent. */
export class RequestTimeout extends Error {
  override readonly name = "RequestTimeout";
}
/** Abort reason (and rejection) when the client closed the connection before the answer. */
export class ClientGone extends Error {
  override readonly name = "ClientGone";
}

/** The request's path without query, "/" when absent. */
export function requestPath(req: IncomingMessage): string {
  return new URL(req.url ?? "/", "http://localhost").pathname;
}

/** Reads a request body of at most `limit` bytes: 413 beyond, 408 when the time budget ends first. */
export function readBody(req: IncomingMessage, limit: number, signal: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // A body dribbling in (slowloris) must not hold the socket beyond the request's time budget.
    const onAbort = () =>
      reject(
        signal.reason instanceof ClientGone
          ? signal.reason
          : new HttpError(408, "the request body did not arrive in time", { Connection: "close" }, true),
      );
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    const tooLarge = () =>
      new HttpError(413, `request larger than ${limit} bytes`, { Connection: "close" }, true);
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners("data");
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new ClientGone("client closed the connection mid-request"));
    });
  });
}

/** A short plain-text answer; a response already under way is cut off instead. */
export function sendPlain(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(`${text}\n`);
}

function matches(m: Mount, path: string): boolean {
  if (m.exact) return path === m.prefix;
  if (m.prefix === "/") return true;
  const p = m.prefix.replace(/\/$/, "");
  return path === p || path.startsWith(`${p}/`);
}

/** The mount with the longest matching prefix; an exact mount beats a prefix mount of the same length. */
export function findMount(mounts: readonly Mount[], path: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    if (!matches(m, path)) continue;
    if (!best || m.prefix.length > best.prefix.length || (m.prefix.length === best.prefix.length && m.exact))
      best = m;
  }
  return best;
}

/** Sockets with a request under way; the idle timeout leaves them to the request's time budget. */
const busy = new WeakMap<Socket, number>();

function listener(opts: HttpServerOptions, timeoutMs: number) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once("close", () => busy.set(socket, (busy.get(socket) ?? 1) - 1));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new RequestTimeout("request timeout")), timeoutMs);
    // A client that hangs up while a mount works lets the mount stop early through the signal.
    res.on("close", () => {
      clearTimeout(timer);
      if (!res.writableFinished) controller.abort(new ClientGone("client closed the connection"));
    });
    try {
      const mount = findMount(opts.mounts, requestPath(req));
      if (!mount) throw new HttpError(404, "nothing is served at this path; CMP is below /.well-known/cmp");
      await mount.handle(req, res, controller.signal);
    } catch (e) {
      if (e instanceof HttpError) {
        sendPlain(res, e.status, e.message, e.headers);
        if (e.closeConnection) req.socket.end();
        return;
      }
      if (e instanceof ClientGone) return;
      opts.onError?.(e);
      sendPlain(res, 500, "internal error");
    } finally {
      clearTimeout(timer);
    }
  };
}

function applyConnectionLimits(server: Server, limits: ConnectionLimits, timeoutMs: number): void {
  // Slow clients (headers or body dribbling in) are cut off rather than holding sockets forever.
  server.headersTimeout = Math.min(timeoutMs, limits.headersTimeoutMs);
  server.requestTimeout = timeoutMs + 1000;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // A socket that sends nothing at all never starts a request, so no request timer covers it: node's
  // socket inactivity timeout closes it, except while a request on it is being processed.
  server.timeout = limits.idleTimeoutMs;
  server.on("timeout", (socket: Socket) => {
    if (!busy.get(socket)) socket.destroy();
  });
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServer> {
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  const handle = listener(opts, timeoutMs);
  const limits = { ...CONNECTION_LIMIT_DEFAULTS, ...opts.connections };
  const common = { connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) };
  const server: Server = opts.tls
    ? createHttpsServer(
        {
          ...common,
          cert: opts.tls.cert,
          key: opts.tls.key,
          ca: opts.tls.ca,
          requestCert: opts.tls.requestCert,
          handshakeTimeout: limits.headersTimeoutMs,
        },
        handle,
      )
    : createHttpServer(common, handle);
  applyConnectionLimits(server, limits, timeoutMs);
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    baseUrl: `${opts.tls ? "https" : "http"}://${shownHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
