// Revocation checking with CRLs for a validated path (RFC 5280 §6.3): the issuer's current CRL must be
// signed by a certificate asserting cRLSign (RFC 10007) and must not list the certificate.
import { verify } from "../../crypto/index.js";
import { serialHex } from "../certificate.js";
import { parseCrl, type ParsedCrl } from "../crl.js";
import { getCrlDistributionPoints, getKeyUsage } from "../extensions.js";
import { nameToString, namesEqual } from "../names.js";
import { certificatePublicKey, PathValidationError, type CertEntry } from "./types.js";

/**
 * RFC 10007 and RFC 5280 §6.3.3 (f), (g): the CRL issuer asserts cRLSign and its key verifies the CRL.
 * A trust anchor is trust-anchor information, not a certificate under the profile (§6.1.1 (d)): one
 * without any keyUsage extension may sign CRLs; one whose keyUsage lacks cRLSign may not.
 */
function checkCrlSigner(crl: ParsedCrl, issuer: CertEntry, isAnchor: boolean): void {
  const who = nameToString(issuer.cert.tbsCertificate.subject);
  const ku = getKeyUsage(issuer.cert);
  if (ku ? !ku.includes("crlSign") : !isAnchor) {
    throw new PathValidationError(
      "crlInvalid",
      `the CRL of "${who}" is refused: its certificate does not assert cRLSign in keyUsage (RFC 10007)`,
    );
  }
  let ok: boolean;
  try {
    ok = verify(crl.signatureAlgorithm, certificatePublicKey(issuer.cert), crl.tbs, crl.signature);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new PathValidationError("crlInvalid", `the signature of the CRL of "${who}" does not verify`);
}

/** Whether a CRL covers the certificate: its partition (issuingDistributionPoint) is one the certificate names. */
function covers(crl: ParsedCrl, e: CertEntry): boolean {
  if (!crl.distributionPoint?.length) return true;
  const cdp = getCrlDistributionPoints(e.cert);
  return crl.distributionPoint.some((u) => cdp.includes(u));
}

/** Checks `chain` (target first, anchor last) against the CRLs: the target only, or every certificate. */
export function checkCrls(
  chain: readonly CertEntry[],
  ders: readonly Uint8Array[],
  time: Date,
  all: boolean,
): void {
  const crls = ders.map((d) => parseCrl(d));
  const last = all ? chain.length - 1 : Math.min(1, chain.length - 1);
  for (let i = 0; i < last; i++) {
    const e = chain[i]!;
    const issuer = chain[i + 1]!;
    const subject = nameToString(e.cert.tbsCertificate.subject);
    const usable = crls.filter(
      (c) =>
        namesEqual(c.issuer, issuer.cert.tbsCertificate.subject) &&
        c.unknownCritical.length === 0 &&
        covers(c, e),
    );
    for (const c of usable) checkCrlSigner(c, issuer, i + 1 === chain.length - 1);
    const current = usable.filter((c) => c.thisUpdate <= time && (!c.nextUpdate || c.nextUpdate >= time));
    if (current.length === 0) {
      throw new PathValidationError(
        "crlUnavailable",
        `no current CRL of "${nameToString(issuer.cert.tbsCertificate.subject)}" to check "${subject}"`,
      );
    }
    const serial = serialHex(e.cert.tbsCertificate.serialNumber);
    const hit = current.find((c) => c.revoked.has(serial))?.revoked.get(serial);
    if (hit && hit.revocationTime <= time) {
      throw new PathValidationError(
        "revoked",
        `certificate "${subject}" (serial ${serial}) is revoked since ${hit.revocationTime.toISOString()}`,
      );
    }
  }
}
