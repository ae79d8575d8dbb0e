// What an operator does with the certificates of a CA, as library calls (CLI, web UI): list, show,
// search, and revoke without the holder's key (RFC 5280 §5.3.1 reasons), audited and put in the next CRL.
import type { CaMaterials } from "../config/materials.js";
import { CrlReasonError, crlReasonName, parseCrlReason } from "../pki/crl.js";
import { nameToString } from "../pki/names.js";
import type { CertificateQuery, CertificateRecord, CrlInfo, Store } from "../store/store.js";
import type { CaLogEvent } from "./context.js";
import { CrlPublisher } from "./crl/publisher.js";
import type { CaPolicy } from "./policy.js";

/** A refused operator request, in words for the operator. */
export class OperatorError extends Error {
  override readonly name = "OperatorError";
}

export interface CaOperatorOptions {
  materials: CaMaterials;
  policy: Pick<CaPolicy, "crl" | "caName" | "crlValidityMs">;
  store: Store;
  log?: (e: CaLogEvent) => void;
  now?: () => Date;
}

export interface RevokeRequest {
  /** A CRLReason name ("keyCompromise") or number; default unspecified. */
  reason?: string | number;
  /** RFC 5280 §5.3.2: when the key was (suspected to be) compromised. */
  invalidityDate?: Date;
  /** Who revokes, for the audit log. */
  operator: string;
}

export interface RevokeResult {
  certificate: CertificateRecord;
  /** The CRLs published at once (publishOnRevoke), else empty: the next scheduled CRL lists it. */
  published: CrlInfo[];
}

/** A serial as typed by people: hex with optional 0x, colons or spaces, any case. */
export function normalizeSerial(text: string): string {
  const hex = text.trim().replace(/^0x/i, "").replace(/[:\s]/g, "").toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw new OperatorError(`"${text}" is not a hexadecimal serial number`);
  const even = hex.length % 2 ? `0${hex}` : hex;
  return even.replace(/^(00)+(?=..)/, "");
}

export class CaOperator {
  readonly issuer: string;
  readonly publisher: CrlPublisher;
  private readonly now: () => Date;

  constructor(private readonly o: CaOperatorOptions) {
    this.issuer = nameToString(o.materials.caCert.cert.tbsCertificate.subject);
    this.publisher = new CrlPublisher({
      materials: o.materials,
      policy: o.policy,
      store: o.store,
      log: o.log,
    });
    this.now = o.now ?? (() => new Date());
  }

  /** This CA's certificates, newest last; the query narrows them. */
  list(q: Omit<CertificateQuery, "issuer"> = {}): Promise<CertificateRecord[]> {
    return this.o.store.findCertificates({ limit: 100, ...q, issuer: this.issuer });
  }

  /** Search by part of the subject, serial, status, profile and issue date. */
  search(q: Omit<CertificateQuery, "issuer">): Promise<CertificateRecord[]> {
    const serial = q.serial === undefined ? undefined : normalizeSerial(q.serial);
    return this.list({ ...q, serial });
  }

  async show(serial: string): Promise<CertificateRecord> {
    const s = normalizeSerial(serial);
    const rec = await this.o.store.getCertificate(this.issuer, s);
    if (!rec) throw new OperatorError(`no certificate with serial ${s} was issued by "${this.issuer}"`);
    return rec;
  }

  /** Revokes a certificate; it is listed by the next CRL (published at once with publishOnRevoke). */
  async revoke(serial: string, r: RevokeRequest): Promise<RevokeResult> {
    let reason: number;
    try {
      reason = parseCrlReason(r.reason ?? 0);
    } catch (e) {
      if (e instanceof CrlReasonError) throw new OperatorError(e.message);
      throw e;
    }
    const rec = await this.show(serial);
    if (rec.status === "revoked") {
      throw new OperatorError(
        `certificate ${rec.serial} is already revoked (${crlReasonName(rec.revocationReason ?? 0)}, ${rec.revocationTime?.toISOString()})`,
      );
    }
    const now = this.now();
    if (r.invalidityDate && r.invalidityDate > now) {
      throw new OperatorError("the invalidity date lies in the future");
    }
    const ok = await this.o.store.setCertificateStatus(this.issuer, rec.serial, "revoked", {
      time: now,
      reason,
      invalidityDate: r.invalidityDate,
    });
    if (!ok) throw new OperatorError(`certificate ${rec.serial} disappeared meanwhile`);
    this.o.log?.({
      event: "certificate-revoked",
      requester: `operator:${r.operator}`,
      detail: `${rec.serial} reason ${reason} (${crlReasonName(reason)}) subject "${rec.subject}"`,
    });
    const published = this.publisher.policy.publishOnRevoke ? await this.publisher.publish(now) : [];
    return { certificate: (await this.o.store.getCertificate(this.issuer, rec.serial))!, published };
  }
}
