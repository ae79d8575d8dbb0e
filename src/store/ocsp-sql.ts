// The SQL of the OCSP response store, for both backends: one joined read per request (certificate
// status + stored response), an upsert per signed response, and the list of certificates due for signing.
import type { OcspResponseRecord } from "./store.js";

const SUBJECT_COLS = `c.serial AS c_serial, c.status AS c_status, c.revocation_time AS c_revocation_time,
  c.revocation_reason AS c_revocation_reason, c.not_after AS c_not_after`;
const JOIN = `certificates c LEFT JOIN ocsp_responses r
  ON r.issuer = c.issuer AND r.serial = c.serial AND r.hash_alg = $1`;
// The status a response must state for the certificate's current status.
const WANTED = `(CASE c.status WHEN 'valid' THEN 'good' WHEN 'revoked' THEN 'revoked' ELSE 'unknown' END)`;

/** `$n` placeholders as written, or `?` for SQLite (every placeholder is used once, in order). */
function dialect(sql: string, sqlite: boolean): string {
  return sqlite ? sql.replace(/\$\d+/g, "?").replaceAll("IS DISTINCT FROM", "IS NOT") : sql;
}

export function ocspSql(sqlite: boolean) {
  return {
    // args: hashAlgorithm, issuer, serial
    entry: dialect(`SELECT ${SUBJECT_COLS}, r.* FROM ${JOIN} WHERE c.issuer = $2 AND c.serial = $3`, sqlite),
    // args: hashAlgorithm, issuer, now, refreshBefore, limit
    due: dialect(
      `SELECT ${SUBJECT_COLS} FROM ${JOIN}
       WHERE c.issuer = $2 AND c.not_after > $3 AND (r.der IS NULL OR r.next_update <= $4
         OR r.cert_status <> ${WANTED} OR r.revocation_time IS DISTINCT FROM c.revocation_time
         OR r.revocation_reason IS DISTINCT FROM c.revocation_reason)
       ORDER BY c.serial LIMIT $5`,
      sqlite,
    ),
    put: dialect(
      `INSERT INTO ocsp_responses (issuer, serial, hash_alg, cert_status, revocation_time, revocation_reason, der,
         produced_at, this_update, next_update) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (issuer, serial, hash_alg) DO UPDATE SET cert_status = excluded.cert_status,
         revocation_time = excluded.revocation_time, revocation_reason = excluded.revocation_reason,
         der = excluded.der, produced_at = excluded.produced_at, this_update = excluded.this_update,
         next_update = excluded.next_update`,
      sqlite,
    ),
  };
}

/** The arguments of `put`, times converted by the backend's `time`. */
export function ocspPutArgs<T>(
  r: OcspResponseRecord,
  time: (d: Date) => T,
  bytes: (u: Uint8Array) => unknown,
) {
  const opt = (d: Date | undefined) => (d ? time(d) : null);
  return [
    r.issuer,
    r.serial,
    r.hashAlgorithm,
    r.certStatus,
    opt(r.revocationTime),
    r.revocationReason ?? null,
    bytes(r.der),
    time(r.producedAt),
    time(r.thisUpdate),
    time(r.nextUpdate),
  ];
}
