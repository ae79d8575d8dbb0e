// CMP over HTTP(S) client side (RFC 9811): POST a DER PKIMessage, return the DER answer.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { CMP_CONTENT_TYPE } from "./http-server.js";
import { cmpPath } from "./paths.js";

export interface CmpHttpClientOptions {
  timeoutMs?: number;
  maxResponseBytes?: number;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
}

export class CmpTransportError extends Error {
  override readonly name = "CmpTransportError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgents = new Map<string, HttpsAgent>();

function httpsAgentFor(tls: CmpHttpClientOptions["tls"] = {}): HttpsAgent {
  const key = JSON.stringify(tls);
  let agent = httpsAgents.get(key);
  if (!agent) {
    agent = new HttpsAgent({ keepAlive: true, ...tls });
    httpsAgents.set(key, agent);
  }
  return agent;
}

/** Base URL plus the RFC 9483 §6.1 path: base may be "http://host:port" or already end in a path. */
export function cmpUrl(base: string, profile?: string, operation?: string): string {
  const u = new URL(base);
  if (u.pathname === "/" || u.pathname === "") u.pathname = cmpPath(profile, operation);
  return u.toString();
}

export async function postCmp(
  url: string,
  der: Uint8Array,
  opts: CmpHttpClientOptions = {},
): Promise<Uint8Array> {
  try {
    return await postOnce(url, der, opts);
  } catch (e) {
    // A connection the server dropped before answering (a kept-alive socket it closed meanwhile, or a
    // single-threaded server still busy with the old one) is tried once more on a fresh connection. A
    // request that did arrive twice is refused by the server's senderNonce replay check, never processed twice.
    if (e instanceof StaleSocketError) return postOnce(url, der, opts, true);
    throw e;
  }
}

class StaleSocketError extends Error {}

function postOnce(
  url: string,
  der: Uint8Array,
  opts: CmpHttpClientOptions,
  freshSocket = false,
): Promise<Uint8Array> {
  const u = new URL(url);
  const secure = u.protocol === "https:";
  if (!secure && u.protocol !== "http:") {
    return Promise.reject(new CmpTransportError(`unsupported URL scheme ${u.protocol}`));
  }
  const limit = opts.maxResponseBytes ?? 16 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = (secure ? httpsRequest : httpRequest)(
      u,
      {
        method: "POST",
        agent: freshSocket
          ? secure
            ? new HttpsAgent({ ...opts.tls })
            : false
          : secure
            ? httpsAgentFor(opts.tls)
            : httpAgent,
        headers: { "Content-Type": CMP_CONTENT_TYPE, "Content-Length": der.length, Accept: CMP_CONTENT_TYPE },
      },
      (res: IncomingMessage) => {
        responded = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > limit) {
            req.destroy(new CmpTransportError(`response larger than ${limit} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          const type = (res.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
          // RFC 9811 §3.3: a CMP body is meaningful whatever the HTTP status.
          if (type === CMP_CONTENT_TYPE && body.length > 0) {
            resolve(new Uint8Array(body));
            return;
          }
          const text = type.startsWith("text/") ? `: ${body.toString("utf8").trim().slice(0, 200)}` : "";
          reject(
            new CmpTransportError(`HTTP ${res.statusCode} without a CMP message${text}`, res.statusCode),
          );
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new CmpTransportError(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (!freshSocket && !responded && (e.code === "ECONNRESET" || e.message === "socket hang up")) {
        reject(new StaleSocketError(e.message));
        return;
      }
      reject(
        e instanceof CmpTransportError ? e : new CmpTransportError(`cannot reach ${u.host}: ${e.message}`),
      );
    });
    req.end(der);
  });
}
