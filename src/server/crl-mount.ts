// Downloads on the CA's listener: GET /crl/<ca>.crl (or /crl/<ca>-<shard>.crl), the latest stored CRL
// (RFC 5280 §5, application/pkix-crl) with HTTP caching headers, and GET /ca/<ca>.crt, the CA certificate.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CrlPublisher } from "../ca/crl/publisher.js";
import { HttpError, requestPath, type Mount } from "../transport/http-router.js";

function onlyGet(req: IncomingMessage): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    throw new HttpError(405, "only GET and HEAD are served here", { Allow: "GET, HEAD" });
  }
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  body: Uint8Array,
  headers: Record<string, string>,
): void {
  const etag = headers.ETag;
  if (etag && req.headers["if-none-match"] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, "Content-Length": String(body.length) });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** The shard a download path names, or undefined when it is not one of this CA's CRLs. */
function shardOfPath(path: string, pub: CrlPublisher): number | undefined {
  for (let s = 0; s < pub.shards; s++) if (pub.path(s) === path) return s;
  return undefined;
}

export interface DownloadOptions {
  publisher: CrlPublisher;
  caCertificate: Uint8Array;
  now?: () => Date;
}

export function downloadMounts(o: DownloadOptions): Mount[] {
  const now = o.now ?? (() => new Date());
  const certPath = `/ca/${o.publisher.name}.crt`;
  return [
    {
      prefix: "/crl",
      handle: async (req, res) => {
        onlyGet(req);
        const shard = shardOfPath(requestPath(req), o.publisher);
        if (shard === undefined) throw new HttpError(404, `no CRL is published at ${requestPath(req)}`);
        const t = now();
        const crl = await o.publisher.current(shard, t);
        // Caches may keep it until the next scheduled publication, never beyond nextUpdate.
        const until = Math.min(
          crl.nextUpdate.getTime(),
          crl.createdAt.getTime() + o.publisher.policy.intervalMs,
        );
        send(req, res, crl.der, {
          "Content-Type": "application/pkix-crl",
          "Cache-Control": `public, max-age=${Math.max(0, Math.floor((until - t.getTime()) / 1000))}`,
          Expires: crl.nextUpdate.toUTCString(),
          "Last-Modified": crl.thisUpdate.toUTCString(),
          ETag: `"${o.publisher.name}-${shard}-${crl.crlNumber}"`,
        });
      },
    },
    {
      prefix: "/ca",
      handle: (req, res) => {
        onlyGet(req);
        if (requestPath(req) !== certPath)
          throw new HttpError(404, `no certificate is published at ${requestPath(req)}`);
        send(req, res, o.caCertificate, {
          "Content-Type": "application/pkix-cert",
          "Cache-Control": "public, max-age=3600",
        });
      },
    },
  ];
}
