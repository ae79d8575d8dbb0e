// Numbered schema migrations; each entry is applied once and recorded in schema_migrations.
// Applied migrations never change: a schema change is a new entry.
export interface Migration {
  id: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: "initial schema",
    sqlite: `
      CREATE TABLE certificates (
        issuer TEXT NOT NULL, serial TEXT NOT NULL, subject TEXT NOT NULL, der BLOB NOT NULL,
        not_before INTEGER NOT NULL, not_after INTEGER NOT NULL, status TEXT NOT NULL,
        revocation_time INTEGER, revocation_reason INTEGER, invalidity_date INTEGER,
        profile TEXT NOT NULL, requester TEXT, transaction_id TEXT, created_at INTEGER NOT NULL,
        PRIMARY KEY (issuer, serial));
      CREATE INDEX certificates_subject ON certificates(subject);
      CREATE INDEX certificates_status ON certificates(issuer, status);
      CREATE TABLE transactions (
        transaction_id TEXT PRIMARY KEY, requester TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
        data BLOB, last_sender_nonce BLOB, expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE nonces (nonce BLOB PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY, transaction_id TEXT NOT NULL, requester TEXT NOT NULL, profile TEXT NOT NULL,
        summary TEXT NOT NULL, request BLOB NOT NULL, status TEXT NOT NULL, reason TEXT,
        created_at INTEGER NOT NULL, decided_at INTEGER);
      CREATE INDEX approvals_tx ON approvals(transaction_id);
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);`,
    postgres: `
      CREATE TABLE certificates (
        issuer TEXT NOT NULL, serial TEXT NOT NULL, subject TEXT NOT NULL, der BYTEA NOT NULL,
        not_before TIMESTAMPTZ NOT NULL, not_after TIMESTAMPTZ NOT NULL, status TEXT NOT NULL,
        revocation_time TIMESTAMPTZ, revocation_reason INTEGER, invalidity_date TIMESTAMPTZ,
        profile TEXT NOT NULL, requester TEXT, transaction_id TEXT, created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (issuer, serial));
      CREATE INDEX certificates_subject ON certificates(subject);
      CREATE INDEX certificates_status ON certificates(issuer, status);
      CREATE TABLE transactions (
        transaction_id TEXT PRIMARY KEY, requester TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
        data BYTEA, last_sender_nonce BYTEA, expires_at TIMESTAMPTZ NOT NULL, created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE nonces (nonce BYTEA PRIMARY KEY, expires_at TIMESTAMPTZ NOT NULL);
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY, transaction_id TEXT NOT NULL, requester TEXT NOT NULL, profile TEXT NOT NULL,
        summary TEXT NOT NULL, request BYTEA NOT NULL, status TEXT NOT NULL, reason TEXT,
        created_at TIMESTAMPTZ NOT NULL, decided_at TIMESTAMPTZ);
      CREATE INDEX approvals_tx ON approvals(transaction_id);
      CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value BYTEA NOT NULL);`,
  },
  {
    id: 2,
    name: "KEM shared secret as a transaction column; meta table dropped",
    // The secrets kept as meta keys "tx:<transactionID>:kem" move into their transactions.
    sqlite: `
      ALTER TABLE transactions ADD COLUMN kem_secret BLOB;
      UPDATE transactions SET kem_secret =
        (SELECT value FROM meta WHERE meta.key = 'tx:' || transactions.transaction_id || ':kem');
      DROP TABLE meta;`,
    postgres: `
      ALTER TABLE transactions ADD COLUMN kem_secret BYTEA;
      UPDATE transactions t SET kem_secret = m.value FROM meta m WHERE m.key = 'tx:' || t.transaction_id || ':kem';
      DROP TABLE meta;`,
  },
  {
    id: 3,
    name: "published CRLs; indexes for revoked-serial scans and certificate search",
    sqlite: `
      CREATE TABLE crls (
        issuer TEXT NOT NULL, shard INTEGER NOT NULL, crl_number INTEGER NOT NULL,
        this_update INTEGER NOT NULL, next_update INTEGER NOT NULL, entries INTEGER NOT NULL,
        der BLOB NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (issuer, shard, crl_number));
      CREATE INDEX certificates_revoked_serial ON certificates(issuer, status, serial);
      CREATE INDEX certificates_created ON certificates(created_at);`,
    postgres: `
      CREATE TABLE crls (
        issuer TEXT NOT NULL, shard INTEGER NOT NULL, crl_number BIGINT NOT NULL,
        this_update TIMESTAMPTZ NOT NULL, next_update TIMESTAMPTZ NOT NULL, entries INTEGER NOT NULL,
        der BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (issuer, shard, crl_number));
      CREATE INDEX certificates_revoked_serial ON certificates(issuer, status, serial);
      CREATE INDEX certificates_created ON certificates(created_at);`,
  },
];
