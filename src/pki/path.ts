// Certification path validation (RFC 5280 §6.1): builds the path from the target to a configured trust
// anchor, then runs basic certificate processing, preparation for the next certificate and wrap-up.
import { getBasicConstraints, getExtKeyUsage } from "./extensions.js";
import { nameToString } from "./names.js";
import { buildChain, signedBy } from "./path/build.js";
import {
  checkAuthorityKeyId,
  checkCertificate,
  checkCritical,
  checkIssuerRole,
  checkValidity,
  isSelfIssued,
  subjectOf,
} from "./path/certificate.js";
import { NameConstraintsState } from "./path/name-constraints.js";
import { PolicyState } from "./path/policy.js";
import { checkCrls } from "./path/crl-check.js";
import { PathValidationError, type CertEntry, type PathOptions } from "./path/types.js";

export {
  certEntry,
  certificatePublicKey,
  PathValidationError,
  retainCertEntry,
  type CertEntry,
  type PathFailure,
  type PathOptions,
} from "./path/types.js";

/** §6.1.4 (l)(m): max_path_length, decremented for every non-self-issued CA certificate. */
function checkPathLength(e: CertEntry, remaining: number, selfIssued: boolean): number {
  if (!selfIssued) {
    if (remaining <= 0) {
      throw new PathValidationError(
        "pathLength",
        `CA certificate "${subjectOf(e)}" exceeds the pathLenConstraint of a CA above it`,
      );
    }
    remaining--;
  }
  const pathLen = getBasicConstraints(e.cert)?.pathLenConstraint;
  return pathLen !== undefined ? Math.min(remaining, pathLen) : remaining;
}

/** The trust anchor as §6.1.1 (d) input, its own constraints applied as RFC 5937 describes. */
function anchorState(anchor: CertEntry, opts: PathOptions, time: Date, n: number) {
  checkIssuerRole(anchor, {
    ...opts,
    requireSubjectKeyIdentifier: false,
    requireCriticalBasicConstraints: false,
  });
  checkValidity(anchor, time);
  const names = new NameConstraintsState();
  let maxPathLength = n;
  if (opts.anchorConstraints ?? true) {
    checkCritical(anchor);
    names.add(anchor);
    const pathLen = getBasicConstraints(anchor.cert)?.pathLenConstraint;
    if (pathLen !== undefined) maxPathLength = Math.min(maxPathLength, pathLen);
  }
  return { names, maxPathLength };
}

function checkRequiredEku(target: CertEntry, eku: string | undefined): void {
  if (eku && !getExtKeyUsage(target.cert)?.includes(eku)) {
    throw new PathValidationError(
      "extKeyUsage",
      `certificate "${subjectOf(target)}" lacks extended key usage ${eku}`,
    );
  }
}

/**
 * Runs §6.1.2-§6.1.5 over `path` (certificate issued by the anchor first, target last).
 */
function processPath(path: CertEntry[], anchor: CertEntry, opts: PathOptions, time: Date): void {
  const n = path.length;
  const state = anchorState(anchor, opts, time, n);
  const policy = new PolicyState(n, opts);
  if (opts.anchorConstraints ?? true) policy.prepare(anchor, 0, true);
  let maxPathLength = state.maxPathLength;
  for (let i = 1; i <= n; i++) {
    const e = path[i - 1]!;
    const selfIssued = isSelfIssued(e);
    checkCertificate(e, time); // (a)(2), (o), §4.1, §4.2
    if (opts.requireAuthorityKeyIdentifier) checkAuthorityKeyId(e, selfIssued && signedBy(e, e), opts);
    state.names.check(e, !(selfIssued && i < n)); // (b)(c)
    policy.process(e, i, n, selfIssued); // (d)(e)(f)
    if (i === n) break;
    policy.prepare(e, i, selfIssued); // §6.1.4 (a)(b)(h)(i)(j)
    state.names.add(e); // (g)
    checkIssuerRole(e, opts); // (k)(n)
    maxPathLength = checkPathLength(e, maxPathLength, selfIssued); // (l)(m)
  }
  policy.wrapUp(path[n - 1]!, n);
}

/**
 * Builds and validates the path from `target` to one of the trust anchors. Returns the chain
 * target first, anchor last. Certificates that are not anchors are never trusted, self-signed or not.
 */
export async function validatePath(target: CertEntry, opts: PathOptions): Promise<CertEntry[]> {
  const time = opts.time ?? new Date();
  const chain = buildChain(target, opts.anchors, opts.intermediates ?? [], opts.maxLength ?? 8);
  checkRequiredEku(target, opts.requiredEku);
  if (chain.length === 1) {
    checkCertificate(target, time); // the target is itself an anchor
    return chain;
  }
  const anchor = chain[chain.length - 1]!;
  processPath(chain.slice(0, -1).reverse(), anchor, opts, time);
  await checkRevocation(chain.slice(0, -1), opts);
  if (opts.crls) checkCrls(chain, opts.crls, time, opts.crlCheckAll ?? false);
  return chain;
}

async function checkRevocation(entries: CertEntry[], opts: PathOptions): Promise<void> {
  if (!opts.isRevoked) return;
  for (const e of entries) {
    if (await opts.isRevoked(e)) {
      throw new PathValidationError(
        "revoked",
        `certificate "${nameToString(e.cert.tbsCertificate.subject)}" is revoked`,
      );
    }
  }
}
