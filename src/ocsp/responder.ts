// The OCSP responder role (RFC 6960, RFC 9919 profile): answers one CertID per request from responses
// signed ahead of time and kept in the store; signs once and stores when a response is missing, states
// an outdated status or has expired; pre-produces on a schedule (refresh) for every certificate of the CA.
import { createHash } from "node:crypto";
import type { PrivateKey } from "../crypto/index.js";
import { nameToString } from "../pki/names.js";
import {
  buildCertId,
  buildOcspResponse,
  CERT_ID_HASHES,
  issuerHashes,
  ocspErrorResponse,
  OcspFormatError,
  readOcspRequest,
  type CertIdHash,
  type OcspErrorStatus,
} from "../pki/ocsp.js";
import type { CertEntry } from "../pki/path.js";
import type { OcspCertStatus, OcspResponseRecord, OcspStore, OcspSubject } from "../store/store.js";

export interface OcspPolicy {
  /** nextUpdate - thisUpdate of every response. */
  validityMs: number;
  /** A response is re-signed once it is this old (must be below validityMs). */
  refreshMs: number;
}

export interface OcspResponderOptions {
  /** The CA whose certificates are answered. */
  issuer: CertEntry;
  /** The CA itself, or a responder it delegated (id-kp-OCSPSigning, RFC 6960 §4.2.2.2). */
  signer: { cert: CertEntry; key: PrivateKey; chain?: readonly CertEntry[] };
  store: OcspStore;
  policy: OcspPolicy;
  now?: () => Date;
}

/** One answer: the OCSPResponse DER and, when successful, its times (for HTTP caching, RFC 9919 §6). */
export interface OcspAnswer {
  der: Uint8Array;
  status: "successful" | OcspErrorStatus;
  producedAt?: Date;
  thisUpdate?: Date;
  nextUpdate?: Date;
}

const UNKNOWN_CACHE_MAX = 1024;

/** The status a response states for a certificate's stored status. */
export function ocspStatusOf(s: OcspSubject["status"]): OcspCertStatus {
  return s === "valid" ? "good" : s === "revoked" ? "revoked" : "unknown";
}

/** Whether a stored response still states the certificate's status and has not expired at `now`. */
export function responseCurrent(r: OcspResponseRecord, c: OcspSubject, now: Date): boolean {
  return (
    r.nextUpdate > now &&
    r.certStatus === ocspStatusOf(c.status) &&
    (r.revocationTime?.getTime() ?? null) === (c.revocationTime?.getTime() ?? null) &&
    (r.revocationReason ?? null) === (c.revocationReason ?? null)
  );
}

function errorAnswer(status: OcspErrorStatus): OcspAnswer {
  return { der: ocspErrorResponse(status), status };
}

export class OcspResponder {
  readonly issuerName: string;
  private readonly now: () => Date;
  /** "hash:issuerNameHash:issuerKeyHash" of our CA for each supported CertID hash. */
  private readonly issuerIds = new Map<string, CertIdHash>();
  private readonly inFlight = new Map<string, Promise<OcspAnswer>>();
  private readonly unknown = new Map<string, OcspAnswer>();

  constructor(private readonly opts: OcspResponderOptions) {
    this.issuerName = nameToString(opts.issuer.cert.tbsCertificate.subject);
    this.now = opts.now ?? (() => new Date());
    if (opts.policy.refreshMs >= opts.policy.validityMs) {
      throw new Error("the OCSP refresh interval must be shorter than the response validity");
    }
    for (const h of CERT_ID_HASHES) {
      const { nameHash, keyHash } = issuerHashes(opts.issuer.cert, h);
      this.issuerIds.set(
        `${h}:${Buffer.from(nameHash).toString("hex")}:${Buffer.from(keyHash).toString("hex")}`,
        h,
      );
    }
  }

  /** Answers one DER OCSPRequest; never throws for bad input (malformedRequest / unauthorized instead). */
  async answer(requestDer: Uint8Array): Promise<OcspAnswer> {
    let certIds;
    try {
      certIds = readOcspRequest(requestDer).certIds;
    } catch (e) {
      if (e instanceof OcspFormatError) return errorAnswer("malformedRequest");
      throw e;
    }
    // RFC 9919 §2.1.1: exactly one Request per OCSPRequest. Request nonces are ignored: responses
    // are pre-produced and shared by every client (RFC 9919 §4, RFC 6960 §4.4.1 is optional).
    if (certIds.length !== 1) return errorAnswer("malformedRequest");
    const id = certIds[0]!;
    const hash = this.issuerIds.get(`${id.hash}:${id.issuerNameHash}:${id.issuerKeyHash}`);
    // RFC 9919 §2.2.3 / RFC 6960 §2.3: not authoritative for this issuer.
    if (!hash) return errorAnswer("unauthorized");
    return this.lookup(id.serial, hash);
  }

  /** The stored response of a certificate, signed now when missing or no longer current. */
  async lookup(serial: string, hash: CertIdHash): Promise<OcspAnswer> {
    const now = this.now();
    const entry = await this.opts.store.getOcspEntry(this.issuerName, serial, hash);
    if (!entry) return this.unknownAnswer(serial, hash, now);
    const r = entry.response;
    if (r && responseCurrent(r, entry.certificate, now)) return answerOf(r);
    return this.once(`${serial}:${hash}`, () => this.produce(entry.certificate, hash, now));
  }

  /**
   * Signs and stores the responses due at `now` (missing, outdated status, older than refreshMs).
   * `pace`, when given, is awaited after each response with the milliseconds that response took, so a
   * caller sharing the thread with other work can spread a long refresh out (`dutyCyclePacer`).
   */
  async refresh(pace?: (workMs: number) => Promise<void>): Promise<number> {
    const now = this.now();
    const { validityMs, refreshMs } = this.opts.policy;
    const refreshBefore = new Date(now.getTime() + validityMs - refreshMs);
    let count = 0;
    for (const hash of CERT_ID_HASHES) {
      for (;;) {
        const due = await this.opts.store.listOcspDue(this.issuerName, hash, refreshBefore, now, 200);
        for (const c of due) {
          const t0 = performance.now();
          await this.once(`${c.serial}:${hash}`, () => this.produce(c, hash, now));
          count++;
          if (pace) await pace(performance.now() - t0);
        }
        if (due.length < 200) break;
      }
    }
    return count;
  }

  private once(key: string, fn: () => Promise<OcspAnswer>): Promise<OcspAnswer> {
    let p = this.inFlight.get(key);
    if (!p) {
      p = fn().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }

  private sign(
    serial: string,
    hash: CertIdHash,
    status: Omit<
      OcspResponseRecord,
      "der" | "issuer" | "serial" | "hashAlgorithm" | "producedAt" | "thisUpdate" | "nextUpdate"
    >,
    now: Date,
  ) {
    const nextUpdate = new Date(now.getTime() + this.opts.policy.validityMs);
    const { signer } = this.opts;
    const der = buildOcspResponse({
      certId: buildCertId(this.opts.issuer.cert, serial, hash),
      status: status.certStatus,
      revocationTime: status.revocationTime,
      revocationReason: status.revocationReason,
      signer: { key: signer.key, cert: signer.cert.cert, chain: signer.chain?.map((c) => c.cert) },
      producedAt: now,
      thisUpdate: now,
      nextUpdate,
    });
    return { der, nextUpdate };
  }

  private async produce(c: OcspSubject, hash: CertIdHash, now: Date): Promise<OcspAnswer> {
    const status = {
      certStatus: ocspStatusOf(c.status),
      revocationTime: c.revocationTime,
      revocationReason: c.revocationReason,
    };
    const { der, nextUpdate } = this.sign(c.serial, hash, status, now);
    const rec: OcspResponseRecord = {
      issuer: this.issuerName,
      serial: c.serial,
      hashAlgorithm: hash,
      ...status,
      der,
      producedAt: now,
      thisUpdate: now,
      nextUpdate,
    };
    await this.opts.store.putOcspResponse(rec);
    return answerOf(rec);
  }

  /** RFC 6960 §2.2 unknown for serials the CA never issued; signed once per serial, kept in memory. */
  private unknownAnswer(serial: string, hash: CertIdHash, now: Date): OcspAnswer {
    const key = `${serial}:${hash}`;
    const hit = this.unknown.get(key);
    if (hit && hit.nextUpdate! > now) return hit;
    const { der, nextUpdate } = this.sign(serial, hash, { certStatus: "unknown" }, now);
    const a: OcspAnswer = { der, status: "successful", producedAt: now, thisUpdate: now, nextUpdate };
    if (this.unknown.size >= UNKNOWN_CACHE_MAX) this.unknown.delete(this.unknown.keys().next().value!);
    this.unknown.set(key, a);
    return a;
  }
}

function answerOf(r: OcspResponseRecord): OcspAnswer {
  return {
    der: r.der,
    status: "successful",
    producedAt: r.producedAt,
    thisUpdate: r.thisUpdate,
    nextUpdate: r.nextUpdate,
  };
}

/** A strong ETag of a response's bytes (RFC 9110 §8.8.3). */
export function responseEtag(der: Uint8Array): string {
  return `"${createHash("sha1").update(der).digest("base64url")}"`;
}
