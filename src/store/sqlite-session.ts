// The SQL of the SQLite store on one node:sqlite connection: certificates, transactions, nonces,
// approvals, counters. Times are epoch milliseconds and come from the caller; multi-statement
// operations are atomic (their own IMMEDIATE transaction, or a savepoint inside an open one).
import { randomUUID } from "node:crypto";
import type { SQLInputValue } from "node:sqlite";
import type { SqliteConnection } from "./sqlite-connection.js";
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
import {
  certificateSearch,
  crlFromRow,
  crlInfoFromRow,
  crlSaveArgs,
  crlSql,
  revokedFromRow,
} from "./query.js";

const OCSP = ocspSql(true);
const CRL = crlSql(() => "?");

const ms = (d: Date | undefined | null) => (d ? d.getTime() : null);

const SQLITE: RowCodec = { date: (v) => (v === null || v === undefined ? undefined : new Date(Number(v))) };

/**
 * The store operations on a connection, either each in its own transaction (inTransaction false)
 * or inside the transaction the caller has open. Every method runs synchronously to its end, so calls
 * made without awaiting each other never interleave their statements.
 */
export class SqliteSession implements StoreSession {
  constructor(
    private readonly c: SqliteConnection,
    private readonly inTransaction: boolean,
  ) {}

  private atomic<T>(fn: () => T): T {
    const [begin, commit, rollback] = this.inTransaction
      ? ["SAVEPOINT lwcmp_op", "RELEASE lwcmp_op", "ROLLBACK TO lwcmp_op; RELEASE lwcmp_op"]
      : ["BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"];
    this.c.step(begin);
    try {
      const r = fn();
      this.c.step(commit);
      return r;
    } catch (e) {
      this.c.exec(rollback);
      throw e;
    }
  }

  /**
   * Certificate writes outside a unit of work commit with synchronous=FULL; inside one, the unit's
   * durable option decides (SQLite fixes the level for a whole transaction).
   */
  private durable<T>(fn: () => T): T {
    return this.inTransaction ? fn() : this.c.fullSync(fn);
  }

  async insertCertificate(c: CertificateRecord): Promise<void> {
    try {
      this.durable(() =>
        this.c.q(certInsertSql(() => "?")).run(...(certInsertArgs(c, ms, (u) => u) as SQLInputValue[])),
      );
    } catch (e) {
      if (/UNIQUE|PRIMARY KEY/i.test((e as Error).message)) {
        throw new DuplicateSerialError(`serial ${c.serial} of ${c.issuer} exists already`);
      }
      throw new StoreError(`cannot store certificate: ${(e as Error).message}`);
    }
  }

  async getCertificate(issuer: string, serial: string): Promise<CertificateRecord | undefined> {
    const r = this.c.q("SELECT * FROM certificates WHERE issuer = ? AND serial = ?").get(issuer, serial) as
      Row | undefined;
    return r ? certFromRow(r, SQLITE) : undefined;
  }

  async findCertificates(q: CertificateQuery): Promise<CertificateRecord[]> {
    const { sql, args, limit } = certificateSearch(
      q,
      () => "?",
      (d) => d.getTime(),
    );
    const rows = this.c.q(sql).all(...(args as SQLInputValue[])) as Row[];
    return rows.slice(0, limit).map((r) => certFromRow(r, SQLITE));
  }

  async revokedPage(issuer: string, afterSerial: string, limit: number): Promise<RevokedSerial[]> {
    const rows = this.c.q(CRL.revokedPage).all(issuer, afterSerial, limit) as Row[];
    return rows.map((r) => revokedFromRow(r, SQLITE));
  }

  async saveCrl(c: CrlRecord): Promise<void> {
    const args = crlSaveArgs(
      c,
      (d) => d.getTime(),
      (u) => u,
      (v) => v,
    ) as SQLInputValue[];
    this.durable(() => this.c.q(CRL.save).run(...args));
  }

  async latestCrlInfo(issuer: string, shard: number): Promise<CrlInfo | undefined> {
    const r = this.c.q(CRL.latest).get(issuer, shard) as Row | undefined;
    return r ? crlInfoFromRow(r, SQLITE) : undefined;
  }

  async getCrl(issuer: string, shard: number, crlNumber: bigint): Promise<CrlRecord | undefined> {
    const r = this.c.q(CRL.get).get(issuer, shard, crlNumber) as Row | undefined;
    return r ? crlFromRow(r, SQLITE) : undefined;
  }

  async setCertificateStatus(
    issuer: string,
    serial: string,
    status: CertificateRecord["status"],
    rev?: RevocationDetails,
  ): Promise<boolean> {
    const r = this.durable(() =>
      this.c
        .q(
          `UPDATE certificates SET status = ?, revocation_time = ?, revocation_reason = ?, invalidity_date = ?
           WHERE issuer = ? AND serial = ?`,
        )
        .run(status, ms(rev?.time), rev?.reason ?? null, ms(rev?.invalidityDate), issuer, serial),
    );
    return Number(r.changes) > 0;
  }

  async listRevoked(issuer: string): Promise<CertificateRecord[]> {
    return (
      this.c
        .q("SELECT * FROM certificates WHERE issuer = ? AND status = 'revoked' ORDER BY revocation_time")
        .all(issuer) as Row[]
    ).map((r) => certFromRow(r, SQLITE));
  }

  private readTransaction(id: string): TransactionRecord | undefined {
    const r = this.c.q("SELECT * FROM transactions WHERE transaction_id = ?").get(id) as Row | undefined;
    return r ? txFromRow(r, SQLITE) : undefined;
  }

  async createTransaction(t: NewTransaction, now: Date): Promise<TransactionRecord> {
    return this.atomic(() => {
      const old = this.readTransaction(t.transactionId);
      if (old) {
        if (old.expiresAt > now)
          throw new TransactionIdInUseError(`transactionID ${t.transactionId} is in use`);
        this.c.q("DELETE FROM transactions WHERE transaction_id = ?").run(t.transactionId);
      }
      const row = this.c
        .q(
          `INSERT INTO transactions (transaction_id, requester, kind, state, data, last_sender_nonce, kem_secret,
           expires_at, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING *`,
        )
        .get(
          t.transactionId,
          t.requester,
          t.kind,
          t.state,
          t.data,
          t.lastSenderNonce ?? null,
          t.kemSecret ?? null,
          ms(t.expiresAt),
          now.getTime(),
          now.getTime(),
        ) as Row;
      return txFromRow(row, SQLITE);
    });
  }

  async getTransaction(id: string): Promise<TransactionRecord | undefined> {
    return this.readTransaction(id);
  }

  async findOpenTransactions(requester: string, now: Date): Promise<TransactionRecord[]> {
    const rows = this.c
      .q("SELECT * FROM transactions WHERE requester = ? AND expires_at > ? ORDER BY created_at")
      .all(requester, ms(now)) as Row[];
    return rows.map((r) => txFromRow(r, SQLITE));
  }

  async findTransactionsInState(state: string, now: Date, limit: number): Promise<TransactionRecord[]> {
    const rows = this.c
      .q("SELECT * FROM transactions WHERE state = ? AND expires_at > ? ORDER BY updated_at LIMIT ?")
      .all(state, ms(now), limit) as Row[];
    return rows.map((r) => txFromRow(r, SQLITE));
  }

  async updateTransaction(
    id: string,
    expectedVersion: number,
    patch: TransactionPatch,
    now: Date,
  ): Promise<TransactionRecord> {
    const args: (string | number | Uint8Array | null)[] = [now.getTime()];
    const sets = [
      "updated_at = ?",
      "version = version + 1",
      ...columnsEqual(
        {
          state: patch.state,
          data: patch.data,
          last_sender_nonce: patch.lastSenderNonce,
          kem_secret: patch.kemSecret,
          expires_at: patch.expiresAt?.getTime(),
        },
        args,
        () => "?",
      ),
    ];
    return this.atomic(() => {
      const r = this.c
        .q(`UPDATE transactions SET ${sets.join(", ")} WHERE transaction_id = ? AND version = ?`)
        .run(...args, id, expectedVersion);
      const cur = this.readTransaction(id);
      if (!cur) throw new StoreError(`transaction ${id} does not exist`);
      if (Number(r.changes) === 0) {
        throw new ConcurrentUpdateError(
          `transaction ${id} changed meanwhile (version ${cur.version}, expected ${expectedVersion})`,
        );
      }
      return cur;
    });
  }

  async deleteTransaction(id: string): Promise<void> {
    this.c.q("DELETE FROM transactions WHERE transaction_id = ?").run(id);
  }

  /** Deletes transactions and nonces expired at `now`. */
  purgeExpired(now: Date): { transactions: number; nonces: number } {
    return this.atomic(() => {
      const t = this.c.q("DELETE FROM transactions WHERE expires_at <= ?").run(now.getTime());
      const n = this.c.q("DELETE FROM nonces WHERE expires_at <= ?").run(now.getTime());
      return { transactions: Number(t.changes), nonces: Number(n.changes) };
    });
  }

  async recordNonce(nonce: Uint8Array, expiresAt: Date, now: Date): Promise<boolean> {
    // RFC 9483 §3.1: a senderNonce seen before and not yet expired is a replay.
    const r = this.c
      .q(
        `INSERT INTO nonces (nonce, expires_at) VALUES (?, ?)
         ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= ?`,
      )
      .run(nonce, expiresAt.getTime(), now.getTime());
    return Number(r.changes) > 0;
  }

  async nonceSeen(nonce: Uint8Array, now: Date): Promise<boolean> {
    return (
      this.c
        .q("SELECT 1 AS seen FROM nonces WHERE nonce = ? AND expires_at > ?")
        .get(nonce, now.getTime()) !== undefined
    );
  }

  private readApproval(id: string): ApprovalRecord | undefined {
    const r = this.c.q("SELECT * FROM approvals WHERE id = ?").get(id) as Row | undefined;
    return r ? approvalFromRow(r, SQLITE) : undefined;
  }

  async createApproval(a: NewApproval, now: Date): Promise<ApprovalRecord> {
    const id = randomUUID().slice(0, 8);
    this.c
      .q(
        `INSERT INTO approvals (id, transaction_id, requester, profile, summary, request, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
      )
      .run(id, a.transactionId, a.requester, a.profile, a.summary, a.request, now.getTime());
    return this.readApproval(id)!;
  }

  async getApproval(id: string): Promise<ApprovalRecord | undefined> {
    return this.readApproval(id);
  }

  async getApprovalByTransaction(transactionId: string): Promise<ApprovalRecord | undefined> {
    const r = this.c
      .q("SELECT * FROM approvals WHERE transaction_id = ? ORDER BY created_at DESC LIMIT 1")
      .get(transactionId) as Row | undefined;
    return r ? approvalFromRow(r, SQLITE) : undefined;
  }

  async listApprovals(status?: ApprovalRecord["status"]): Promise<ApprovalRecord[]> {
    const rows = status
      ? (this.c.q("SELECT * FROM approvals WHERE status = ? ORDER BY created_at").all(status) as Row[])
      : (this.c.q("SELECT * FROM approvals ORDER BY created_at").all() as Row[]);
    return rows.map((r) => approvalFromRow(r, SQLITE));
  }

  async decideApproval(
    id: string,
    decision: "approved" | "rejected",
    reason: string | undefined,
    now: Date,
  ): Promise<boolean> {
    const r = this.c
      .q("UPDATE approvals SET status = ?, reason = ?, decided_at = ? WHERE id = ? AND status = 'pending'")
      .run(decision, reason ?? null, now.getTime(), id);
    return Number(r.changes) > 0;
  }

  async nextCounter(name: string): Promise<bigint> {
    const r = this.c
      .q(
        `INSERT INTO counters (name, value) VALUES (?, 1)
         ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
      )
      .get(name) as Row;
    return BigInt(r.value as number);
  }

  getOcspEntry(issuer: string, serial: string, hashAlgorithm: string) {
    const r = this.c.q(OCSP.entry).get(hashAlgorithm, issuer, serial) as Row | undefined;
    return Promise.resolve(
      r ? { certificate: ocspSubjectFromRow(r, SQLITE), response: ocspFromRow(r, SQLITE) } : undefined,
    );
  }

  async putOcspResponse(rec: OcspResponseRecord): Promise<void> {
    this.c.q(OCSP.put).run(...(ocspPutArgs(rec, ms, (u) => u) as SQLInputValue[]));
  }

  async listOcspDue(issuer: string, hashAlgorithm: string, refreshBefore: Date, now: Date, limit: number) {
    const rows = this.c.q(OCSP.due).all(hashAlgorithm, issuer, ms(now), ms(refreshBefore), limit) as Row[];
    return rows.map((r) => ocspSubjectFromRow(r, SQLITE));
  }
}
