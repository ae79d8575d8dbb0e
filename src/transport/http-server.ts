// CMP over HTTP(S) server side (RFC 9811, RFC 9483 §6.1): the CMP mount that moves DER between HTTP and
// a CMP handler, and a server with that mount alone.
import type { IncomingMessage, ServerResponse } from "node:http";
import { TLSSocket } from "node:tls";
import {
  ClientGone,
  HttpError,
  readBody,
  requestPath,
  RequestTimeout,
  startHttpServer,
  type HttpServer,
  type HttpServerOptions,
  type Mount,
  type MountHandler,
} from "./http-router.js";
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

export interface CmpMountOptions {
  maxRequestBytes?: number;
  /** JSON body for GET /.well-known/cmp: the offered profiles and operations. */
  discovery?: () => unknown;
  /** Operation names accepted in paths (default: RFC 9483 §6.1 list). */
  operations?: readonly string[];
}

/** A CMP-only listener: the router's listener options (without mounts) and the CMP mount's. */
export type CmpHttpServerOptions = CmpMountOptions & Omit<HttpServerOptions, "mounts">;

export interface CmpHttpServer extends Omit<HttpServer, "baseUrl"> {
  /** The CMP endpoint: base URL + /.well-known/cmp */
  readonly url: string;
}

/** Runs the handler, giving up when the request's signal aborts (time budget or client gone). */
function race(work: Promise<Uint8Array>, signal: AbortSignal): Promise<Uint8Array> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      const stop = () => {
        const why: unknown = signal.reason;
        if (why instanceof RequestTimeout)
          reject(new HttpError(503, "the request took too long", { "Retry-After": "5" }));
        else reject(why instanceof ClientGone ? why : new ClientGone(String(why)));
      };
      if (signal.aborted) stop();
      else signal.addEventListener("abort", stop, { once: true });
    }),
  ]);
}

/** The CMP endpoint as a mount: POST of application/pkixcmp (RFC 9811), GET discovery, RFC 9483 §6.1 paths. */
export function cmpMount(handler: CmpHandler, opts: CmpMountOptions = {}): MountHandler {
  const maxBytes = opts.maxRequestBytes ?? 1024 * 1024;
  const operations = opts.operations ?? CMP_OPERATIONS;
  return async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal) => {
    const path = parseCmpPath(requestPath(req), operations);
    if (!path) throw new HttpError(404, "not a CMP endpoint; CMP is served below /.well-known/cmp");
    if (req.method === "GET" && !path.operation) {
      const body = JSON.stringify(opts.discovery ? opts.discovery() : { operations }, null, 2);
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache" });
      res.end(body);
      return;
    }
    if (req.method !== "POST") {
      const allow = path.operation ? "POST" : "GET, POST";
      throw new HttpError(405, "CMP requests use POST (RFC 9811)", { Allow: allow });
    }
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== CMP_CONTENT_TYPE) throw new HttpError(415, `Content-Type must be ${CMP_CONTENT_TYPE}`);
    const body = await readBody(req, maxBytes, signal);
    const answer = await race(
      handler(body, {
        profile: path.profile,
        operation: path.operation,
        remoteAddress: req.socket.remoteAddress,
        tls: req.socket instanceof TLSSocket,
        signal,
      }),
      signal,
    );
    res.writeHead(200, {
      "Content-Type": CMP_CONTENT_TYPE,
      "Content-Length": String(answer.length),
      "Cache-Control": "no-cache",
    });
    res.end(answer);
  };
}

/** The CMP mount at /.well-known/cmp and at "/" (clients such as `openssl cmp` post there without a path). */
export function cmpMounts(handler: CmpHandler, opts: CmpMountOptions = {}): Mount[] {
  const handle = cmpMount(handler, opts);
  return [
    { prefix: WELL_KNOWN_CMP, handle },
    { prefix: "/", exact: true, handle },
  ];
}

/** A listener serving CMP alone. */
export async function startCmpHttpServer(
  handler: CmpHandler,
  opts: CmpHttpServerOptions = {},
): Promise<CmpHttpServer> {
  const s = await startHttpServer({
    host: opts.host,
    port: opts.port,
    tls: opts.tls,
    requestTimeoutMs: opts.requestTimeoutMs,
    onError: opts.onError,
    connections: opts.connections,
    mounts: cmpMounts(handler, opts),
  });
  return { url: `${s.baseUrl}${WELL_KNOWN_CMP}`, port: s.port, server: s.server, close: () => s.close() };
}
