// The persistence interface of lwcmp: certificates, transactions, nonces, approvals, counters.
// Implementations: SQLite (node:sqlite, the embedded default) and PostgreSQL (several replicas).

export interface CertificateRecord {
  /** Lowercase hex, no leading zero sign byte. */
  serial: string;
  /** Issuer DN as an RFC 4514 string. */
  issuer: string;
  subject: string;
  der: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  status: "unconfirmed" | "valid" | "revoked";
  revocationTime?: Date;
  revocationReason?: number;
  invalidityDate?: Date;
  profile: string;
  requester?: string;
  transactionId?: string;
  createdAt: Date;
}

export interface TransactionRecord {
  transactionId: string;
  requester: string;
  kind: string;
  state: string;
  data: Uint8Array | null;
  lastSenderNonce?: Uint8Array | null;
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface ApprovalRecord {
  id: string;
  transactionId: string;
  requester: string;
  profile: string;
  summary: string;
  request: Uint8Array;
  status: "pending" | "approved" | "rejected";
  reason?: string;
  createdAt: Date;
  decidedAt?: Date;
}

export type NewTransaction = Omit<TransactionRecord, "createdAt" | "updatedAt" | "version">;
export type TransactionPatch = Partial<
  Pick<TransactionRecord, "state" | "data" | "lastSenderNonce" | "expiresAt">
>;

export interface Store {
  migrate(): Promise<void>;
  close(): Promise<void>;
  insertCertificate(rec: CertificateRecord): Promise<void>;
  getCertificate(issuer: string, serial: string): Promise<CertificateRecord | undefined>;
  findCertificates(q: {
    subject?: string;
    status?: CertificateRecord["status"];
    transactionId?: string;
    limit?: number;
  }): Promise<CertificateRecord[]>;
  setCertificateStatus(
    issuer: string,
    serial: string,
    status: CertificateRecord["status"],
    revocation?: { time: Date; reason?: number; invalidityDate?: Date },
  ): Promise<boolean>;
  listRevoked(issuer: string): Promise<CertificateRecord[]>;
  createTransaction(rec: NewTransaction): Promise<TransactionRecord>;
  getTransaction(transactionId: string): Promise<TransactionRecord | undefined>;
  updateTransaction(
    transactionId: string,
    expectedVersion: number,
    patch: TransactionPatch,
  ): Promise<TransactionRecord>;
  deleteTransaction(transactionId: string): Promise<void>;
  purgeExpired(now: Date): Promise<{ transactions: number; nonces: number }>;
  recordNonce(nonce: Uint8Array, expiresAt: Date): Promise<boolean>;
  createApproval(rec: Omit<ApprovalRecord, "id" | "createdAt" | "status">): Promise<ApprovalRecord>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  getApprovalByTransaction(transactionId: string): Promise<ApprovalRecord | undefined>;
  listApprovals(status?: ApprovalRecord["status"]): Promise<ApprovalRecord[]>;
  decideApproval(id: string, decision: "approved" | "rejected", reason?: string): Promise<boolean>;
  nextCounter(name: string): Promise<bigint>;
  /** Keys "tx:<transactionID>:kem" are transaction-scoped: purgeExpired removes them with the transaction. */
  getMeta(key: string): Promise<Uint8Array | undefined>;
  setMeta(key: string, value: Uint8Array): Promise<void>;
}

export class StoreError extends Error {
  override name = "StoreError";
}
export class DuplicateSerialError extends StoreError {
  override name = "DuplicateSerialError";
}
export class TransactionIdInUseError extends StoreError {
  override name = "TransactionIdInUseError";
}
export class ConcurrentUpdateError extends StoreError {
  override name = "ConcurrentUpdateError";
}
