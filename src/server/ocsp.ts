// The OCSP responder in the server: the responder from the configuration, its HTTP mount below /ocsp
// (RFC 6960 Appendix A: GET with the base64 request in the path, POST application/ocsp-request; RFC 9919
// §6 caching headers), the pre-production timer, and `lwcmp ocsp serve`.
import type { IncomingMessage, ServerResponse } from "node:http";
import { resolvePath, ConfigError } from "../config/load.js";
import { readCertificates, readPrivateKey } from "../config/materials.js";
import { ocspPolicyFromConfig } from "../config/policy.js";
import type { ConfigDocument } from "../config/schema.js";
import { OcspResponder, responseEtag, type OcspAnswer } from "../ocsp/responder.js";
import type { OcspStore } from "../store/store.js";
import { HttpError, readBody, type Mount } from "../transport/http-router.js";
import type { LogEvent } from "./log.js";

export const OCSP_PATH = "/ocsp";
const MAX_REQUEST_BYTES = 16 * 1024;

/** The responder a configuration's `ocsp` section describes; undefined without one. */
export function ocspResponderFromConfig(
  config: ConfigDocument,
  baseDir: string,
  store: OcspStore,
  now?: () => Date,
): OcspResponder | undefined {
  const policy = ocspPolicyFromConfig(config);
  if (!policy || !config.ocsp) return undefined;
  if (!config.ca)
    throw new ConfigError("the ocsp section needs the ca section (the CA certificate it answers for)");
  const p = (x: string) => resolvePath(baseDir, x);
  const issuer = readCertificates(p(config.ca.certificate))[0]!;
  const r = config.ocsp.responder;
  const signer = r
    ? { cert: readCertificates(p(r.certificate))[0]!, key: readPrivateKey(p(r.key)) }
    : { cert: issuer, key: readPrivateKey(p(config.ca.key)) };
  return new OcspResponder({ issuer, signer, store, policy, now });
}

function httpDate(d: Date): string {
  return d.toUTCString();
}

/** RFC 9919 §6: max-age never beyond nextUpdate, plus Expires, Last-Modified and ETag for caches. */
export function cachingHeaders(a: OcspAnswer, now: Date): Record<string, string> {
  if (a.status !== "successful" || !a.nextUpdate || !a.producedAt) return { "Cache-Control": "no-store" };
  const maxAge = Math.max(0, Math.floor((a.nextUpdate.getTime() - now.getTime()) / 1000));
  return {
    "Cache-Control": `max-age=${maxAge}, public, no-transform, must-revalidate`,
    ETag: responseEtag(a.der),
    "Last-Modified": httpDate(a.producedAt),
    Expires: httpDate(a.nextUpdate),
  };
}

/** The DER request of a GET: the rest of the path, URL-decoded base64 (RFC 6960 Appendix A.1). */
function getRequestDer(url: string): Uint8Array {
  const q = url.indexOf("?");
  const rest = (q < 0 ? url : url.slice(0, q)).slice(OCSP_PATH.length + 1);
  let text: string;
  try {
    text = decodeURIComponent(rest);
  } catch {
    throw new HttpError(400, "the path is not a URL-encoded base64 OCSP request");
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new HttpError(400, "the path is not base64");
  return new Uint8Array(Buffer.from(text, "base64"));
}

async function requestDer(req: IncomingMessage, signal: AbortSignal): Promise<Uint8Array> {
  if (req.method === "GET") return getRequestDer(req.url ?? "");
  if (req.method !== "POST") throw new HttpError(405, "OCSP takes GET or POST", { Allow: "GET, POST" });
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/ocsp-request") {
    throw new HttpError(415, "the request media type must be application/ocsp-request");
  }
  return readBody(req, MAX_REQUEST_BYTES, signal);
}

/** The /ocsp mount: a lookup per request, 304 when the client's ETag is current. */
export function ocspMount(responder: OcspResponder, now: () => Date = () => new Date()): Mount {
  return {
    prefix: OCSP_PATH,
    handle: async (req: IncomingMessage, res: ServerResponse, signal: AbortSignal) => {
      const der = await requestDer(req, signal);
      const answer = await responder.answer(der);
      const headers = cachingHeaders(answer, now());
      if (headers.ETag && req.headers["if-none-match"] === headers.ETag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      res.writeHead(200, {
        "Content-Type": "application/ocsp-response",
        "Content-Length": String(answer.der.length),
        ...headers,
      });
      res.end(answer.der);
    },
  };
}

/** How often the timer looks for due responses: a quarter of the refresh interval, 1 s to 1 min. */
export function ocspTimerInterval(refreshMs: number): number {
  return Math.min(60_000, Math.max(1000, refreshMs / 4));
}

/**
 * A pacer for `OcspResponder.refresh` that keeps the refresh to `share` of the thread's time: once the
 * responses signed since the last pause took `sliceMs`, it pauses long enough for other work (the CA's
 * requests on the same event loop) to get the rest. A refresh of thousands of responses (a restart with
 * many certificates, post-quantum signatures) then delays requests by a bounded factor instead of
 * holding them for its whole length.
 */
export function dutyCyclePacer(share = 0.5, sliceMs = 20): (workMs: number) => Promise<void> {
  let work = 0;
  return (workMs) => {
    work += workMs;
    if (work < sliceMs) return Promise.resolve();
    const pause = (work * (1 - share)) / share;
    work = 0;
    return new Promise((r) => setTimeout(r, pause));
  };
}

/** Pre-produces now and then on a timer; the returned function stops it. The timer never holds the process. */
export function startOcspRefresh(
  responder: OcspResponder,
  everyMs: number,
  log: (e: LogEvent) => void,
): { stop: () => void; first: Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const stop = new Error("stopped");
  const run = () => {
    const pacer = dutyCyclePacer();
    // Stopping ends a refresh under way at its next response (what it signed is stored).
    const pace = (ms: number) => (stopped ? Promise.reject(stop) : pacer(ms));
    running = running
      .then(() => responder.refresh(pace))
      .then((n) => (n > 0 ? log({ event: "ocsp-refreshed", detail: `${n} responses signed` }) : undefined))
      .catch((e: unknown) =>
        e === stop ? undefined : log({ event: "ocsp-refresh-failed", detail: String(e) }),
      );
    return running;
  };
  const first = run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
    first,
  };
}
