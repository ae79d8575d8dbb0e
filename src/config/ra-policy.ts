// Maps the `ra` section onto the RA's typed policy (src/ra/policy.ts): route defaults resolved once,
// durations in milliseconds; and reads the RA's keys and certificates (src/ra/types.ts RaMaterials).
import { LOCAL_GENM, type RaPolicy, type RaRoute, type UpstreamPolicy } from "../ra/policy.js";
import type { RaMaterials, UpstreamMaterials } from "../ra/types.js";
import { ConfigError, resolvePath, resolveSecret } from "./load.js";
import { loadSharedSecrets, readCertificates, readPrivateKey } from "./materials.js";
import type { RaSection } from "./ra-schema.js";
import type { ConfigDocument } from "./schema.js";

type RouteEntry = RaSection["defaults"];

const ALL_REQUESTERS = ["mac", "external", "issued", "ra"] as const;

/** RFC 9483 §5.2.3: kur keeps the EE's protection (forwarded as is or nested), never re-protected. */
const PRESERVING_MODES = ["forward", "nest", "batch"];

export function requireRa(config: ConfigDocument, path?: string): RaSection {
  if (!config.ra) {
    throw new ConfigError(
      `${path ?? "the configuration"} has no "ra" section; \`lwcmp ra serve\` needs one (see docs/ra.md)`,
    );
  }
  return config.ra;
}

function route(ra: RaSection, bodyType: string, entries: (RouteEntry | undefined)[]): RaRoute {
  const pick = <K extends keyof RouteEntry>(k: K): RouteEntry[K] | undefined =>
    entries.find((e) => e?.[k] !== undefined)?.[k];
  const names = Object.keys(ra.upstreams);
  const defaultMode = bodyType === "kur" ? "forward" : "reprotect";
  return {
    mode: pick("mode") ?? defaultMode,
    upstream: pick("upstream") ?? names[0]!,
    requesters: pick("requesters") ?? ALL_REQUESTERS,
    hook: pick("hook") ?? false,
    approval: pick("approval") ?? false,
  };
}

function upstreamPolicy(name: string, u: RaSection["upstreams"][string]): UpstreamPolicy {
  return {
    name,
    url: u.url,
    transfer: u.transfer,
    profile: u.profile,
    recipient: u.recipient,
    timeoutMs: u.timeout,
    retry: {
      initialDelayMs: u.retry.initialDelay,
      maxDelayMs: u.retry.maxDelay,
      giveUpAfterMs: u.retry.giveUpAfter,
    },
    batch: { maxMessages: u.batch.maxMessages, maxWaitMs: u.batch.maxWait },
  };
}

export function raPolicyFromConfig(config: ConfigDocument, path?: string): RaPolicy {
  const ra = requireRa(config, path);
  const upstreams = new Map(Object.entries(ra.upstreams).map(([n, u]) => [n, upstreamPolicy(n, u)]));
  const profiles = Object.keys(ra.profiles).length > 0 ? ra.profiles : { [ra.defaultProfile]: {} };
  return {
    defaultProfile: ra.defaultProfile,
    profileNames: () => Object.keys(profiles),
    forRequest(profile, bodyType, infoType) {
      const p = profiles[profile];
      if (!p) return undefined;
      const own = infoType ? p[`genm:${infoType}`] : undefined;
      return route(ra, bodyType, [own, p[bodyType], p.default, ra.defaults]);
    },
    upstream: (name) => upstreams.get(name),
    upstreams: () => [...upstreams.values()],
    transactions: {
      messageTimeSkewMs: ra.policy.messageTimeSkew,
      pollIntervalMs: ra.policy.pollInterval,
      transactionWaitMs: ra.policy.transactionWait,
      approvalWaitMs: ra.policy.approvalWait,
      genmCacheMs: ra.policy.genmCache,
    },
    maxMacIterations: ra.policy.maxMacIterations,
    kga: ra.kga ? { keyType: ra.kga.keyType, passwordKeyWrap: ra.kga.passwordKeyWrap } : undefined,
    strict: config.policy.strict,
  };
}

/** Problems of the routes beyond the schema: unknown upstreams, kur re-protected (RFC 9483 §5.2.3). */
export function raRouteProblems(ra: RaSection): string[] {
  const problems: string[] = [];
  const check = (where: string, bodyType: string, e: RouteEntry) => {
    if (e.upstream !== undefined && !(e.upstream in ra.upstreams)) {
      problems.push(
        `${where}.upstream: no upstream "${e.upstream}" (known: ${Object.keys(ra.upstreams).join(", ")})`,
      );
    }
    if (bodyType === "kur" && e.mode !== undefined && !PRESERVING_MODES.includes(e.mode)) {
      problems.push(
        `${where}.mode: kur keeps the end entity's protection (RFC 9483 §5.2.3): use forward, nest or batch, not ${e.mode}`,
      );
    }
    if (e.mode === "local" && !(bodyType.startsWith("genm:") && bodyType.slice(5) in LOCAL_GENM)) {
      problems.push(
        `${where}.mode: the RA answers only these genm types itself: ${Object.keys(LOCAL_GENM)
          .map((o) => `genm:${o}`)
          .join(", ")} (caCerts, rootCaCert, certReqTemplate, crlStatusList)`,
      );
    }
  };
  if (Object.keys(ra.upstreams).length === 0) problems.push("ra.upstreams: name at least one upstream");
  check("ra.defaults", "default", ra.defaults);
  for (const [p, routes] of Object.entries(ra.profiles)) {
    for (const [k, e] of Object.entries(routes)) check(`ra.profiles.${p}.${k}`, k, e);
  }
  return problems;
}

function upstreamMaterials(baseDir: string, u: RaSection["upstreams"][string]): UpstreamMaterials {
  const p = (x: string) => resolvePath(baseDir, x);
  return {
    anchors: u.trust.flatMap((f) => readCertificates(p(f))),
    serverCert: u.serverCertificate ? readCertificates(p(u.serverCertificate))[0] : undefined,
    mac: u.mac ? { kid: u.mac.kid, secret: resolveSecret(baseDir, u.mac.secret) } : undefined,
  };
}

/** The RA's keys and certificates, read from the files the `ra` section names. */
export function loadRaMaterials(config: ConfigDocument, baseDir: string, path?: string): RaMaterials {
  const ra = requireRa(config, path);
  const p = (x: string) => resolvePath(baseDir, x);
  const certs = (files: readonly string[]) => files.flatMap((f) => readCertificates(p(f)));
  const signerCerts = readCertificates(p(ra.signer.certificate));
  const secrets = loadSharedSecrets(config, baseDir);
  const signerChain = [...signerCerts.slice(1), ...certs(ra.signer.chain)];
  const kgaCerts = ra.kga ? readCertificates(p(ra.kga.certificate)) : [];
  const kga = ra.kga
    ? {
        cert: kgaCerts[0]!,
        key: readPrivateKey(p(ra.kga.key)),
        chain: [...kgaCerts.slice(1), ...signerChain].map((c) => c.der),
      }
    : undefined;
  return {
    signer: {
      cert: signerCerts[0]!,
      key: readPrivateKey(p(ra.signer.key)),
      chain: signerChain,
    },
    kga,
    issuingAnchors: certs(ra.trust.issuing),
    externalAnchors: certs(ra.trust.external),
    raCerts: certs(ra.trust.ras),
    secrets,
    upstreams: new Map(Object.entries(ra.upstreams).map(([n, u]) => [n, upstreamMaterials(baseDir, u)])),
  };
}
