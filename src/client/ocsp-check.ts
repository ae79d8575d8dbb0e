// The relying party's OCSP check of a certificate (RFC 6960, RFC 9919 profile): asks the responder its
// authorityInfoAccess names, and accepts an answer signed by the issuer or a responder it delegated.
import { randomBytes } from "node:crypto";
import { namesMatch } from "../pki/names.js";
import { digest } from "../crypto/index.js";
import { getExtKeyUsage, getOcspUris } from "../pki/extensions.js";
import { buildOcspRequest, issuerHashes, parseOcspResponse, type ParsedOcspResponse } from "../pki/ocsp.js";
import { serialHex } from "../pki/certificate.js";
import { signedBy } from "../pki/path/build.js";
import { certEntry, type CertEntry } from "../pki/path.js";

const ID_KP_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
/** Accepted distance of thisUpdate / nextUpdate from the local clock (RFC 6960 §4.2.2.1 leaves it local). */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Sends one DER OCSPRequest to a responder URL and returns the DER OCSPResponse. */
export type OcspFetch = (url: string, request: Uint8Array) => Promise<Uint8Array>;

export interface OcspCheckOptions {
  /** Check every certificate of the chain that names a responder, not only the end entity. */
  all?: boolean;
  /** How requests reach the responder; default an HTTP POST (RFC 6960 §A.1) with a 10 s timeout. */
  fetch?: OcspFetch;
}

/** Why an OCSP check did not end in "good": revoked, unknown, or no usable answer. */
export class OcspCheckError extends Error {
  override readonly name = "OcspCheckError";
  constructor(
    readonly reason: "revoked" | "unknown" | "unavailable" | "invalid",
    message: string,
  ) {
    super(message);
  }
}

/** POSTs an OCSPRequest (`application/ocsp-request`, RFC 6960 §A.1) within `timeoutMs`. */
export async function postOcspRequest(
  url: string,
  request: Uint8Array,
  timeoutMs = 10_000,
): Promise<Uint8Array> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/ocsp-request", Accept: "application/ocsp-response" },
    body: request,
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!r.ok) throw new Error(`POST ${url} answered ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** The certificate that signed the response: the issuer, or one in `certs` it delegated to (RFC 6960 §4.2.2.2). */
function responseSigner(resp: ParsedOcspResponse, issuer: CertEntry, now: Date): CertEntry | undefined {
  const keyHashOf = (e: CertEntry) =>
    Buffer.from(digest("sha1", new Uint8Array(e.cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)));
  const named = (e: CertEntry) =>
    resp.responderKeyHash === undefined || keyHashOf(e).toString("hex") === resp.responderKeyHash;
  if (named(issuer) && resp.verifySignature(issuer.cert)) return issuer;
  for (const c of resp.certs) {
    const e = certEntry(c);
    const v = e.cert.tbsCertificate.validity;
    const delegated =
      namesMatch(e.cert.tbsCertificate.issuer, issuer.cert.tbsCertificate.subject) &&
      signedBy(e, issuer) &&
      (getExtKeyUsage(e.cert) ?? []).includes(ID_KP_OCSP_SIGNING) &&
      v.notBefore.getTime().getTime() <= now.getTime() &&
      now.getTime() <= v.notAfter.getTime().getTime();
    if (delegated && named(e) && resp.verifySignature(e.cert)) return e;
  }
  return undefined;
}

/** Asks `url` for the status of `cert` issued by `issuer`; resolves when it is good. */
async function askResponder(cert: CertEntry, issuer: CertEntry, url: string, o: OcspCheckOptions, now: Date) {
  const request = buildOcspRequest(cert.cert, issuer.cert, { nonce: randomBytes(16) });
  let resp: ParsedOcspResponse;
  try {
    resp = parseOcspResponse(await (o.fetch ?? postOcspRequest)(url, request));
  } catch (e) {
    throw new OcspCheckError("unavailable", `no OCSP answer from ${url}: ${(e as Error).message}`);
  }
  if (resp.status !== "successful") {
    throw new OcspCheckError("unavailable", `the OCSP responder ${url} answered ${resp.status}`);
  }
  if (!responseSigner(resp, issuer, now)) {
    throw new OcspCheckError(
      "invalid",
      `the answer of ${url} is signed neither by the issuer nor by a responder it delegated`,
    );
  }
  const serial = serialHex(cert.cert.tbsCertificate.serialNumber);
  const { nameHash, keyHash } = issuerHashes(issuer.cert, "sha256");
  const single = resp.responses.find(
    (r) =>
      r.certId.hash === "sha256" &&
      r.certId.serial === serial &&
      r.certId.issuerNameHash === Buffer.from(nameHash).toString("hex") &&
      r.certId.issuerKeyHash === Buffer.from(keyHash).toString("hex"),
  );
  if (!single)
    throw new OcspCheckError("invalid", `the answer of ${url} does not name certificate ${serial}`);
  // RFC 6960 §3.2 (4)(5): the status must be current.
  const t = now.getTime();
  if (
    single.thisUpdate.getTime() > t + CLOCK_SKEW_MS ||
    (single.nextUpdate && single.nextUpdate.getTime() < t - CLOCK_SKEW_MS)
  ) {
    throw new OcspCheckError("invalid", `the answer of ${url} for certificate ${serial} is not current`);
  }
  if (single.status === "revoked") {
    const when = single.revocationTime ? ` on ${single.revocationTime.toISOString()}` : "";
    throw new OcspCheckError("revoked", `certificate ${serial} is revoked${when} (OCSP ${url})`);
  }
  if (single.status === "unknown") {
    throw new OcspCheckError(
      "unknown",
      `the OCSP responder ${url} does not know certificate ${serial} (unknown)`,
    );
  }
}

/**
 * Checks `chain` (target first, trust anchor last, as path validation returns it) with OCSP: the target,
 * or with `all` every non-anchor certificate naming a responder. Throws OcspCheckError unless all are good.
 */
export async function checkOcsp(chain: readonly CertEntry[], o: OcspCheckOptions, now: Date): Promise<void> {
  const last = o.all ? chain.length - 1 : Math.min(1, chain.length - 1);
  for (let i = 0; i < last; i++) {
    const cert = chain[i]!;
    const urls = getOcspUris(cert.cert).filter((u) => /^https?:/i.test(u));
    if (urls.length === 0) {
      if (i > 0) continue;
      throw new OcspCheckError(
        "unavailable",
        "the certificate names no OCSP responder (authorityInfoAccess)",
      );
    }
    let failure: OcspCheckError | undefined;
    for (const url of urls) {
      try {
        await askResponder(cert, chain[i + 1]!, url, o, now);
        failure = undefined;
        break;
      } catch (e) {
        if (!(e instanceof OcspCheckError) || e.reason !== "unavailable") throw e;
        failure = e;
      }
    }
    if (failure) throw failure;
  }
}
