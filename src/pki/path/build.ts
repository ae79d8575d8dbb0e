// Path building: from the target up to a trust anchor by name chaining (RFC 5280 §6.1.3 (a)(4), names
// compared as §7.1 says), key identifiers as a hint, and signature verification (§6.1.3 (a)(1)).
import { verify, UnsupportedAlgorithmError } from "../../crypto/index.js";
import { firstChild } from "../der.js";
import { getAuthorityKeyIdentifier, getSubjectKeyIdentifier } from "../extensions.js";
import { nameToString, namesMatch } from "../names.js";
import { certificatePublicKey, PathValidationError, type CertEntry } from "./types.js";

export function same(a: CertEntry, b: CertEntry): boolean {
  return Buffer.from(a.der).equals(Buffer.from(b.der));
}

export function signedBy(child: CertEntry, issuer: CertEntry): boolean {
  try {
    return verify(
      child.cert.signatureAlgorithm,
      certificatePublicKey(issuer.cert),
      firstChild(child.der),
      new Uint8Array(child.cert.signatureValue),
    );
  } catch (e) {
    if (e instanceof UnsupportedAlgorithmError) {
      throw new PathValidationError(
        "unsupportedAlgorithm",
        `unsupported algorithm ${e.oid} in the certificate chain`,
      );
    }
    return false;
  }
}

/** Certificates of `pool` whose subject chains to the issuer of `child` (AKI/SKI, when both present, must agree). */
function candidateIssuers(child: CertEntry, pool: readonly CertEntry[]): CertEntry[] {
  const aki = getAuthorityKeyIdentifier(child.cert);
  return pool.filter((c) => {
    if (!namesMatch(c.cert.tbsCertificate.subject, child.cert.tbsCertificate.issuer)) return false;
    const ski = aki ? getSubjectKeyIdentifier(c.cert) : undefined;
    return !(aki && ski && !Buffer.from(aki).equals(Buffer.from(ski)));
  });
}

/**
 * The chain target first, anchor last. Throws "badSignature" when an issuer was found by name but
 * its key does not verify the signature, "untrusted" when no issuer was found.
 */
export function buildChain(
  target: CertEntry,
  anchors: readonly CertEntry[],
  intermediates: readonly CertEntry[],
  maxLength: number,
): CertEntry[] {
  const chain: CertEntry[] = [target];
  if (anchors.some((a) => same(a, target))) return chain;
  let current = target;
  let named = false;
  for (let depth = 0; depth < maxLength; depth++) {
    const anchorNames = candidateIssuers(current, anchors);
    const anchor = anchorNames.find((a) => signedBy(current, a));
    if (anchor) return [...chain, anchor];
    const names = candidateIssuers(current, intermediates).filter((c) => !chain.some((x) => same(x, c)));
    named = anchorNames.length + names.length > 0;
    const next = names.find((c) => signedBy(current, c));
    if (!next) break;
    named = false;
    chain.push(next);
    current = next;
  }
  const subject = nameToString(current.cert.tbsCertificate.subject);
  if (named) {
    throw new PathValidationError(
      "badSignature",
      `the signature of certificate "${subject}" does not verify with the key of its issuer`,
    );
  }
  throw new PathValidationError(
    "untrusted",
    `no path from "${nameToString(target.cert.tbsCertificate.subject)}" to a trusted anchor ` +
      `(issuer "${nameToString(current.cert.tbsCertificate.issuer)}" not found)`,
  );
}
