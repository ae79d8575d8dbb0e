// The RA's upstream transport as configured: CMP over HTTP(S) to each upstream's URL (RFC 9483 §6.1),
// with the upstream's per-request timeout; and the materials of `lwcmp ra enroll / revoke`.
import type { SendFunction } from "../cmp/client/types.js";
import { loadConfig } from "../config/load.js";
import { loadRaMaterials, raPolicyFromConfig } from "../config/ra-policy.js";
import type { ActingOptions } from "../ra/on-behalf.js";
import type { RaPolicy } from "../ra/policy.js";
import { cmpUrl, postCmp } from "../transport/http-client.js";

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
  if (!url) throw new Error(`upstream "${name}" has no url (file transfer only)`);
  return (der, operation) =>
    postCmp(cmpUrl(url, u.profile ?? profile, operation), der, { timeoutMs: u.timeoutMs });
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
