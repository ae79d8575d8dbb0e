// The RA's upstream transport as configured: CMP over HTTP(S) to each upstream's URL (RFC 9483 §6.1),
// with the upstream's per-request timeout; and the materials of `lwcmp ra enroll / revoke`.
import type { SendFunction } from "../cmp/client/types.js";
import { loadConfig, resolvePath } from "../config/load.js";
import { loadRaMaterials, raPolicyFromConfig } from "../config/ra-policy.js";
import type { ActingOptions } from "../ra/on-behalf.js";
import type { RaPolicy } from "../ra/policy.js";
import type { UpstreamSend } from "../ra/types.js";
import { fileExchange } from "../transport/file-transfer.js";
import { postCmp } from "../transport/http-client.js";
import { cmpPath, WELL_KNOWN_CMP } from "../transport/paths.js";

/** Sends to the named upstream; the path names the upstream's profile (or `profile`) and the operation. */
export function upstreamHttpSend(policy: RaPolicy, name: string, profile?: string): SendFunction {
  const u = policy.upstream(name);
  if (!u)
    throw new Error(
      `no upstream "${name}" (known: ${policy
        .upstreams()
        .map((x) => x.name)
        .join(", ")})`,
    );
  const url = u.url;
  if (!url) throw new Error(`upstream "${name}" is reached by file transfer only; this needs one with a url`);
  return (der, operation) =>
    postCmp(upstreamUrl(url, u.profile ?? profile, operation), der, { timeoutMs: u.timeoutMs });
}

/**
 * The upstream URL of one message: a URL ending in /.well-known/cmp gets the RFC 9483 §6.1 segments
 * (/p/<profile>/<operation>); a URL with another path is used as it is.
 */
export function upstreamUrl(base: string, profile: string | undefined, operation: string): string {
  const u = new URL(base);
  const path = u.pathname.replace(/\/$/, "");
  if (path === "" || path === WELL_KNOWN_CMP) u.pathname = cmpPath(profile, operation);
  return u.toString();
}

/**
 * Every upstream as configured: over HTTP(S) (the upstream's profile, else the EE's, in the path), or
 * through its transfer folder (RFC 9483 §6.4, resolved against `baseDir`), where a missing answer
 * means "not reachable yet" and the RA holds the message.
 */
export function raUpstreams(policy: RaPolicy, baseDir = "."): UpstreamSend {
  return async (name, der, info) => {
    const u = policy.upstream(name);
    if (!u) throw new Error(`no upstream "${name}"`);
    if (u.transfer) return fileExchange(resolvePath(baseDir, u.transfer), der);
    return postCmp(upstreamUrl(u.url!, u.profile ?? info.profile, info.operation), der, {
      timeoutMs: u.timeoutMs,
    });
  };
}

/** What `lwcmp ra enroll` and `lwcmp ra revoke` act with: the RA's signer towards one upstream. */
export function actingFromConfig(
  configPath: string,
  o: { upstream?: string; profile?: string },
): ActingOptions {
  const { config, baseDir, path } = loadConfig(configPath);
  const policy = raPolicyFromConfig(config, path);
  const materials = loadRaMaterials(config, baseDir, path);
  const name = o.upstream ?? policy.upstreams()[0]!.name;
  const send = upstreamHttpSend(policy, name, o.profile);
  return {
    materials,
    upstream: materials.upstreams.get(name)!,
    send,
    recipient: policy.upstream(name)!.recipient,
    profile: o.profile,
  };
}
