// Certification path building and validation (RFC 5280 §6, the parts a CMP PKI relies on):
// chain to a configured trust anchor, signatures, validity, CA constraints, key usage, critical extensions.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { importPublicKeySpki, verify, UnsupportedAlgorithmError, type PublicKey } from "../crypto/index.js";
import { parseCrl, type ParsedCrl } from "./crl.js";
import { firstChild } from "./der.js";
import {
  getCrlDistributionPoints,
  getAuthorityKeyIdentifier,
  getBasicConstraints,
  getExtKeyUsage,
  getKeyUsage,
  getSubjectKeyIdentifier,
  UNDERSTOOD_CRITICAL,
} from "./extensions.js";
import { nameToString, namesEqual } from "./names.js";
import { serialHex } from "./certificate.js";

export type PathFailure =
  | "untrusted"
  | "expired"
  | "notYetValid"
  | "badSignature"
  | "notCA"
  | "keyUsage"
  | "pathLength"
  | "criticalExtension"
  | "extKeyUsage"
  | "revoked"
  | "crlUnavailable"
  | "crlInvalid"
  | "unsupportedAlgorithm";

export class PathValidationError extends Error {
  override readonly name = "PathValidationError";
  constructor(
    readonly reason: PathFailure,
    message: string,
  ) {
    super(message);
  }
}

/** A parsed certificate with the exact DER it came from (signatures are checked over these bytes). */
export interface CertEntry {
  cert: Certificate;
  der: Uint8Array;
}

// Parsing a certificate is costly next to verifying it; the same few CA and signer certificates
// arrive with every message, so parsed entries are kept by their DER (bounded).
const parsed = new Map<string, CertEntry>();
const PARSED_MAX = 512;

export function certEntry(input: Uint8Array | Certificate): CertEntry {
  if (input instanceof Uint8Array) {
    const key = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("base64");
    let e = parsed.get(key);
    if (!e) {
      e = { cert: AsnParser.parse(input, Certificate), der: input };
      if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value!);
      parsed.set(key, e);
    }
    return e;
  }
  return { cert: input, der: new Uint8Array(AsnSerializer.serialize(input)) };
}

export interface PathOptions {
  anchors: readonly CertEntry[];
  intermediates?: readonly CertEntry[];
  time?: Date;
  /** Required extended key usage in the target certificate (e.g. id-kp-cmKGA); anyExtendedKeyUsage does not satisfy it. */
  requiredEku?: string;
  /** Revocation check for each non-anchor certificate of the chain. */
  isRevoked?: (entry: CertEntry) => boolean | Promise<boolean>;
  /**
   * CRLs (DER) to check the target against (every non-anchor certificate with crlCheckAll); a
   * certificate without a usable CRL of its issuer fails with "crlUnavailable" (RFC 5280 §6.3).
   */
  crls?: readonly Uint8Array[];
  crlCheckAll?: boolean;
  maxLength?: number;
}

function same(a: CertEntry, b: CertEntry): boolean {
  return Buffer.from(a.der).equals(Buffer.from(b.der));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

const keyCache = new WeakMap<Certificate, PublicKey>();
/** The subject public key of a certificate, imported once per parsed certificate. */
export function certificatePublicKey(cert: Certificate): PublicKey {
  let k = keyCache.get(cert);
  if (!k) {
    k = importPublicKeySpki(
      new Uint8Array(AsnSerializer.serialize(cert.tbsCertificate.subjectPublicKeyInfo)),
    );
    keyCache.set(cert, k);
  }
  return k;
}

function signedBy(child: CertEntry, issuer: CertEntry): boolean {
  try {
    const key = certificatePublicKey(issuer.cert);
    return verify(
      child.cert.signatureAlgorithm,
      key,
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

function candidateIssuers(child: CertEntry, pool: readonly CertEntry[]): CertEntry[] {
  const aki = getAuthorityKeyIdentifier(child.cert);
  return pool.filter((c) => {
    if (!namesEqual(c.cert.tbsCertificate.subject, child.cert.tbsCertificate.issuer)) return false;
    const ski = aki ? getSubjectKeyIdentifier(c.cert) : undefined;
    return !(aki && ski && !bytesEqual(aki, ski));
  });
}

function checkValidity(e: CertEntry, time: Date): void {
  const v = e.cert.tbsCertificate.validity;
  const subject = nameToString(e.cert.tbsCertificate.subject);
  if (time < v.notBefore.getTime()) {
    throw new PathValidationError(
      "notYetValid",
      `certificate "${subject}" is not valid before ${v.notBefore.getTime().toISOString()}`,
    );
  }
  if (time > v.notAfter.getTime()) {
    throw new PathValidationError(
      "expired",
      `certificate "${subject}" expired at ${v.notAfter.getTime().toISOString()}`,
    );
  }
}

function checkCritical(e: CertEntry): void {
  for (const x of e.cert.tbsCertificate.extensions ?? []) {
    if (x.critical && !UNDERSTOOD_CRITICAL.has(x.extnID)) {
      throw new PathValidationError(
        "criticalExtension",
        `certificate "${nameToString(e.cert.tbsCertificate.subject)}" has an unknown critical extension ${x.extnID}`,
      );
    }
  }
}

function checkIssuer(issuer: CertEntry, below: number): void {
  const subject = nameToString(issuer.cert.tbsCertificate.subject);
  const bc = getBasicConstraints(issuer.cert);
  if (!bc?.cA) throw new PathValidationError("notCA", `issuer "${subject}" is not a CA certificate`);
  const ku = getKeyUsage(issuer.cert);
  if (ku && !ku.includes("keyCertSign")) {
    throw new PathValidationError(
      "keyUsage",
      `issuer "${subject}" may not sign certificates (keyUsage lacks keyCertSign)`,
    );
  }
  if (bc.pathLenConstraint !== undefined && below > bc.pathLenConstraint) {
    throw new PathValidationError(
      "pathLength",
      `issuer "${subject}" allows ${bc.pathLenConstraint} CA certificates below it`,
    );
  }
}

/**
 * Builds and validates the path from `target` to one of the trust anchors. Returns the chain
 * target first, anchor last. Certificates that are not anchors are never trusted, self-signed or not.
 */
export async function validatePath(target: CertEntry, opts: PathOptions): Promise<CertEntry[]> {
  const time = opts.time ?? new Date();
  const maxLength = opts.maxLength ?? 8;
  const chain: CertEntry[] = [target];
  checkValidity(target, time);
  checkCritical(target);
  if (opts.requiredEku) {
    const eku = getExtKeyUsage(target.cert);
    if (!eku?.includes(opts.requiredEku)) {
      throw new PathValidationError(
        "extKeyUsage",
        `certificate "${nameToString(target.cert.tbsCertificate.subject)}" lacks extended key usage ${opts.requiredEku}`,
      );
    }
  }
  let current = target;
  if (opts.anchors.some((a) => same(a, target))) return chain;
  for (let depth = 0; depth < maxLength; depth++) {
    const anchor = candidateIssuers(current, opts.anchors).find((a) => signedBy(current, a));
    if (anchor) {
      checkIssuer(anchor, depth);
      checkValidity(anchor, time);
      chain.push(anchor);
      await checkRevocation(chain.slice(0, -1), opts);
      if (opts.crls) checkCrls(chain, opts.crls, time, opts.crlCheckAll ?? false);
      return chain;
    }
    const next = candidateIssuers(current, opts.intermediates ?? []).find(
      (c) => !chain.some((x) => same(x, c)) && signedBy(current, c),
    );
    if (!next) break;
    checkIssuer(next, depth);
    checkValidity(next, time);
    checkCritical(next);
    chain.push(next);
    current = next;
  }
  throw new PathValidationError(
    "untrusted",
    `no path from "${nameToString(target.cert.tbsCertificate.subject)}" to a trusted anchor ` +
      `(issuer "${nameToString(current.cert.tbsCertificate.issuer)}" not found or signature invalid)`,
  );
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

/**
 * RFC 10007: a CRL is accepted only from an issuer whose certificate has keyUsage with cRLSign; the
 * signature must verify with that key (RFC 5280 §6.3.3 (f), (g)).
 */
function checkCrlSigner(crl: ParsedCrl, issuer: CertEntry): void {
  const who = nameToString(issuer.cert.tbsCertificate.subject);
  const ku = getKeyUsage(issuer.cert);
  if (!ku || !ku.includes("crlSign")) {
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

function checkCrls(chain: CertEntry[], ders: readonly Uint8Array[], time: Date, all: boolean): void {
  const crls = ders.map((d) => parseCrl(d));
  const last = all ? chain.length - 1 : 1;
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
    for (const c of usable) checkCrlSigner(c, issuer);
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
