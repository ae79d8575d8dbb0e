// Row <-> record mapping and column lists shared by the SQLite and PostgreSQL stores; each backend
// supplies how it represents times (SQLite: epoch milliseconds, PostgreSQL: Date) and its placeholders.
import type {
  ApprovalRecord,
  CertificateRecord,
  OcspResponseRecord,
  OcspSubject,
  TransactionRecord,
} from "./store.js";

export type Row = Record<string, unknown>;

export interface RowCodec {
  date(v: unknown): Date | undefined;
}

export const rowBytes = (v: unknown) =>
  v === null || v === undefined ? null : new Uint8Array(v as Uint8Array);
const text = (v: unknown) => (v === null || v === undefined ? undefined : (v as string));
const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

/**
 * `column = <placeholder>` for each column given a value (undefined ones are skipped), in order; the
 * values are appended to args and placeholder gets the 1-based position of its value there.
 */
export function columnsEqual<V>(
  columns: Readonly<Record<string, V | undefined>>,
  args: V[],
  placeholder: (position: number) => string,
): string[] {
  const out: string[] = [];
  for (const [column, v] of Object.entries(columns)) {
    if (v === undefined) continue;
    args.push(v);
    out.push(`${column} = ${placeholder(args.length)}`);
  }
  return out;
}

export function certFromRow(r: Row, c: RowCodec): CertificateRecord {
  return {
    serial: r.serial as string,
    issuer: r.issuer as string,
    subject: r.subject as string,
    der: rowBytes(r.der)!,
    notBefore: c.date(r.not_before)!,
    notAfter: c.date(r.not_after)!,
    status: r.status as CertificateRecord["status"],
    revocationTime: c.date(r.revocation_time),
    revocationReason: num(r.revocation_reason),
    invalidityDate: c.date(r.invalidity_date),
    profile: r.profile as string,
    requester: text(r.requester),
    transactionId: text(r.transaction_id),
    spkiHash: text(r.spki_hash),
    forwardedBy: text(r.forwarded_by),
    createdAt: c.date(r.created_at)!,
  };
}

/** The columns a certificate insert writes, in the order of certInsertArgs. */
const CERT_INSERT_COLUMNS =
  "issuer, serial, subject, der, not_before, not_after, status, revocation_time, revocation_reason, " +
  "invalidity_date, profile, requester, transaction_id, created_at, spki_hash, forwarded_by";

/** The INSERT of a certificate; `ph(n)` is the n-th placeholder (1-based). */
export function certInsertSql(ph: (n: number) => string): string {
  const n = CERT_INSERT_COLUMNS.split(",").length;
  const values = Array.from({ length: n }, (_, i) => ph(i + 1)).join(", ");
  return `INSERT INTO certificates (${CERT_INSERT_COLUMNS}) VALUES (${values})`;
}

/** The arguments of certInsertSql in column order, times and bytes in the backend's representation. */
export function certInsertArgs<T, B>(
  c: CertificateRecord,
  time: (d: Date | undefined) => T,
  bytes: (u: Uint8Array) => B,
) {
  return [
    c.issuer,
    c.serial,
    c.subject,
    bytes(c.der),
    time(c.notBefore),
    time(c.notAfter),
    c.status,
    time(c.revocationTime),
    c.revocationReason ?? null,
    time(c.invalidityDate),
    c.profile,
    c.requester ?? null,
    c.transactionId ?? null,
    time(c.createdAt),
    c.spkiHash ?? null,
    c.forwardedBy ?? null,
  ];
}

export function txFromRow(r: Row, c: RowCodec): TransactionRecord {
  return {
    transactionId: r.transaction_id as string,
    requester: r.requester as string,
    kind: r.kind as string,
    state: r.state as string,
    data: rowBytes(r.data),
    lastSenderNonce: rowBytes(r.last_sender_nonce),
    kemSecret: rowBytes(r.kem_secret),
    expiresAt: c.date(r.expires_at)!,
    createdAt: c.date(r.created_at)!,
    updatedAt: c.date(r.updated_at)!,
    version: Number(r.version),
  };
}

export function approvalFromRow(r: Row, c: RowCodec): ApprovalRecord {
  return {
    id: r.id as string,
    transactionId: r.transaction_id as string,
    requester: r.requester as string,
    profile: r.profile as string,
    summary: r.summary as string,
    request: rowBytes(r.request)!,
    status: r.status as ApprovalRecord["status"],
    reason: text(r.reason),
    createdAt: c.date(r.created_at)!,
    decidedAt: c.date(r.decided_at),
  };
}

/** An OCSP subject from certificate columns (c_ prefixed in the OCSP queries). */
export function ocspSubjectFromRow(r: Row, c: RowCodec): OcspSubject {
  return {
    serial: r.c_serial as string,
    status: r.c_status as CertificateRecord["status"],
    revocationTime: c.date(r.c_revocation_time),
    revocationReason: num(r.c_revocation_reason),
    notAfter: c.date(r.c_not_after)!,
  };
}

/** A stored OCSP response, undefined when the joined row has none. */
export function ocspFromRow(r: Row, c: RowCodec): OcspResponseRecord | undefined {
  if (r.der === null || r.der === undefined) return undefined;
  return {
    issuer: r.issuer as string,
    serial: r.serial as string,
    hashAlgorithm: r.hash_alg as string,
    certStatus: r.cert_status as OcspResponseRecord["certStatus"],
    revocationTime: c.date(r.revocation_time),
    revocationReason: num(r.revocation_reason),
    der: rowBytes(r.der)!,
    producedAt: c.date(r.produced_at)!,
    thisUpdate: c.date(r.this_update)!,
    nextUpdate: c.date(r.next_update)!,
  };
}
