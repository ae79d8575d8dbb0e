// PostgreSQL store for several CA replicas: same schema as SQLite; row locks and a version column
// keep concurrent continuations of one transaction safe. The schema is selectable with ?schema=NAME.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { MIGRATIONS } from "./migrations/index.js";
import {
  ConcurrentUpdateError,
  DuplicateSerialError,
  StoreError,
  TransactionIdInUseError,
  type ApprovalRecord,
  type CertificateRecord,
  type NewTransaction,
  type Store,
  type TransactionPatch,
  type TransactionRecord,
} from "./store.js";
import { approvalFromRow, certFromRow, rowBytes, txFromRow, type Row, type RowCodec } from "./rows.js";

const PG: RowCodec = { date: (v) => (v === null || v === undefined ? undefined : (v as Date)) };

const buf = (u: Uint8Array | null | undefined) => (u ? Buffer.from(u) : null);

export class PostgresStore implements Store {
  private constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
  ) {}

  static async connect(url: string): Promise<PostgresStore> {
    const u = new URL(url);
    const schema = u.searchParams.get("schema") ?? "public";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new StoreError(`invalid schema name "${schema}"`);
    u.searchParams.delete("schema");
    const pool = new pg.Pool({ connectionString: u.toString(), max: 10 });
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } catch (e) {
      await pool.end();
      throw new StoreError(`cannot reach PostgreSQL at ${u.host}: ${(e as Error).message}`);
    }
    return new PostgresStore(pool, schema);
  }

  private async q(sql: string, args: unknown[] = []): Promise<pg.QueryResult<Row>> {
    const c = await this.pool.connect();
    try {
      await c.query(`SET search_path TO "${this.schema}"`);
      return await c.query(sql, args);
    } finally {
      c.release();
    }
  }

  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.pool.connect();
    try {
      await c.query(`SET search_path TO "${this.schema}"`);
      await c.query("BEGIN");
      const r = await fn(c);
      await c.query("COMMIT");
      return r;
    } catch (e) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async migrate(): Promise<void> {
    await this.tx(async (c) => {
      // One migrator at a time across replicas.
      await c.query("SELECT pg_advisory_xact_lock(727374)");
      await c.query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
      );
      const done = new Set((await c.query("SELECT id FROM schema_migrations")).rows.map((r) => Number(r.id)));
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        await c.query(m.postgres);
        await c.query("INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, now())", [
          m.id,
          m.name,
        ]);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Drops this store's schema (tests). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
  }

  async insertCertificate(c: CertificateRecord): Promise<void> {
    try {
      await this.q(
        `INSERT INTO certificates (issuer, serial, subject, der, not_before, not_after, status, revocation_time,
         revocation_reason, invalidity_date, profile, requester, transaction_id, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
        [
          c.issuer,
          c.serial,
          c.subject,
          buf(c.der),
          c.notBefore,
          c.notAfter,
          c.status,
          c.revocationTime ?? null,
          c.revocationReason ?? null,
          c.invalidityDate ?? null,
          c.profile,
          c.requester ?? null,
          c.transactionId ?? null,
          c.createdAt,
        ],
      );
    } catch (e) {
      if ((e as { code?: string }).code === "23505")
        throw new DuplicateSerialError(`serial ${c.serial} of ${c.issuer} exists already`);
      throw new StoreError(`cannot store certificate: ${(e as Error).message}`);
    }
  }

  async getCertificate(issuer: string, serial: string): Promise<CertificateRecord | undefined> {
    const r = await this.q("SELECT * FROM certificates WHERE issuer = $1 AND serial = $2", [issuer, serial]);
    return r.rows[0] ? certFromRow(r.rows[0], PG) : undefined;
  }

  async findCertificates(q: {
    subject?: string;
    status?: CertificateRecord["status"];
    transactionId?: string;
    limit?: number;
  }) {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (col: string, v: unknown) => {
      args.push(v);
      where.push(`${col} = $${args.length}`);
    };
    if (q.subject !== undefined) add("subject", q.subject);
    if (q.status !== undefined) add("status", q.status);
    if (q.transactionId !== undefined) add("transaction_id", q.transactionId);
    args.push(q.limit ?? 1000);
    const r = await this.q(
      `SELECT * FROM certificates ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at LIMIT $${args.length}`,
      args,
    );
    return r.rows.map((r) => certFromRow(r, PG));
  }

  async setCertificateStatus(
    issuer: string,
    serial: string,
    status: CertificateRecord["status"],
    rev?: { time: Date; reason?: number; invalidityDate?: Date },
  ): Promise<boolean> {
    const r = await this.q(
      `UPDATE certificates SET status = $1, revocation_time = $2, revocation_reason = $3, invalidity_date = $4
       WHERE issuer = $5 AND serial = $6`,
      [status, rev?.time ?? null, rev?.reason ?? null, rev?.invalidityDate ?? null, issuer, serial],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async listRevoked(issuer: string): Promise<CertificateRecord[]> {
    const r = await this.q(
      "SELECT * FROM certificates WHERE issuer = $1 AND status = 'revoked' ORDER BY revocation_time",
      [issuer],
    );
    return r.rows.map((r) => certFromRow(r, PG));
  }

  async createTransaction(t: NewTransaction): Promise<TransactionRecord> {
    return this.tx(async (c) => {
      const old = await c.query("SELECT expires_at FROM transactions WHERE transaction_id = $1 FOR UPDATE", [
        t.transactionId,
      ]);
      if (old.rows[0]) {
        if ((old.rows[0].expires_at as Date) > new Date())
          throw new TransactionIdInUseError(`transactionID ${t.transactionId} is in use`);
        await c.query("DELETE FROM transactions WHERE transaction_id = $1", [t.transactionId]);
      }
      try {
        const r = await c.query(
          `INSERT INTO transactions (transaction_id, requester, kind, state, data, last_sender_nonce, expires_at,
           created_at, updated_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,now(),now(),1) RETURNING *`,
          [t.transactionId, t.requester, t.kind, t.state, buf(t.data), buf(t.lastSenderNonce), t.expiresAt],
        );
        return txFromRow(r.rows[0]!, PG);
      } catch (e) {
        if ((e as { code?: string }).code === "23505")
          throw new TransactionIdInUseError(`transactionID ${t.transactionId} is in use`);
        throw e;
      }
    });
  }

  async getTransaction(id: string): Promise<TransactionRecord | undefined> {
    const r = await this.q("SELECT * FROM transactions WHERE transaction_id = $1", [id]);
    return r.rows[0] ? txFromRow(r.rows[0], PG) : undefined;
  }

  async updateTransaction(
    id: string,
    expectedVersion: number,
    patch: TransactionPatch,
  ): Promise<TransactionRecord> {
    const sets: string[] = [];
    const args: unknown[] = [];
    const add = (col: string, v: unknown) => {
      args.push(v);
      sets.push(`${col} = $${args.length}`);
    };
    if (patch.state !== undefined) add("state", patch.state);
    if (patch.data !== undefined) add("data", buf(patch.data));
    if (patch.lastSenderNonce !== undefined) add("last_sender_nonce", buf(patch.lastSenderNonce));
    if (patch.expiresAt !== undefined) add("expires_at", patch.expiresAt);
    args.push(id, expectedVersion);
    const r = await this.q(
      `UPDATE transactions SET ${[...sets, "updated_at = now()", "version = version + 1"].join(", ")}
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
    await this.q("DELETE FROM transactions WHERE transaction_id = $1", [id]);
  }

  async purgeExpired(now: Date): Promise<{ transactions: number; nonces: number }> {
    // Metadata under "tx:<transactionID>:" belongs to the transaction and goes with it.
    await this.q(
      "DELETE FROM meta WHERE key IN (SELECT 'tx:' || transaction_id || ':kem' FROM transactions WHERE expires_at <= $1)",
      [now],
    );
    const t = await this.q("DELETE FROM transactions WHERE expires_at <= $1", [now]);
    const n = await this.q("DELETE FROM nonces WHERE expires_at <= $1", [now]);
    return { transactions: t.rowCount ?? 0, nonces: n.rowCount ?? 0 };
  }

  async recordNonce(nonce: Uint8Array, expiresAt: Date): Promise<boolean> {
    const r = await this.q(
      `INSERT INTO nonces (nonce, expires_at) VALUES ($1, $2)
       ON CONFLICT (nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE nonces.expires_at <= now()
       RETURNING nonce`,
      [Buffer.from(nonce), expiresAt],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async createApproval(a: Omit<ApprovalRecord, "id" | "createdAt" | "status">): Promise<ApprovalRecord> {
    const r = await this.q(
      `INSERT INTO approvals (id, transaction_id, requester, profile, summary, request, status, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,'pending',now()) RETURNING *`,
      [randomUUID().slice(0, 8), a.transactionId, a.requester, a.profile, a.summary, Buffer.from(a.request)],
    );
    return approvalFromRow(r.rows[0]!, PG);
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    const r = await this.q("SELECT * FROM approvals WHERE id = $1", [id]);
    return r.rows[0] ? approvalFromRow(r.rows[0], PG) : undefined;
  }

  async getApprovalByTransaction(transactionId: string): Promise<ApprovalRecord | undefined> {
    const r = await this.q(
      "SELECT * FROM approvals WHERE transaction_id = $1 ORDER BY created_at DESC LIMIT 1",
      [transactionId],
    );
    return r.rows[0] ? approvalFromRow(r.rows[0], PG) : undefined;
  }

  async listApprovals(status?: ApprovalRecord["status"]): Promise<ApprovalRecord[]> {
    const r = status
      ? await this.q("SELECT * FROM approvals WHERE status = $1 ORDER BY created_at", [status])
      : await this.q("SELECT * FROM approvals ORDER BY created_at");
    return r.rows.map((r) => approvalFromRow(r, PG));
  }

  async decideApproval(id: string, decision: "approved" | "rejected", reason?: string): Promise<boolean> {
    const r = await this.q(
      "UPDATE approvals SET status = $1, reason = $2, decided_at = now() WHERE id = $3 AND status = 'pending'",
      [decision, reason ?? null, id],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async nextCounter(name: string): Promise<bigint> {
    const r = await this.q(
      `INSERT INTO counters (name, value) VALUES ($1, 1)
       ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`,
      [name],
    );
    return BigInt(r.rows[0]!.value as string);
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    const r = await this.q("SELECT value FROM meta WHERE key = $1", [key]);
    return r.rows[0] ? rowBytes(r.rows[0].value)! : undefined;
  }

  async setMeta(key: string, value: Uint8Array): Promise<void> {
    await this.q(
      "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
      [key, Buffer.from(value)],
    );
  }
}
