// SQLite store on node:sqlite: WAL journal; writes of certificates and their status are committed with
// synchronous=FULL (on disk before the CA answers), bookkeeping (nonces, transaction state) with NORMAL;
// optimistic versioning on transactions for safe continuation.
import { randomUUID } from "node:crypto";
import { DatabaseSync, type StatementSync } from "node:sqlite";
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

const ms = (d: Date | undefined | null) => (d ? d.getTime() : null);

const SQLITE: RowCodec = { date: (v) => (v === null || v === undefined ? undefined : new Date(Number(v))) };

export class SqliteStore implements Store {
  private readonly db: DatabaseSync;
  private readonly stmts = new Map<string, StatementSync>();

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
    );
  }

  private q(sql: string): StatementSync {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  /**
   * Runs `fn` with synchronous=FULL: its commit fsyncs the WAL (with every earlier commit in it), so
   * what it wrote survives a power loss. Used for issued certificates and revocations.
   */
  private durable<T>(fn: () => T): T {
    this.db.exec("PRAGMA synchronous = FULL");
    try {
      return fn();
    } finally {
      this.db.exec("PRAGMA synchronous = NORMAL");
    }
  }

  private tx<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const r = fn();
      this.db.exec("COMMIT");
      return r;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  async migrate(): Promise<void> {
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    const done = new Set(
      (this.db.prepare("SELECT id FROM schema_migrations").all() as Row[]).map((r) => Number(r.id)),
    );
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      this.tx(() => {
        this.db.exec(m.sqlite);
        this.db
          .prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)")
          .run(m.id, m.name, Date.now());
      });
    }
  }

  async close(): Promise<void> {
    this.stmts.clear();
    this.db.close();
  }

  async insertCertificate(c: CertificateRecord): Promise<void> {
    try {
      this.durable(() =>
        this.q(
          `INSERT INTO certificates (issuer, serial, subject, der, not_before, not_after, status, revocation_time,
         revocation_reason, invalidity_date, profile, requester, transaction_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          c.issuer,
          c.serial,
          c.subject,
          c.der,
          ms(c.notBefore),
          ms(c.notAfter),
          c.status,
          ms(c.revocationTime),
          c.revocationReason ?? null,
          ms(c.invalidityDate),
          c.profile,
          c.requester ?? null,
          c.transactionId ?? null,
          ms(c.createdAt),
        ),
      );
    } catch (e) {
      if (/UNIQUE|PRIMARY KEY/i.test((e as Error).message)) {
        throw new DuplicateSerialError(`serial ${c.serial} of ${c.issuer} exists already`);
      }
      throw new StoreError(`cannot store certificate: ${(e as Error).message}`);
    }
  }

  async getCertificate(issuer: string, serial: string): Promise<CertificateRecord | undefined> {
    const r = this.q("SELECT * FROM certificates WHERE issuer = ? AND serial = ?").get(issuer, serial) as
      Row | undefined;
    return r ? certFromRow(r, SQLITE) : undefined;
  }

  async findCertificates(q: {
    subject?: string;
    status?: CertificateRecord["status"];
    transactionId?: string;
    limit?: number;
  }) {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.subject !== undefined) {
      where.push("subject = ?");
      args.push(q.subject);
    }
    if (q.status !== undefined) {
      where.push("status = ?");
      args.push(q.status);
    }
    if (q.transactionId !== undefined) {
      where.push("transaction_id = ?");
      args.push(q.transactionId);
    }
    const sql = `SELECT * FROM certificates ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit ?? 1000) as Row[]).map((r) => certFromRow(r, SQLITE));
  }

  async setCertificateStatus(
    issuer: string,
    serial: string,
    status: CertificateRecord["status"],
    rev?: { time: Date; reason?: number; invalidityDate?: Date },
  ): Promise<boolean> {
    const r = this.durable(() =>
      this.q(
        `UPDATE certificates SET status = ?, revocation_time = ?, revocation_reason = ?, invalidity_date = ?
         WHERE issuer = ? AND serial = ?`,
      ).run(status, ms(rev?.time), rev?.reason ?? null, ms(rev?.invalidityDate), issuer, serial),
    );
    return Number(r.changes) > 0;
  }

  async listRevoked(issuer: string): Promise<CertificateRecord[]> {
    return (
      this.q(
        "SELECT * FROM certificates WHERE issuer = ? AND status = 'revoked' ORDER BY revocation_time",
      ).all(issuer) as Row[]
    ).map((r) => certFromRow(r, SQLITE));
  }

  async createTransaction(t: NewTransaction): Promise<TransactionRecord> {
    const now = Date.now();
    return this.tx(() => {
      const old = this.q("SELECT expires_at FROM transactions WHERE transaction_id = ?").get(
        t.transactionId,
      ) as Row | undefined;
      if (old) {
        if (Number(old.expires_at) > now)
          throw new TransactionIdInUseError(`transactionID ${t.transactionId} is in use`);
        this.q("DELETE FROM transactions WHERE transaction_id = ?").run(t.transactionId);
      }
      this.q(
        `INSERT INTO transactions (transaction_id, requester, kind, state, data, last_sender_nonce, expires_at,
         created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      ).run(
        t.transactionId,
        t.requester,
        t.kind,
        t.state,
        t.data,
        t.lastSenderNonce ?? null,
        ms(t.expiresAt),
        now,
        now,
      );
      return txFromRow(
        this.q("SELECT * FROM transactions WHERE transaction_id = ?").get(t.transactionId) as Row,
        SQLITE,
      );
    });
  }

  async getTransaction(id: string): Promise<TransactionRecord | undefined> {
    const r = this.q("SELECT * FROM transactions WHERE transaction_id = ?").get(id) as Row | undefined;
    return r ? txFromRow(r, SQLITE) : undefined;
  }

  async updateTransaction(
    id: string,
    expectedVersion: number,
    patch: TransactionPatch,
  ): Promise<TransactionRecord> {
    return this.tx(() => {
      const cur = this.q("SELECT * FROM transactions WHERE transaction_id = ?").get(id) as Row | undefined;
      if (!cur) throw new StoreError(`transaction ${id} does not exist`);
      const t = txFromRow(cur, SQLITE);
      if (t.version !== expectedVersion) {
        throw new ConcurrentUpdateError(
          `transaction ${id} changed meanwhile (version ${t.version}, expected ${expectedVersion})`,
        );
      }
      const next = { ...t, ...patch };
      this.q(
        `UPDATE transactions SET state = ?, data = ?, last_sender_nonce = ?, expires_at = ?, updated_at = ?,
         version = version + 1 WHERE transaction_id = ?`,
      ).run(next.state, next.data, next.lastSenderNonce ?? null, ms(next.expiresAt), Date.now(), id);
      return txFromRow(this.q("SELECT * FROM transactions WHERE transaction_id = ?").get(id) as Row, SQLITE);
    });
  }

  async deleteTransaction(id: string): Promise<void> {
    this.q("DELETE FROM transactions WHERE transaction_id = ?").run(id);
  }

  async purgeExpired(now: Date): Promise<{ transactions: number; nonces: number }> {
    // Metadata under "tx:<transactionID>:" belongs to the transaction and goes with it.
    this.q(
      "DELETE FROM meta WHERE key IN (SELECT 'tx:' || transaction_id || ':kem' FROM transactions WHERE expires_at <= ?)",
    ).run(now.getTime());
    const t = this.q("DELETE FROM transactions WHERE expires_at <= ?").run(now.getTime());
    const n = this.q("DELETE FROM nonces WHERE expires_at <= ?").run(now.getTime());
    return { transactions: Number(t.changes), nonces: Number(n.changes) };
  }

  async recordNonce(nonce: Uint8Array, expiresAt: Date): Promise<boolean> {
    return this.tx(() => {
      const old = this.q("SELECT expires_at FROM nonces WHERE nonce = ?").get(nonce) as Row | undefined;
      if (old && Number(old.expires_at) > Date.now()) return false;
      this.q("INSERT OR REPLACE INTO nonces (nonce, expires_at) VALUES (?, ?)").run(
        nonce,
        expiresAt.getTime(),
      );
      return true;
    });
  }

  async createApproval(a: Omit<ApprovalRecord, "id" | "createdAt" | "status">): Promise<ApprovalRecord> {
    const id = randomUUID().slice(0, 8);
    this.q(
      `INSERT INTO approvals (id, transaction_id, requester, profile, summary, request, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
    ).run(id, a.transactionId, a.requester, a.profile, a.summary, a.request, Date.now());
    return (await this.getApproval(id))!;
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    const r = this.q("SELECT * FROM approvals WHERE id = ?").get(id) as Row | undefined;
    return r ? approvalFromRow(r, SQLITE) : undefined;
  }

  async getApprovalByTransaction(transactionId: string): Promise<ApprovalRecord | undefined> {
    const r = this.q("SELECT * FROM approvals WHERE transaction_id = ? ORDER BY created_at DESC LIMIT 1").get(
      transactionId,
    ) as Row | undefined;
    return r ? approvalFromRow(r, SQLITE) : undefined;
  }

  async listApprovals(status?: ApprovalRecord["status"]): Promise<ApprovalRecord[]> {
    const rows = status
      ? (this.q("SELECT * FROM approvals WHERE status = ? ORDER BY created_at").all(status) as Row[])
      : (this.q("SELECT * FROM approvals ORDER BY created_at").all() as Row[]);
    return rows.map((r) => approvalFromRow(r, SQLITE));
  }

  async decideApproval(id: string, decision: "approved" | "rejected", reason?: string): Promise<boolean> {
    const r = this.q(
      "UPDATE approvals SET status = ?, reason = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
    ).run(decision, reason ?? null, Date.now(), id);
    return Number(r.changes) > 0;
  }

  async nextCounter(name: string): Promise<bigint> {
    return this.tx(() => {
      this.q("INSERT INTO counters (name, value) VALUES (?, 0) ON CONFLICT(name) DO NOTHING").run(name);
      this.q("UPDATE counters SET value = value + 1 WHERE name = ?").run(name);
      const r = this.q("SELECT value FROM counters WHERE name = ?").get(name) as Row;
      return BigInt(r.value as number);
    });
  }

  async getMeta(key: string): Promise<Uint8Array | undefined> {
    const r = this.q("SELECT value FROM meta WHERE key = ?").get(key) as Row | undefined;
    return r ? rowBytes(r.value)! : undefined;
  }

  async setMeta(key: string, value: Uint8Array): Promise<void> {
    this.q(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ).run(key, value);
  }
}
