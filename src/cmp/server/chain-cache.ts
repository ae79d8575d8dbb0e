// Chains that authenticated before (RFC 9483 §3.5: the protection certificate validated against a trust
// source): a device sends the same certificate and chain in every message, so a chain validated once
// serves until its first certificate expires or a minute has passed; revocation is still asked every time.
import { createHash } from "node:crypto";
import type { CertEntry } from "../../pki/path.js";
import type { CredentialResolver, TrustSource } from "./types.js";

/** How long a validated chain is trusted without validating it again. */
const TTL_MS = 60_000;
/** Chains kept per trust source (least recently used out). */
const MAX_PER_SOURCE = 4096;

interface Entry {
  chain: CertEntry[];
  notBefore: number;
  notAfter: number;
  at: number;
}

const bySource = new WeakMap<TrustSource, Map<string, Entry>>();

/** The cache key of a target and the extraCerts that may serve as its intermediates (none: the target alone). */
export function chainKey(target: CertEntry, intermediates: readonly CertEntry[]): string {
  const h = createHash("sha256").update(target.der);
  for (const e of intermediates) h.update(e.der);
  return h.digest("hex");
}

/** The chain validated for `key` under `source` before, if it still holds at `now` (revocation asked). */
export async function cachedChain(
  source: TrustSource,
  key: string,
  now: Date,
  resolver: CredentialResolver,
): Promise<CertEntry[] | undefined> {
  const m = bySource.get(source);
  const e = m?.get(key);
  if (!e) return undefined;
  const t = now.getTime();
  if (t - e.at > TTL_MS || t < e.notBefore || t > e.notAfter) {
    m!.delete(key);
    return undefined;
  }
  if (source.checkRevocation) {
    for (const c of e.chain.slice(0, -1)) {
      if (await resolver.isRevoked(c)) {
        m!.delete(key);
        return undefined; // validated again, which names the revocation
      }
    }
  }
  m!.delete(key);
  m!.set(key, e);
  return e.chain;
}

/** Keeps a chain that just validated under `source`. */
export function keepChain(source: TrustSource, key: string, chain: CertEntry[], now: Date): void {
  let m = bySource.get(source);
  if (!m) bySource.set(source, (m = new Map()));
  const times = chain.map((c) => c.cert.tbsCertificate.validity);
  m.set(key, {
    chain,
    notBefore: Math.max(...times.map((v) => v.notBefore.getTime().getTime())),
    notAfter: Math.min(...times.map((v) => v.notAfter.getTime().getTime())),
    at: now.getTime(),
  });
  if (m.size > MAX_PER_SOURCE) m.delete(m.keys().next().value!);
}
