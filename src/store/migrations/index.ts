// Numbered schema migrations; each entry is applied once and recorded in schema_migrations.
// Applied migrations never change: a schema change is a new entry.
export interface Migration {
  id: number;
  name: string;
  sqlite: string;
  postgres: string;
}

/** The column types the two databases spell differently. */
interface Dialect {
  bytes: string;
  time: string;
  bigint: string;
}
const SQLITE: Dialect = { bytes: "BLOB", time: "INTEGER", bigint: "INTEGER" };
const POSTGRES: Dialect = { bytes: "BYTEA", time: "TIMESTAMPTZ", bigint: "BIGINT" };

/** Migration 1 in either dialect: times are epoch milliseconds in SQLite, TIMESTAMPTZ in PostgreSQL. */
function initialSchema({ bytes, time, bigint }: Dialect): string {
  return `
      CREATE TABLE certificates (
        issuer TEXT NOT NULL, serial TEXT NOT NULL, subject TEXT NOT NULL, der ${bytes} NOT NULL,
        not_before ${time} NOT NULL, not_after ${time} NOT NULL, status TEXT NOT NULL,
        revocation_time ${time}, revocation_reason INTEGER, invalidity_date ${time},
        profile TEXT NOT NULL, requester TEXT, transaction_id TEXT, created_at ${time} NOT NULL,
        PRIMARY KEY (issuer, serial));
      CREATE INDEX certificates_subject ON certificates(subject);
      CREATE INDEX certificates_status ON certificates(issuer, status);
      CREATE TABLE transactions (
        transaction_id TEXT PRIMARY KEY, requester TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
        data ${bytes}, last_sender_nonce ${bytes}, expires_at ${time} NOT NULL, created_at ${time} NOT NULL,
        updated_at ${time} NOT NULL, version INTEGER NOT NULL);
      CREATE TABLE nonces (nonce ${bytes} PRIMARY KEY, expires_at ${time} NOT NULL);
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY, transaction_id TEXT NOT NULL, requester TEXT NOT NULL, profile TEXT NOT NULL,
        summary TEXT NOT NULL, request ${bytes} NOT NULL, status TEXT NOT NULL, reason TEXT,
        created_at ${time} NOT NULL, decided_at ${time});
      CREATE INDEX approvals_tx ON approvals(transaction_id);
      CREATE TABLE counters (name TEXT PRIMARY KEY, value ${bigint} NOT NULL);
      CREATE TABLE meta (key TEXT PRIMARY KEY, value ${bytes} NOT NULL);`;
}

export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: "initial schema",
    sqlite: initialSchema(SQLITE),
    postgres: initialSchema(POSTGRES),
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
    name: "pre-produced OCSP responses",
    sqlite: `
      CREATE TABLE ocsp_responses (
        issuer TEXT NOT NULL, serial TEXT NOT NULL, hash_alg TEXT NOT NULL, cert_status TEXT NOT NULL,
        revocation_time INTEGER, revocation_reason INTEGER, der BLOB NOT NULL, produced_at INTEGER NOT NULL,
        this_update INTEGER NOT NULL, next_update INTEGER NOT NULL,
        PRIMARY KEY (issuer, serial, hash_alg));
      CREATE INDEX ocsp_responses_next_update ON ocsp_responses(issuer, hash_alg, next_update);`,
    postgres: `
      CREATE TABLE ocsp_responses (
        issuer TEXT NOT NULL, serial TEXT NOT NULL, hash_alg TEXT NOT NULL, cert_status TEXT NOT NULL,
        revocation_time TIMESTAMPTZ, revocation_reason INTEGER, der BYTEA NOT NULL,
        produced_at TIMESTAMPTZ NOT NULL, this_update TIMESTAMPTZ NOT NULL, next_update TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (issuer, serial, hash_alg));
      CREATE INDEX ocsp_responses_next_update ON ocsp_responses(issuer, hash_alg, next_update);`,
  },
  {
    id: 4,
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
  {
    id: 5,
    name: "certificates found by the SHA-256 of their SubjectPublicKeyInfo",
    sqlite: `
      ALTER TABLE certificates ADD COLUMN spki_hash TEXT;
      CREATE INDEX certificates_spki ON certificates(issuer, spki_hash);`,
    postgres: `
      ALTER TABLE certificates ADD COLUMN spki_hash TEXT;
      CREATE INDEX certificates_spki ON certificates(issuer, spki_hash);`,
  },
  {
    id: 6,
    // RFC 9483 §5.2: the RA that forwarded the request; NULL in the rows written before.
    name: "certificates record the RA that forwarded the request",
    sqlite: `
      ALTER TABLE certificates ADD COLUMN forwarded_by TEXT;
      CREATE INDEX certificates_forwarded_by ON certificates(issuer, forwarded_by);`,
    postgres: `
      ALTER TABLE certificates ADD COLUMN forwarded_by TEXT;
      CREATE INDEX certificates_forwarded_by ON certificates(issuer, forwarded_by);`,
  },
];
