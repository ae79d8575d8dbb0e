// Checks of one certificate of a path on its own: encoding rules of the profile (RFC 5280 §4.1, §4.2),
// validity (§6.1.3 (a)(2)), critical extensions (§6.1.4 (o)), and the CA / key usage consistency rules.
import { id_ce_basicConstraints } from "@peculiar/asn1-x509";
import { children, readTlv } from "../der.js";
import {
  getAuthorityKeyIdentifier,
  getBasicConstraints,
  getKeyUsage,
  getSubjectKeyIdentifier,
  UNDERSTOOD_CRITICAL,
} from "../extensions.js";
import { nameToString, namesMatch } from "../names.js";
import { PathValidationError, type CertEntry, type PathOptions } from "./types.js";

export function subjectOf(e: CertEntry): string {
  return nameToString(e.cert.tbsCertificate.subject);
}

/** Self-issued: subject and issuer are the same name (§6.1, "self-issued certificates"). */
export function isSelfIssued(e: CertEntry): boolean {
  return namesMatch(e.cert.tbsCertificate.subject, e.cert.tbsCertificate.issuer);
}

export function checkValidity(e: CertEntry, time: Date): void {
  const v = e.cert.tbsCertificate.validity;
  if (time < v.notBefore.getTime()) {
    throw new PathValidationError(
      "notYetValid",
      `certificate "${subjectOf(e)}" is not valid before ${v.notBefore.getTime().toISOString()}`,
    );
  }
  if (time > v.notAfter.getTime()) {
    throw new PathValidationError(
      "expired",
      `certificate "${subjectOf(e)}" expired at ${v.notAfter.getTime().toISOString()}`,
    );
  }
}

const UTC_TIME = /^\d{12}Z$/;
const GENERALIZED_TIME = /^\d{14}Z$/;

/**
 * RFC 5280 §4.1.2.5.1/§4.1.2.5.2: UTCTime YYMMDDHHMMSSZ, GeneralizedTime YYYYMMDDHHMMSSZ (seconds
 * present, Zulu, no fractional seconds). Read from the DER, the parsed Date hides the encoding.
 */
function checkTimeEncoding(e: CertEntry): void {
  const outer = readTlv(e.der, 0);
  const tbs = readTlv(e.der, outer.contentStart, outer.end);
  const fields = children(e.der, tbs);
  const validity = fields[fields[0]?.tag === 0xa0 ? 4 : 3];
  if (!validity || validity.tag !== 0x30) throw bad(e, "has no validity field");
  for (const t of children(e.der, validity)) {
    const text = Buffer.from(e.der.subarray(t.contentStart, t.end)).toString("latin1");
    const ok = t.tag === 0x17 ? UTC_TIME.test(text) : t.tag === 0x18 && GENERALIZED_TIME.test(text);
    if (!ok) throw bad(e, `has a validity time "${text}" not encoded as RFC 5280 §4.1.2.5 requires`);
  }
}

function bad(e: CertEntry, what: string): PathValidationError {
  return new PathValidationError("malformed", `certificate "${subjectOf(e)}" ${what}`);
}

/** §4.1.2.1 version, §4.1.2.2 serialNumber, §4.2 one instance per extension. */
function checkEncoding(e: CertEntry): void {
  const tbs = e.cert.tbsCertificate;
  const exts = tbs.extensions ?? [];
  if (exts.length && tbs.version !== 2) throw bad(e, "carries extensions but is not version 3");
  const serial = new Uint8Array(tbs.serialNumber);
  if (serial.length === 0 || (serial[0]! & 0x80) !== 0) throw bad(e, "has a negative serialNumber");
  const magnitude = serial[0] === 0 ? serial.subarray(1) : serial;
  if (magnitude.every((b) => b === 0)) throw bad(e, "has serialNumber zero");
  if (serial.length > 20) throw bad(e, "has a serialNumber longer than 20 octets");
  const seen = new Set<string>();
  for (const x of exts) {
    if (seen.has(x.extnID)) throw bad(e, `contains extension ${x.extnID} more than once`);
    seen.add(x.extnID);
  }
  checkTimeEncoding(e);
}

/** §6.1.4 (o): every critical extension must be recognised and processed. */
export function checkCritical(e: CertEntry): void {
  for (const x of e.cert.tbsCertificate.extensions ?? []) {
    if (x.critical && !UNDERSTOOD_CRITICAL.has(x.extnID)) {
      throw new PathValidationError(
        "criticalExtension",
        `certificate "${subjectOf(e)}" has an unknown critical extension ${x.extnID}`,
      );
    }
  }
}

/** §4.2.1.3: keyCertSign asserted requires cA asserted, in every certificate. */
function checkKeyCertSign(e: CertEntry): void {
  if (getKeyUsage(e.cert)?.includes("keyCertSign") && !getBasicConstraints(e.cert)?.cA) {
    throw new PathValidationError(
      "keyUsage",
      `certificate "${subjectOf(e)}" asserts keyCertSign without basicConstraints cA (RFC 5280 §4.2.1.3)`,
    );
  }
}

/** Checks every certificate gets, whatever its place in the path. */
export function checkCertificate(e: CertEntry, time: Date): void {
  checkEncoding(e);
  checkValidity(e, time);
  checkCritical(e);
  checkKeyCertSign(e);
}

/** §6.1.4 (k)(n) and §4.2.1.9: a certificate that issues the next one must be a v3 CA certificate. */
export function checkIssuerRole(e: CertEntry, opts: PathOptions): void {
  const subject = subjectOf(e);
  if (e.cert.tbsCertificate.version !== 2) {
    throw new PathValidationError(
      "notCA",
      `issuer "${subject}" is a v1/v2 certificate, not a CA certificate`,
    );
  }
  const bc = getBasicConstraints(e.cert);
  if (!bc?.cA) throw new PathValidationError("notCA", `issuer "${subject}" is not a CA certificate`);
  const bcExt = e.cert.tbsCertificate.extensions?.find((x) => x.extnID === id_ce_basicConstraints);
  if ((opts.requireCriticalBasicConstraints ?? true) && !bcExt?.critical) {
    throw new PathValidationError(
      "notCA",
      `issuer "${subject}" has a non-critical basicConstraints (RFC 5280 §4.2.1.9)`,
    );
  }
  const ku = getKeyUsage(e.cert);
  if (ku && !ku.includes("keyCertSign")) {
    throw new PathValidationError(
      "keyUsage",
      `issuer "${subject}" may not sign certificates (keyUsage lacks keyCertSign)`,
    );
  }
  if ((opts.requireSubjectKeyIdentifier ?? true) && !getSubjectKeyIdentifier(e.cert)) {
    throw new PathValidationError(
      "keyIdentifier",
      `CA certificate "${subject}" has no subjectKeyIdentifier (RFC 5280 §4.2.1.2)`,
    );
  }
}

/** §4.2.1.1: authorityKeyIdentifier in every certificate that is not self-signed. */
export function checkAuthorityKeyId(e: CertEntry, selfSigned: boolean, opts: PathOptions): void {
  if (!opts.requireAuthorityKeyIdentifier || selfSigned) return;
  if (!getAuthorityKeyIdentifier(e.cert)) {
    throw new PathValidationError(
      "keyIdentifier",
      `certificate "${subjectOf(e)}" has no authorityKeyIdentifier (RFC 5280 §4.2.1.1)`,
    );
  }
}
