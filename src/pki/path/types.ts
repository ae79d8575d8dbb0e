// Path validation vocabulary: parsed certificate entries, failure reasons and the options of
// validatePath (RFC 5280 §6.1.1 inputs).
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { importPublicKeySpki, type PublicKey } from "../../crypto/index.js";
import { assertDer } from "../der.js";

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
  | "unsupportedAlgorithm"
  /** Not a conforming certificate: version, serialNumber, duplicate extension, time encoding (§4.1, §4.2). */
  | "malformed"
  /** authorityKeyIdentifier or subjectKeyIdentifier missing (§4.2.1.1, §4.2.1.2). */
  | "keyIdentifier"
  /** A name outside the permitted or inside the excluded subtrees, or a constraint that cannot be processed (§6.1.3 (b)(c)). */
  | "nameConstraints"
  /** No acceptable policy (§6.1.3 (f), §6.1.5 (g)) or an invalid policy mapping (§6.1.4 (a)). */
  | "policy"
  /** No current CRL of the issuer to check a certificate against (§6.3). */
  | "crlUnavailable"
  /** A CRL that cannot be trusted: its issuer lacks cRLSign (RFC 10007) or its signature fails (§6.3.3). */
  | "crlInvalid";

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
// arrive with every message, so parsed entries are kept by their DER, bounded in entries and bytes.
// Certificates received from peers are parsed with { cache: false } until they have authenticated
// (retainCertEntry), so unauthenticated input cannot fill the cache.
const parsed = new Map<string, CertEntry>();
let parsedBytes = 0;
const cacheLimits = { entries: 512, bytes: 8 * 1024 * 1024 };

export interface CertEntryOptions {
  /** Keep the parsed entry for later calls (default true; false for unauthenticated input). */
  cache?: boolean;
}

/** Sets the bounds of the parsed-certificate cache (entries and total DER bytes); evicts beyond them. */
export function setCertCacheLimits(limits: { entries?: number; bytes?: number }): void {
  cacheLimits.entries = limits.entries ?? cacheLimits.entries;
  cacheLimits.bytes = limits.bytes ?? cacheLimits.bytes;
  evict(0);
}

/** Number of entries and DER bytes the parsed-certificate cache holds. */
export function certCacheSize(): { entries: number; bytes: number } {
  return { entries: parsed.size, bytes: parsedBytes };
}

function evict(room: number): void {
  while (
    parsed.size > 0 &&
    (parsed.size + 1 > cacheLimits.entries || parsedBytes + room > cacheLimits.bytes)
  ) {
    const [k, e] = parsed.entries().next().value!;
    parsed.delete(k);
    parsedBytes -= e.der.length;
  }
}

/** Adds an entry (e.g. a certificate that has just authenticated a message) to the cache. */
export function retainCertEntry(e: CertEntry): void {
  const key = cacheKey(e.der);
  if (parsed.has(key) || e.der.length > cacheLimits.bytes) return;
  evict(e.der.length);
  parsed.set(key, e);
  parsedBytes += e.der.length;
}

function cacheKey(der: Uint8Array): string {
  return Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
}

/** A parsed certificate entry; DER input must be strict DER with nothing after the certificate. */
export function certEntry(input: Uint8Array | Certificate, opts: CertEntryOptions = {}): CertEntry {
  if (input instanceof Uint8Array) {
    const hit = parsed.get(cacheKey(input));
    if (hit) return hit;
    assertDer(input, "certificate");
    const e = { cert: AsnParser.parse(input, Certificate), der: input };
    if (opts.cache !== false) retainCertEntry(e);
    return e;
  }
  return { cert: input, der: new Uint8Array(AsnSerializer.serialize(input)) };
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

export const ANY_POLICY = "2.5.29.32.0";

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
  /** user-initial-policy-set (§6.1.1 (c)); default [anyPolicy]. */
  initialPolicySet?: readonly string[];
  /** initial-explicit-policy (§6.1.1 (g)); default false. */
  initialExplicitPolicy?: boolean;
  /** initial-policy-mapping-inhibit (§6.1.1 (e)); default false. */
  initialPolicyMappingInhibit?: boolean;
  /** initial-any-policy-inhibit (§6.1.1 (i)); default false. */
  initialAnyPolicyInhibit?: boolean;
  /**
   * Require authorityKeyIdentifier in every certificate that is not self-signed (§4.2.1.1: MUST for
   * conforming CAs). Default false: published test certificates (draft-ietf-lamps-pq-composite-kem)
   * omit it; certificates made by lwcmp and by openssl carry it.
   */
  requireAuthorityKeyIdentifier?: boolean;
  /** Require subjectKeyIdentifier in every CA certificate of the path (§4.2.1.2: MUST). Default true. */
  requireSubjectKeyIdentifier?: boolean;
  /**
   * Require basicConstraints to be critical in CA certificates (§4.2.1.9: a MUST for conforming CAs,
   * not part of the §6.1 algorithm). Default true.
   */
  requireCriticalBasicConstraints?: boolean;
  /**
   * Apply the anchor certificate's own constraints (basicConstraints pathLen, nameConstraints,
   * policyConstraints, inhibitAnyPolicy) as trust anchor information (§6.1.1 (d), RFC 5937). Default true.
   */
  anchorConstraints?: boolean;
}
