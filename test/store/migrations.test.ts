// Upgrading older stores (both backends): migration 2 moves the KEM secrets kept as meta keys
// "tx:<transactionID>:kem" into their transactions and drops the meta table; migration 6 adds the
// forwarding RA of a certificate and keeps the rows written before it (forwardedBy absent).
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, describe, it } from "node:test";
import pg from "pg";
import { MIGRATIONS } from "../../src/store/migrations/index.js";
import { openStore } from "../../src/store/open.js";
import { tempDir } from "../helpers/openssl.js";
import type { Store } from "../../src/store/store.js";
import { PG_URL, T0, cert, dropPgSchema, pgSchemaUrl } from "./backends.js";

const v1 = MIGRATIONS.find((m) => m.id === 1)!;
const SECRET = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
/** The migrations before the forwarding RA (migration 6). */
const BEFORE_6 = MIGRATIONS.filter((m) => m.id < 6);
const OLD_DER = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x07);
const RA = "CN=RA 1,O=lwcmp demo";

/** A certificate row as a store at migration 5 wrote it, in the backend's time and bytes values. */
function oldCertificateRow<T, B>(time: (d: Date) => T, bytes: (u: Uint8Array) => B) {
  const validity = [new Date("2026-01-01T00:00:00Z"), new Date("2027-01-01T00:00:00Z")].map(time);
  return ["CN=Issuing CA", "0c01", "CN=old-device", bytes(OLD_DER), ...validity, time(T0)];
}
const OLD_INSERT = (ph: (n: number) => string) =>
  `INSERT INTO certificates (issuer, serial, subject, der, not_before, not_after, created_at, status,
   profile, requester, transaction_id, spki_hash)
   VALUES (${[1, 2, 3, 4, 5, 6, 7].map(ph).join(", ")}, 'valid', 'default', 'kid:01', 'aa', 'h-old')`;

/** After migration 6: the old row reads back whole without a forwarding RA; a new one keeps its RA. */
async function checkForwardedBy(store: Store): Promise<void> {
  const old = await store.getCertificate("CN=Issuing CA", "0c01");
  assert.ok(old);
  assert.equal(old.subject, "CN=old-device");
  assert.equal(old.status, "valid");
  assert.equal(old.spkiHash, "h-old");
  assert.equal(old.createdAt.getTime(), T0.getTime());
  assert.deepEqual([...old.der], [...OLD_DER]);
  assert.equal(old.forwardedBy, undefined);
  await store.insertCertificate(cert("0c02", { forwardedBy: RA }));
  assert.equal((await store.getCertificate("CN=Issuing CA", "0c02"))!.forwardedBy, RA);
  assert.deepEqual(
    (await store.findCertificates({ forwardedBy: RA })).map((c) => c.serial),
    ["0c02"],
  );
}

describe("migration 2: sqlite", () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it("carries a transaction's KEM secret from meta into the transaction and drops meta", async () => {
    const path = join(dir.path, "v1.db");
    const db = new DatabaseSync(path);
    db.exec(
      "CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    db.exec(v1.sqlite);
    db.prepare("INSERT INTO schema_migrations VALUES (1, ?, ?)").run(v1.name, T0.getTime());
    const insertTx = db.prepare(
      `INSERT INTO transactions (transaction_id, requester, kind, state, expires_at, created_at, updated_at, version)
       VALUES (?, 'kid:01', 'kem', 'kem-protection', ?, ?, ?, 1)`,
    );
    for (const id of ["m1", "m2"]) insertTx.run(id, T0.getTime() + 60_000, T0.getTime(), T0.getTime());
    db.prepare("INSERT INTO meta (key, value) VALUES ('tx:m1:kem', ?)").run(SECRET);
    db.close();

    const store = await openStore(`sqlite:${path}`);
    try {
      assert.deepEqual([...(await store.getTransaction("m1"))!.kemSecret!], [...SECRET]);
      assert.equal((await store.getTransaction("m2"))!.kemSecret, null);
    } finally {
      await store.close();
    }
    const check = new DatabaseSync(path);
    const tables = check
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((r) => r.name);
    const applied = check
      .prepare("SELECT id FROM schema_migrations ORDER BY id")
      .all()
      .map((r) => r.id);
    check.close();
    assert.ok(!tables.includes("meta"));
    assert.deepEqual(
      applied,
      MIGRATIONS.map((m) => m.id),
    );
  });
});

describe("migration 6: sqlite", () => {
  const dir = tempDir();
  after(() => dir.cleanup());

  it("adds the forwarding RA; a certificate stored before it keeps its fields, without one", async () => {
    const path = join(dir.path, "v5.db");
    const db = new DatabaseSync(path);
    db.exec(
      "CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    );
    for (const m of BEFORE_6) {
      db.exec(m.sqlite);
      db.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(m.id, m.name, T0.getTime());
    }
    db.prepare(OLD_INSERT(() => "?")).run(
      ...oldCertificateRow(
        (d) => d.getTime(),
        (u) => u,
      ),
    );
    db.close();

    const store = await openStore(`sqlite:${path}`);
    try {
      await checkForwardedBy(store);
    } finally {
      await store.close();
    }
  });
});

if (process.env.LWCMP_TEST_PG !== "off") {
  describe("migration 6: postgres", () => {
    it("adds the forwarding RA; a certificate stored before it keeps its fields, without one", async () => {
      const { schema, url } = pgSchemaUrl();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA "${schema}"`);
        await client.query(`SET search_path TO "${schema}"`);
        await client.query(
          "CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
        );
        for (const m of BEFORE_6) {
          await client.query(m.postgres);
          await client.query("INSERT INTO schema_migrations VALUES ($1, $2, $3)", [m.id, m.name, T0]);
        }
        await client.query(
          OLD_INSERT((n) => `$${n}`),
          oldCertificateRow((d) => d, Buffer.from),
        );
        const store = await openStore(url);
        try {
          await checkForwardedBy(store);
        } finally {
          await store.close();
        }
      } finally {
        await client.end();
        await dropPgSchema(url);
      }
    });
  });

  describe("migration 2: postgres", () => {
    it("carries a transaction's KEM secret from meta into the transaction and drops meta", async () => {
      const { schema, url } = pgSchemaUrl();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA "${schema}"`);
        await client.query(`SET search_path TO "${schema}"`);
        await client.query(
          "CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
        );
        await client.query(v1.postgres);
        await client.query("INSERT INTO schema_migrations VALUES (1, $1, $2)", [v1.name, T0]);
        for (const id of ["m1", "m2"]) {
          await client.query(
            `INSERT INTO transactions (transaction_id, requester, kind, state, expires_at, created_at, updated_at, version)
             VALUES ($1, 'kid:01', 'kem', 'kem-protection', $2, $3, $3, 1)`,
            [id, new Date(T0.getTime() + 60_000), T0],
          );
        }
        await client.query("INSERT INTO meta (key, value) VALUES ('tx:m1:kem', $1)", [Buffer.from(SECRET)]);

        const store = await openStore(url);
        try {
          assert.deepEqual([...(await store.getTransaction("m1"))!.kemSecret!], [...SECRET]);
          assert.equal((await store.getTransaction("m2"))!.kemSecret, null);
        } finally {
          await store.close();
        }
        const meta = await client.query("SELECT to_regclass('meta') AS t");
        assert.equal(meta.rows[0].t, null);
        const applied = await client.query("SELECT id FROM schema_migrations ORDER BY id");
        assert.deepEqual(
          applied.rows.map((r) => r.id),
          MIGRATIONS.map((m) => m.id),
        );
      } finally {
        await client.end();
        await dropPgSchema(url);
      }
    });
  });
}
