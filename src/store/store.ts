// The persistence interfaces of lwcmp, one per consumer (certificates, transactions, nonces, approvals,
// CRL numbers) and the Store joining them with migrations and atomic units of work (withTransaction).
// The store has no clock: every time-dependent method takes the caller's `now` as its last parameter.

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
  /** Hex SHA-256 of the DER SubjectPublicKeyInfo (finds the certificates of a key); absent in old rows. */
  spkiHash?: string;
  /**
   * The registration authority that forwarded the request (RFC 9483 §5.2): its certificate's subject
   * as an RFC 4514 string; absent for a request that came from the EE itself, and in old rows.
   */
  forwardedBy?: string;
}

export interface TransactionRecord {
  transactionId: string;
  requester: string;
  kind: string;
  state: string;
  data: Uint8Array | null;
  lastSenderNonce?: Uint8Array | null;
  /**
   * KEM shared secret of this transaction (RFC 9810 §5.1.3.4), as opaque bytes: the caller protects
   * it before storing; the store never interprets it. It goes with the transaction.
   */
  kemSecret: Uint8Array | null;
  /** The transaction is expired at `now` when expiresAt <= now. */
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

export type NewTransaction = Omit<TransactionRecord, "createdAt" | "updatedAt" | "version" | "kemSecret"> & {
  kemSecret?: Uint8Array | null;
};
/** Fields left undefined keep their value; null clears a nullable field. */
export type TransactionPatch = Partial<
  Pick<TransactionRecord, "state" | "data" | "lastSenderNonce" | "kemSecret" | "expiresAt">
>;
export type NewApproval = Omit<ApprovalRecord, "id" | "createdAt" | "status" | "reason" | "decidedAt">;
export interface RevocationDetails {
  time: Date;
  reason?: number;
  invalidityDate?: Date;
}
export interface CertificateQuery {
  issuer?: string;
  /** Exact subject (RFC 4514 string). */
  subject?: string;
  /** Case-insensitive part of the subject. */
  subjectContains?: string;
  /** Lowercase hex. */
  serial?: string;
  status?: CertificateRecord["status"];
  profile?: string;
  transactionId?: string;
  /** Hex SHA-256 of the DER SubjectPublicKeyInfo the certificates certify. */
  spkiHash?: string;
  /** Exact forwarding RA (RFC 4514 subject of its certificate). */
  forwardedBy?: string;
  /** Issued (createdAt) at or after / before this time. */
  issuedAfter?: Date;
  issuedBefore?: Date;
  /** Revoked after this time (revocationTime > revokedAfter). */
  revokedAfter?: Date;
  limit?: number;
  offset?: number;
}

/** What a CRL entry needs of a revoked certificate (RFC 5280 §5.1.2.6). */
export interface RevokedSerial {
  serial: string;
  revocationTime: Date;
  reason?: number;
  invalidityDate?: Date;
}

/** Issued certificates and their status. Writes are durable (on disk before the promise resolves). */
export interface CertificateStore {
  insertCertificate(rec: CertificateRecord): Promise<void>;
  getCertificate(issuer: string, serial: string): Promise<CertificateRecord | undefined>;
  findCertificates(q: CertificateQuery): Promise<CertificateRecord[]>;
  setCertificateStatus(
    issuer: string,
    serial: string,
    status: CertificateRecord["status"],
    revocation?: RevocationDetails,
  ): Promise<boolean>;
  listRevoked(issuer: string): Promise<CertificateRecord[]>;
  /** Revoked serials of `issuer` above `afterSerial` in serial order, at most `limit` (keyset paging). */
  revokedPage(issuer: string, afterSerial: string, limit: number): Promise<RevokedSerial[]>;
}

/** CMP transactions (RFC 9483 §3.1 transactionID) with optimistic versioning. */
export interface TransactionStore {
  /** Replaces a record under the same transactionID only when it is expired at `now`. */
  createTransaction(rec: NewTransaction, now: Date): Promise<TransactionRecord>;
  getTransaction(transactionId: string): Promise<TransactionRecord | undefined>;
  /** Throws ConcurrentUpdateError unless the stored version is expectedVersion. */
  updateTransaction(
    transactionId: string,
    expectedVersion: number,
    patch: TransactionPatch,
    now: Date,
  ): Promise<TransactionRecord>;
  deleteTransaction(transactionId: string): Promise<void>;
  /** Transactions of `requester` still open at `now` (expiresAt > now), oldest first. */
  findOpenTransactions(requester: string, now: Date): Promise<TransactionRecord[]>;
  /** Open transactions (expiresAt > now) in `state`, least recently updated first, at most `limit`. */
  findTransactionsInState(state: string, now: Date, limit: number): Promise<TransactionRecord[]>;
}

/** Seen senderNonces (RFC 9483 §3.1 replay protection). */
export interface NonceStore {
  /** False when the nonce is recorded and not expired at `now` (a replay); else records it. */
  recordNonce(nonce: Uint8Array, expiresAt: Date, now: Date): Promise<boolean>;
  /** Whether the nonce is recorded and not expired at `now`; records nothing (a read). */
  nonceSeen(nonce: Uint8Array, now: Date): Promise<boolean>;
}

/** Enrollments waiting for an operator (RFC 9483 §4.4) and the decisions. */
export interface ApprovalStore {
  createApproval(rec: NewApproval, now: Date): Promise<ApprovalRecord>;
  getApproval(id: string): Promise<ApprovalRecord | undefined>;
  getApprovalByTransaction(transactionId: string): Promise<ApprovalRecord | undefined>;
  listApprovals(status?: ApprovalRecord["status"]): Promise<ApprovalRecord[]>;
  /** False unless the approval exists and is still pending. */
  decideApproval(
    id: string,
    decision: "approved" | "rejected",
    reason: string | undefined,
    now: Date,
  ): Promise<boolean>;
}

/** A published CRL (RFC 5280 §5) of one issuer and shard (0 when the CRL is not partitioned). */
export interface CrlRecord {
  issuer: string;
  shard: number;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: number;
  der: Uint8Array;
  createdAt: Date;
}
export type CrlInfo = Omit<CrlRecord, "der">;

/** Monotonic sequences such as CRL numbers (RFC 5280 §5.2.3) and the CRLs published. */
export interface CrlStore {
  /** The next value of the named sequence, starting at 1. */
  nextCounter(name: string): Promise<bigint>;
  saveCrl(rec: CrlRecord): Promise<void>;
  /** The CRL with the highest crlNumber of the issuer's shard, without its DER. */
  latestCrlInfo(issuer: string, shard: number): Promise<CrlInfo | undefined>;
  getCrl(issuer: string, shard: number, crlNumber: bigint): Promise<CrlRecord | undefined>;
}

/** The status an OCSP response states (RFC 6960 §2.2); a stored response carries the status it was signed for. */
export type OcspCertStatus = "good" | "revoked" | "unknown";

/** One pre-produced OCSPResponse (DER) for a certificate and CertID hash algorithm. */
export interface OcspResponseRecord {
  issuer: string;
  serial: string;
  /** CertID hash algorithm the response's SingleResponse names ("sha1", "sha256"). */
  hashAlgorithm: string;
  certStatus: OcspCertStatus;
  revocationTime?: Date;
  revocationReason?: number;
  der: Uint8Array;
  producedAt: Date;
  thisUpdate: Date;
  nextUpdate: Date;
}

/** What an OCSP responder reads of a certificate. */
export interface OcspSubject {
  serial: string;
  status: CertificateRecord["status"];
  revocationTime?: Date;
  revocationReason?: number;
  notAfter: Date;
}

/** Pre-produced OCSP responses (RFC 9919 §1): answering a request is one read. */
export interface OcspStore {
  /** The certificate's status with its stored response for the hash algorithm, in one read. */
  getOcspEntry(
    issuer: string,
    serial: string,
    hashAlgorithm: string,
  ): Promise<{ certificate: OcspSubject; response?: OcspResponseRecord } | undefined>;
  /** Inserts or replaces the response of (issuer, serial, hashAlgorithm). */
  putOcspResponse(rec: OcspResponseRecord): Promise<void>;
  /**
   * Certificates of `issuer` not expired at `now` whose response for the hash algorithm is missing,
   * states another status, or has nextUpdate <= refreshBefore; at most `limit`.
   */
  listOcspDue(
    issuer: string,
    hashAlgorithm: string,
    refreshBefore: Date,
    now: Date,
    limit: number,
  ): Promise<OcspSubject[]>;
}

/** Everything a unit of work may do; inside withTransaction bound to that transaction. */
export type StoreSession = CertificateStore &
  TransactionStore &
  NonceStore &
  ApprovalStore &
  CrlStore &
  OcspStore;

export interface TransactionOptions {
  /** The commit is on disk before withTransaction resolves. */
  durable?: boolean;
}

export type Store = StoreSession & {
  /** Applies pending migrations; `now` is recorded as their time (else the database's own time). */
  migrate(now?: Date): Promise<void>;
  close(): Promise<void>;
  /** Removes transactions and nonces expired at `now` (expiresAt <= now). */
  purgeExpired(now: Date): Promise<{ transactions: number; nonces: number }>;
  /**
   * Runs fn; everything it does through its session commits together or, when fn throws, not at
   * all (the error is rethrown). The store itself must not be used inside fn, only the session.
   */
  withTransaction<T>(fn: (s: StoreSession) => Promise<T>, opts?: TransactionOptions): Promise<T>;
};

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
