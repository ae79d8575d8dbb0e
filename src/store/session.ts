// Shared machinery of the store backends: a FIFO async mutex, the guard that keeps the store from
// being used inside its own open transaction, and SessionFront, which routes every StoreSession
// method through one gate (a queue, a scope check) to the backend's session.
import { AsyncLocalStorage } from "node:async_hooks";
import {
  StoreError,
  type ApprovalRecord,
  type CertificateQuery,
  type CertificateRecord,
  type CrlRecord,
  type NewApproval,
  type NewTransaction,
  type OcspResponseRecord,
  type RevocationDetails,
  type StoreSession,
  type TransactionPatch,
} from "./store.js";

/** Runs the callbacks given to run() one at a time, in call order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const r = this.tail.then(fn);
    this.tail = r.catch(() => undefined);
    return r;
  }
}

/**
 * Marks the async context of a running unit of work. A store method called from inside it (instead of
 * through the session) would deadlock on SQLite or run outside the transaction on PostgreSQL.
 */
export class TransactionScope {
  private readonly als = new AsyncLocalStorage<{ open: boolean }>();

  assertOutside(): void {
    if (this.als.getStore()?.open) {
      throw new StoreError("the store is used inside withTransaction: use the session passed to fn");
    }
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const mark = { open: true };
    try {
      return await this.als.run(mark, fn);
    } finally {
      mark.open = false;
    }
  }
}

/** Routes each StoreSession method through gate(), which decides where and when it runs. */
export abstract class SessionFront implements StoreSession {
  protected abstract gate<T>(op: (s: StoreSession) => Promise<T>): Promise<T>;

  insertCertificate(rec: CertificateRecord) {
    return this.gate((s) => s.insertCertificate(rec));
  }
  getCertificate(issuer: string, serial: string) {
    return this.gate((s) => s.getCertificate(issuer, serial));
  }
  findCertificates(q: CertificateQuery) {
    return this.gate((s) => s.findCertificates(q));
  }
  setCertificateStatus(
    issuer: string,
    serial: string,
    status: CertificateRecord["status"],
    revocation?: RevocationDetails,
  ) {
    return this.gate((s) => s.setCertificateStatus(issuer, serial, status, revocation));
  }
  listRevoked(issuer: string) {
    return this.gate((s) => s.listRevoked(issuer));
  }
  revokedPage(issuer: string, afterSerial: string, limit: number) {
    return this.gate((s) => s.revokedPage(issuer, afterSerial, limit));
  }
  saveCrl(rec: CrlRecord) {
    return this.gate((s) => s.saveCrl(rec));
  }
  latestCrlInfo(issuer: string, shard: number) {
    return this.gate((s) => s.latestCrlInfo(issuer, shard));
  }
  getCrl(issuer: string, shard: number, crlNumber: bigint) {
    return this.gate((s) => s.getCrl(issuer, shard, crlNumber));
  }
  createTransaction(rec: NewTransaction, now: Date) {
    return this.gate((s) => s.createTransaction(rec, now));
  }
  getTransaction(transactionId: string) {
    return this.gate((s) => s.getTransaction(transactionId));
  }
  updateTransaction(transactionId: string, expectedVersion: number, patch: TransactionPatch, now: Date) {
    return this.gate((s) => s.updateTransaction(transactionId, expectedVersion, patch, now));
  }
  deleteTransaction(transactionId: string) {
    return this.gate((s) => s.deleteTransaction(transactionId));
  }
  findOpenTransactions(requester: string, now: Date) {
    return this.gate((s) => s.findOpenTransactions(requester, now));
  }
  findTransactionsInState(state: string, now: Date, limit: number) {
    return this.gate((s) => s.findTransactionsInState(state, now, limit));
  }
  recordNonce(nonce: Uint8Array, expiresAt: Date, now: Date) {
    return this.gate((s) => s.recordNonce(nonce, expiresAt, now));
  }
  nonceSeen(nonce: Uint8Array, now: Date) {
    return this.gate((s) => s.nonceSeen(nonce, now));
  }
  createApproval(rec: NewApproval, now: Date) {
    return this.gate((s) => s.createApproval(rec, now));
  }
  getApproval(id: string) {
    return this.gate((s) => s.getApproval(id));
  }
  getApprovalByTransaction(transactionId: string) {
    return this.gate((s) => s.getApprovalByTransaction(transactionId));
  }
  listApprovals(status?: ApprovalRecord["status"]) {
    return this.gate((s) => s.listApprovals(status));
  }
  decideApproval(id: string, decision: "approved" | "rejected", reason: string | undefined, now: Date) {
    return this.gate((s) => s.decideApproval(id, decision, reason, now));
  }
  nextCounter(name: string) {
    return this.gate((s) => s.nextCounter(name));
  }
  getOcspEntry(issuer: string, serial: string, hashAlgorithm: string) {
    return this.gate((s) => s.getOcspEntry(issuer, serial, hashAlgorithm));
  }
  putOcspResponse(rec: OcspResponseRecord) {
    return this.gate((s) => s.putOcspResponse(rec));
  }
  listOcspDue(issuer: string, hashAlgorithm: string, refreshBefore: Date, now: Date, limit: number) {
    return this.gate((s) => s.listOcspDue(issuer, hashAlgorithm, refreshBefore, now, limit));
  }
}

/** The session handed to a unit of work: usable only while the unit runs. */
export class BoundSession extends SessionFront {
  private open = true;

  constructor(private readonly inner: StoreSession) {
    super();
  }

  /** Called when the unit of work ends; later calls fail instead of running outside it. */
  end(): void {
    this.open = false;
  }

  protected gate<T>(op: (s: StoreSession) => Promise<T>): Promise<T> {
    if (!this.open) return Promise.reject(new StoreError("the transaction of this session has ended"));
    return op(this.inner);
  }
}
