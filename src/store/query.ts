// The certificate search and CRL rows shared by the SQLite and PostgreSQL stores: one WHERE clause
// builder over the backend's placeholder and time representation.
import type { CertificateQuery, CrlInfo, CrlRecord, RevokedSerial } from "./store.js";
import { rowBytes, type Row, type RowCodec } from "./rows.js";

/** WHERE clause and arguments of a certificate search; `ph(n)` is the n-th placeholder (1-based). */
export function certificateWhere(
  q: CertificateQuery,
  ph: (n: number) => string,
  time: (d: Date) => unknown,
): { where: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    if (v === undefined) return;
    args.push(v);
    parts.push(sql.replace("?", ph(args.length)));
  };
  add("issuer = ?", q.issuer);
  add("subject = ?", q.subject);
  add("LOWER(subject) LIKE ?", q.subjectContains && `%${q.subjectContains.toLowerCase()}%`);
  add("serial = ?", q.serial?.toLowerCase());
  add("status = ?", q.status);
  add("profile = ?", q.profile);
  add("transaction_id = ?", q.transactionId);
  add("spki_hash = ?", q.spkiHash);
  add("forwarded_by = ?", q.forwardedBy);
  add("created_at >= ?", q.issuedAfter && time(q.issuedAfter));
  add("created_at < ?", q.issuedBefore && time(q.issuedBefore));
  add("revocation_time > ?", q.revokedAfter && time(q.revokedAfter));
  return { where: parts.length ? `WHERE ${parts.join(" AND ")}` : "", args };
}

/**
 * The full search statement, ordered by issue time, with an offset placeholder appended. The LIMIT is
 * written into the statement (SQLite sorts with a bounded top-N sorter only for a literal LIMIT: about
 * five times faster for the key-reuse lookup of every enrollment); it is the requested limit rounded up
 * to a power of two, so few distinct statements exist, and `limit` is what the caller must cut to.
 */
export function certificateSearch(
  q: CertificateQuery,
  ph: (n: number) => string,
  time: (d: Date) => unknown,
): { sql: string; args: unknown[]; limit: number } {
  const { where, args } = certificateWhere(q, ph, time);
  const limit = Math.max(0, Math.min(MAX_SEARCH_LIMIT, Math.trunc(q.limit ?? 1000)));
  const rounded = limit === 0 ? 0 : Math.min(MAX_SEARCH_LIMIT, 2 ** Math.ceil(Math.log2(limit)));
  args.push(Math.max(0, Math.trunc(q.offset ?? 0)));
  return {
    sql: `SELECT * FROM certificates ${where} ORDER BY created_at, serial LIMIT ${rounded} OFFSET ${ph(args.length)}`,
    args,
    limit,
  };
}

/** The most rows one search returns. */
export const MAX_SEARCH_LIMIT = 100_000;

export const REVOKED_PAGE_COLUMNS = "serial, revocation_time, revocation_reason, invalidity_date";

export function revokedFromRow(r: Row, c: RowCodec): RevokedSerial {
  const reason = r.revocation_reason;
  return {
    serial: r.serial as string,
    revocationTime: c.date(r.revocation_time) ?? new Date(0),
    reason: reason === null || reason === undefined ? undefined : Number(reason),
    invalidityDate: c.date(r.invalidity_date),
  };
}

export function crlInfoFromRow(r: Row, c: RowCodec): CrlInfo {
  return {
    issuer: r.issuer as string,
    shard: Number(r.shard),
    crlNumber: BigInt(r.crl_number as string | number),
    thisUpdate: c.date(r.this_update)!,
    nextUpdate: c.date(r.next_update)!,
    entries: Number(r.entries),
    createdAt: c.date(r.created_at)!,
  };
}

export function crlFromRow(r: Row, c: RowCodec): CrlRecord {
  return { ...crlInfoFromRow(r, c), der: rowBytes(r.der)! };
}

/** The CRL statements of both backends; `ph(n)` is the n-th placeholder, `serialOrder` how serials sort. */
export function crlSql(ph: (n: number) => string, serialOrder = "serial") {
  return {
    revokedPage: `SELECT ${REVOKED_PAGE_COLUMNS} FROM certificates
      WHERE issuer = ${ph(1)} AND status = 'revoked' AND ${serialOrder} > ${ph(2)} ORDER BY ${serialOrder} LIMIT ${ph(3)}`,
    save: `INSERT INTO crls (issuer, shard, crl_number, this_update, next_update, entries, der, created_at)
      VALUES (${[1, 2, 3, 4, 5, 6, 7, 8].map(ph).join(", ")})`,
    latest: `SELECT issuer, shard, crl_number, this_update, next_update, entries, created_at FROM crls
      WHERE issuer = ${ph(1)} AND shard = ${ph(2)} ORDER BY crl_number DESC LIMIT 1`,
    get: `SELECT * FROM crls WHERE issuer = ${ph(1)} AND shard = ${ph(2)} AND crl_number = ${ph(3)}`,
  };
}

/** The arguments of crlSql().save in column order, times and bytes in the backend's representation. */
export function crlSaveArgs<T, B>(
  c: CrlRecord,
  time: (d: Date) => T,
  bytes: (u: Uint8Array) => B,
  n: (v: bigint) => unknown,
) {
  return [
    c.issuer,
    c.shard,
    n(c.crlNumber),
    time(c.thisUpdate),
    time(c.nextUpdate),
    c.entries,
    bytes(c.der),
    time(c.createdAt),
  ];
}
