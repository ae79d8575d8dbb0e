// The SQL of the PostgreSQL store, run through an executor: the pool (each operation its own
// statement or transaction) or one client inside an open transaction (each multi-statement or
// failure-prone operation in a savepoint, so a refused write leaves the transaction usable).
import { randomUUID } from "node:crypto";
import type pg from "pg";
import {
  ConcurrentUpdateError,
  DuplicateSerialError,
  StoreError,
  TransactionIdInUseError,
  type ApprovalRecord,
  type CertificateQuery,
  type CertificateRecord,
  type CrlInfo,
  type CrlRecord,
  type NewApproval,
  type NewTransaction,
  type OcspResponseRecord,
  type RevocationDetails,
  type RevokedSerial,
  type StoreSession,
  type TransactionPatch,
  type TransactionRecord,
} from "./store.js";
import { ocspPutArgs, ocspSql } from "./ocsp-sql.js";
import {
  approvalFromRow,
  certFromRow,
  certInsertArgs,
  certInsertSql,
  columnsEqual,
  ocspFromRow,
  ocspSubjectFromRow,
  txFromRow,
  type Row,
  type RowCodec,
} from "./rows.js";
import { Mutex } from "./session.js";
import {
  certificateSearch,
  crlFromRow,
  crlInfoFromRow,
  crlSaveArgs,
  crlSql,
  revokedFromRow,
} from "./query.js";

const OCSP = ocspSql(false);
// PostgreSQL sorts text by the locale; serials page in byte order like SQLite.
const CRL = crlSql((n) => `$${n}`, 'serial COLLATE "C"');
const PG: RowCodec = { date: (v) => (v === null || v === undefined ? undefined : (v as Date)) };

const buf = (u: Uint8Array | null | undefined) => (u ? Buffer.from(u) : null);
/** PostgreSQL's numbered placeholder for the value at 1-based position n. */
const PARAM = (n: number) => `$${n}`;

export type Query = (sql: string, args?: unknown[]) => Promise<pg.QueryResult<Row>>;

export interface PgExecutor {
  readonly inTransaction: boolean;
  query: Query;
  /** fn's statements take effect together or not at all. */
  atomic<T>(fn: (q: Query) => Promise<T>): Promise<T>;
}

/** Outside a unit of work: pooled connections, autocommit or a short transaction. */
export class PoolExecutor implements PgExecutor {
  readonly inTransaction = false;
  constructor(private readonly pool: pg.Pool) {}

  query: Query = (sql, args = []) => this.pool.query<Row>(sql, args);

  async atomic<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
      const r = await fn((sql, args = []) => c.query<Row>(sql, args));
      await c.query("COMMIT");
      return r;
    } catch (e) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }
}

/** Inside a unit of work: its one client; concurrent calls run one after another. */
export class ClientExecutor implements PgExecutor {
  readonly inTransaction = true;
  private readonly queue = new Mutex();
  constructor(private readonly client: pg.PoolClient) {}

  private raw: Query = (sql, args = []) => this.client.query<Row>(sql, args);

  query: Query = (sql, args) => this.queue.run(() => this.raw(sql, args));

  atomic<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      await this.raw("SAVEPOINT lwcmp_op");
      try {
        const r = await fn(this.raw);
        await this.raw("RELEASE SAVEPOINT lwcmp_op");
        return r;
      } catch (e) {
        await this.raw("ROLLBACK TO SAVEPOINT lwcmp_op");
        await this.raw("RELEASE SAVEPOINT lwcmp_op");
        throw e;
      }
    });
  }
}

export class PgSession implements StoreSession {
  constructor(private readonly x: PgExecutor) {}

  async insertCertificate(c: CertificateRecord): Promise<void> {
    const args = certInsertArgs(c, (d) => d ?? null, buf);
    // A serial taken already inserts nothing (no error, so an open unit of work stays usable without a
    // savepoint, one round trip instead of three).
    const sql = `${certInsertSql(PARAM)} ON CONFLICT DO NOTHING RETURNING serial`;
    let inserted: number;
    try {
      inserted = (await this.x.query(sql, args)).rowCount ?? 0;
    } catch (e) {
      throw new StoreError(`cannot store certificate: ${(e as Error).message}`);
    }
    if (inserted === 0) throw new DuplicateSerialError(`serial ${c.serial} of ${c.issuer} exists already`);
  }

  async getCertificate(issuer: string, serial: string): Promise<CertificateRecord | undefined> {
    const r = await this.x.query("SELECT * FROM certificates WHERE issuer = $1 AND serial = $2", [
      issuer,
      serial,
    ]);
    return r.rows[0] ? certFromRow(r.rows[0], PG) : undefined;
  }

  async findCertificates(q: CertificateQuery): Promise<CertificateRecord[]> {
    const { sql, args, limit } = certificateSearch(
      q,
      (n) => `$${n}`,
      (d) => d,
    );
    const r = await this.x.query(sql, args);
    return r.rows.slice(0, limit).map((r) => certFromRow(r, PG));
  }

  async revokedPage(issuer: string, afterSerial: string, limit: number): Promise<RevokedSerial[]> {
    const r = await this.x.query(CRL.revokedPage, [issuer, afterSerial, limit]);
    return r.rows.map((row) => revokedFromRow(row, PG));
  }

  async saveCrl(c: CrlRecord): Promise<void> {
    await this.x.query(
      CRL.save,
      crlSaveArgs(
        c,
        (d) => d,
        buf,
        (v) => v.toString(),
      ),
    );
  }

  async latestCrlInfo(issuer: string, shard: number): Promise<CrlInfo | undefined> {
    const r = await this.x.query(CRL.latest, [issuer, shard]);
    return r.rows[0] ? crlInfoFromRow(r.rows[0], PG) : undefined;
  }

  async getCrl(issuer: string, shard: number, crlNumber: bigint): Promise<CrlRecord | undefined> {
    const r = await this.x.query(CRL.get, [issuer, shard, crlNumber.toString()]);
    return r.rows[0] ? crlFromRow(r.rows[0], PG) : undefined;
  }

  async setCertificateStatus(
    issuer: string,
    serial: string,
    status: CertificateRecord["status"],
    rev?: RevocationDetails,
  ): Promise<boolean> {
    const r = await this.x.query(
      `UPDATE certificates SET status = $1, revocation_time = $2, revocation_reason = $3, invalidity_date = $4
       WHERE issuer = $5 AND serial = $6`,
      [status, rev?.time ?? null, rev?.reason ?? null, rev?.invalidityDate ?? null, issuer, serial],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async listRevoked(issuer: string): Promise<CertificateRecord[]> {
    const r = await this.x.query(
      "SELECT * FROM certificates WHERE issuer = $1 AND status = 'revoked' ORDER BY revocation_time",
      [issuer],
    );
    return r.rows.map((r) => certFromRow(r, PG));
  }

  async createTransaction(t: NewTransaction, now: Date): Promise<TransactionRecord> {
    // One statement: a new row, or one that replaces an expired record of the same transactionID; a
    // record still open (or created concurrently and committed first) leaves nothing inserted.
    const r = await this.x.query(
      `INSERT INTO transactions (transaction_id, requester, kind, state, data, last_sender_nonce, kem_secret,
       expires_at, created_at, updated_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9,1)
       ON CONFLICT (transaction_id) DO UPDATE SET requester = EXCLUDED.requester, kind = EXCLUDED.kind,
         state = EXCLUDED.state, data = EXCLUDED.data, last_sender_nonce = EXCLUDED.last_sender_nonce,
         kem_secret = EXCLUDED.kem_secret, expires_at = EXCLUDED.expires_at, created_at = EXCLUDED.created_at,
         updated_at = EXCLUDED.updated_at, version = 1
       WHERE transactions.expires_at <= $9
       RETURNING *`,
      [
        t.transactionId,
        t.requester,
        t.kind,
        t.state,
        buf(t.data),
        buf(t.lastSenderNonce),
        buf(t.kemSecret),
        t.expiresAt,
        now,
      ],
    );
    if (!r.rows[0]) throw new TransactionIdInUseError(`transactionID ${t.transactionId} is in use`);
    return txFromRow(r.rows[0], PG);
  }

  async getTransaction(id: string): Promise<TransactionRecord | undefined> {
    const r = await this.x.query("SELECT * FROM transactions WHERE transaction_id = $1", [id]);
    return r.rows[0] ? txFromRow(r.rows[0], PG) : undefined;
  }

  async findOpenTransactions(requester: string, now: Date): Promise<TransactionRecord[]> {
    const r = await this.x.query(
      "SELECT * FROM transactions WHERE requester = $1 AND expires_at > $2 ORDER BY created_at",
      [requester, now],
    );
    return r.rows.map((row) => txFromRow(row, PG));
  }

  async findTransactionsInState(state: string, now: Date, limit: number): Promise<TransactionRecord[]> {
    const r = await this.x.query(
      "SELECT * FROM transactions WHERE state = $1 AND expires_at > $2 ORDER BY updated_at LIMIT $3",
      [state, now, limit],
    );
    return r.rows.map((row) => txFromRow(row, PG));
  }

  async updateTransaction(
    id: string,
    expectedVersion: number,
    patch: TransactionPatch,
    now: Date,
  ): Promise<TransactionRecord> {
    const args: unknown[] = [now];
    const bytes = (u: Uint8Array | null | undefined) => (u === undefined ? undefined : buf(u));
    const sets = [
      "updated_at = $1",
      "version = version + 1",
      ...columnsEqual(
        {
          state: patch.state,
          data: bytes(patch.data),
          last_sender_nonce: bytes(patch.lastSenderNonce),
          kem_secret: bytes(patch.kemSecret),
          expires_at: patch.expiresAt,
        },
        args,
        PARAM,
      ),
    ];
    args.push(id, expectedVersion);
    const r = await this.x.query(
      `UPDATE transactions SET ${sets.join(", ")}
       WHERE transaction_id = $${args.length - 1} AND version = $${args.length} RETURNING *`,
      args,
    );
    if (!r.rows[0]) {
      const cur = await this.getTransaction(id);
      if (!cur) throw new StoreError(`transaction ${id} does not exist`);
      throw new ConcurrentUpdateError(
        `transaction ${id} changed meanwhile (version ${cur.version}, expected ${expectedVersion})`,
      );
    }
    return txFromRow(r.rows[0], PG);
  }

  async deleteTransaction(id: string): Promise<void> {
    await this.x.query("DELETE FROM transactions WHERE transaction_id = $1", [id]);
  }

  /** Deletes transactions and nonces expired at `now`. */
  purgeExpired(now: Date): Promise<{ transactions: number; nonces: number }> {
    return this.x.atomic(async (q) => {
      const t = await q("DELETE FROM transactions WHERE expires_at <= $1", [now]);
      const n = await q("DELETE FROM nonces WHERE expires_at <= $1", [now]);
      return { transactions: t.rowCount ?? 0, nonces: n.rowCount ?? 0 };
    });
  }

  async recordNonce(nonce: Uint8Array, expiresAt: Date, now: Date): Promise<boolean> {
    // RFC 9483 §3.1: a senderNonce seen before and not yet expired is a replay.
    const r = await this.x.query(
      `INSERT INTO nonces (nonce, expires_at) VALUES ($1, $2)
       ON CONFLICT (nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE nonces.expires_at <= $3
       RETURNING nonce`,
      [Buffer.from(nonce), expiresAt, now],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async nonceSeen(nonce: Uint8Array, now: Date): Promise<boolean> {
    const r = await this.x.query("SELECT 1 FROM nonces WHERE nonce = $1 AND expires_at > $2", [
      Buffer.from(nonce),
      now,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async createApproval(a: NewApproval, now: Date): Promise<ApprovalRecord> {
    const r = await this.x.query(
      `INSERT INTO approvals (id, transaction_id, requester, profile, summary, request, status, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,'pending',$7) RETURNING *`,
      [
        randomUUID().slice(0, 8),
        a.transactionId,
        a.requester,
        a.profile,
        a.summary,
        Buffer.from(a.request),
        now,
      ],
    );
    return approvalFromRow(r.rows[0]!, PG);
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    const r = await this.x.query("SELECT * FROM approvals WHERE id = $1", [id]);
    return r.rows[0] ? approvalFromRow(r.rows[0], PG) : undefined;
  }

  async getApprovalByTransaction(transactionId: string): Promise<ApprovalRecord | undefined> {
    const r = await this.x.query(
      "SELECT * FROM approvals WHERE transaction_id = $1 ORDER BY created_at DESC LIMIT 1",
      [transactionId],
    );
    return r.rows[0] ? approvalFromRow(r.rows[0], PG) : undefined;
  }

  async listApprovals(status?: ApprovalRecord["status"]): Promise<ApprovalRecord[]> {
    const r = status
      ? await this.x.query("SELECT * FROM approvals WHERE status = $1 ORDER BY created_at", [status])
      : await this.x.query("SELECT * FROM approvals ORDER BY created_at");
    return r.rows.map((r) => approvalFromRow(r, PG));
  }

  async decideApproval(
    id: string,
    decision: "approved" | "rejected",
    reason: string | undefined,
    now: Date,
  ): Promise<boolean> {
    const r = await this.x.query(
      "UPDATE approvals SET status = $1, reason = $2, decided_at = $3 WHERE id = $4 AND status = 'pending'",
      [decision, reason ?? null, now, id],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async nextCounter(name: string): Promise<bigint> {
    const r = await this.x.query(
      `INSERT INTO counters (name, value) VALUES ($1, 1)
       ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`,
      [name],
    );
    return BigInt(r.rows[0]!.value as string);
  }

  async getOcspEntry(issuer: string, serial: string, hashAlgorithm: string) {
    const r = (await this.x.query(OCSP.entry, [hashAlgorithm, issuer, serial])).rows[0];
    return r ? { certificate: ocspSubjectFromRow(r, PG), response: ocspFromRow(r, PG) } : undefined;
  }

  async putOcspResponse(rec: OcspResponseRecord): Promise<void> {
    await this.x.query(
      OCSP.put,
      ocspPutArgs(rec, (d) => d, buf),
    );
  }

  async listOcspDue(issuer: string, hashAlgorithm: string, refreshBefore: Date, now: Date, limit: number) {
    const r = await this.x.query(OCSP.due, [hashAlgorithm, issuer, now, refreshBefore, limit]);
    return r.rows.map((row) => ocspSubjectFromRow(row, PG));
  }
}
