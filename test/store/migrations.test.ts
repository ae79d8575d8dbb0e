// Upgrading a store made by migration 1: migration 2 moves the KEM secrets kept as meta keys
// "tx:<transactionID>:kem" into their transactions and drops the meta table (both backends).
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, describe, it } from "node:test";
import pg from "pg";
import { MIGRATIONS } from "../../src/store/migrations/index.js";
import { openStore } from "../../src/store/open.js";
import { tempDir } from "../helpers/openssl.js";
import { PG_URL, T0, dropPgSchema, pgSchemaUrl } from "./backends.js";

const v1 = MIGRATIONS.find((m) => m.id === 1)!;
const SECRET = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);

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

if (process.env.LWCMP_TEST_PG !== "off") {
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
