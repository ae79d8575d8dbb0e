// CMP over HTTP(S) server side (RFC 9811, RFC 9483 §6.1): moves DER between HTTP and a CMP handler.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { CMP_OPERATIONS, parseCmpPath, WELL_KNOWN_CMP } from "./paths.js";

export const CMP_CONTENT_TYPE = "application/pkixcmp";

export interface CmpRequestContext {
  profile?: string;
  operation?: string;
  remoteAddress?: string;
  tls: boolean;
  signal: AbortSignal;
}
export type CmpHandler = (request: Uint8Array, ctx: CmpRequestContext) => Promise<Uint8Array>;

export interface CmpHttpServerOptions {
  host?: string;
  port?: number;
  maxRequestBytes?: number;
  requestTimeoutMs?: number;
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  /** JSON body for GET /.well-known/cmp: the offered profiles and operations. */
  discovery?: () => unknown;
  /** Operation names accepted in paths (default: RFC 9483 §6.1 list). */
  operations?: readonly string[];
  onError?: (err: unknown) => void;
}

export interface CmpHttpServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

class TooLarge extends Error {}
class HandlerTimeout extends Error {}
class ClientGone extends Error {}

class BodyTimeout extends Error {}

function readBody(req: IncomingMessage, limit: number, signal: AbortSignal): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    // A body dribbling in (slowloris) must not hold the socket beyond the request's time budget.
    signal.addEventListener("abort", () => reject(new BodyTimeout()), { once: true });
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new TooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners("data");
        reject(new TooLarge());
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

function plain(
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

export async function startCmpHttpServer(
  handler: CmpHandler,
  opts: CmpHttpServerOptions = {},
): Promise<CmpHttpServer> {
  const maxBytes = opts.maxRequestBytes ?? 1024 * 1024;
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  const operations = opts.operations ?? CMP_OPERATIONS;
  const tls = !!opts.tls;

  const listener = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = parseCmpPath(url.pathname, operations);
      if (!path) {
        plain(res, 404, "not a CMP endpoint; CMP is served below /.well-known/cmp");
        return;
      }
      if (req.method === "GET" && !path.operation) {
        const body = JSON.stringify(opts.discovery ? opts.discovery() : { operations }, null, 2);
        res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache" });
        res.end(body);
        return;
      }
      if (req.method !== "POST") {
        plain(res, 405, "CMP requests use POST (RFC 9811)", { Allow: path.operation ? "POST" : "GET, POST" });
        return;
      }
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
      if (type !== CMP_CONTENT_TYPE) {
        plain(res, 415, `Content-Type must be ${CMP_CONTENT_TYPE}`);
        return;
      }
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new HandlerTimeout("request timeout")), timeoutMs);
      // A client that hangs up while the handler works lets the handler stop early through ctx.signal.
      res.on("close", () => {
        if (!res.writableFinished) controller.abort(new ClientGone("client closed the connection"));
      });
      try {
        const body = await readBody(req, maxBytes, controller.signal);
        const answer = await Promise.race([
          handler(body, {
            profile: path.profile,
            operation: path.operation,
            remoteAddress: req.socket.remoteAddress,
            tls,
            signal: controller.signal,
          }),
          new Promise<never>((_, reject) =>
            controller.signal.addEventListener("abort", () => reject(controller.signal.reason), {
              once: true,
            }),
          ),
        ]);
        res.writeHead(200, {
          "Content-Type": CMP_CONTENT_TYPE,
          "Content-Length": String(answer.length),
          "Cache-Control": "no-cache",
        });
        res.end(answer);
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      if (e instanceof TooLarge) {
        plain(res, 413, `request larger than ${maxBytes} bytes`, { Connection: "close" });
        req.socket.end();
        return;
      }
      if (e instanceof BodyTimeout) {
        plain(res, 408, "the request body did not arrive in time", { Connection: "close" });
        req.socket.end();
        return;
      }
      if (e instanceof HandlerTimeout) {
        plain(res, 503, "the request took too long", { "Retry-After": "5" });
        return;
      }
      if (e instanceof ClientGone) return;
      opts.onError?.(e);
      plain(res, 500, "internal error");
    }
  };

  const server: Server = opts.tls
    ? createHttpsServer(
        { cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca, requestCert: opts.tls.requestCert },
        listener,
      )
    : createHttpServer(listener);
  // Slow clients (headers or body dribbling in) are cut off rather than holding sockets forever.
  server.headersTimeout = Math.min(timeoutMs, 20_000);
  server.requestTimeout = timeoutMs + 1000;
  server.keepAliveTimeout = 5000;
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
    url: `${tls ? "https" : "http"}://${shownHost}:${port}${WELL_KNOWN_CMP}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
