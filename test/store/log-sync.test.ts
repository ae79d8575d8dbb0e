// Durable units of work are answered only after the write-ahead log was synced, and that sync runs off
// the event loop without holding the store's queue (src/store/sqlite.ts, src/store/sqlite-connection.ts).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, it } from "node:test";
import { SqliteConnection } from "../../src/store/sqlite-connection.js";
import { SqliteStore } from "../../src/store/sqlite.js";

const nonce = (n: number) => new Uint8Array(16).fill(n);
const later = () => new Date(Date.now() + 60_000);

/** The store's connection, with its log sync held until `release` is called (the real sync runs then). */
function holdSyncs(store: SqliteStore) {
  const conn = (store as unknown as { conn: SqliteConnection }).conn;
  const real = conn.syncLog.bind(conn);
  const state = { calls: 0, release: () => {} };
  let gate = new Promise<void>((r) => (state.release = r));
  conn.syncLog = async () => {
    state.calls++;
    await gate;
    gate = Promise.resolve();
    return real();
  };
  return state;
}

function withDir(fn: (file: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "lwcmp-logsync-"));
    try {
      await fn(join(dir, "s.db"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe("the log sync of durable commits", () => {
  it(
    "answers a durable unit only after the sync, while the commit is visible and the queue free",
    withDir(async (file) => {
      const store = new SqliteStore(file);
      await store.migrate();
      const held = holdSyncs(store);
      assert.equal(
        (store as unknown as { conn: SqliteConnection }).conn.wal,
        true,
        "a file database keeps a WAL",
      );
      let answered = false;
      const first = store
        .withTransaction((s) => s.recordNonce(nonce(1), later(), new Date()), { durable: true })
        .then((v) => ((answered = true), v));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(held.calls, 1, "the sync was asked for");
      assert.equal(answered, false, "no answer before the log is synced");
      const other = new DatabaseSync(file);
      const rows = other.prepare("SELECT COUNT(*) AS n FROM nonces").get() as { n: number };
      assert.equal(Number(rows.n), 1, "the COMMIT happened before the sync");
      other.close();
      // The queue is not held by the pending sync: a plain write goes through meanwhile.
      assert.equal(await store.recordNonce(nonce(2), later(), new Date()), true);
      assert.equal(answered, false);
      held.release();
      assert.equal(await first, true);
      await store.close();
    }),
  );

  it("an in-memory database has no log to sync: durable units commit with synchronous=FULL instead", async () => {
    const store = new SqliteStore(":memory:");
    await store.migrate();
    const conn = (store as unknown as { conn: SqliteConnection }).conn;
    assert.equal(conn.wal, false);
    const held = holdSyncs(store);
    assert.equal(
      await store.withTransaction((s) => s.recordNonce(nonce(4), later(), new Date()), { durable: true }),
      true,
    );
    assert.equal(held.calls, 0, "no log sync asked for");
    await store.close();
  });

  it(
    "does not sync for units that are not durable",
    withDir(async (file) => {
      const store = new SqliteStore(file);
      await store.migrate();
      const held = holdSyncs(store);
      assert.equal(await store.withTransaction((s) => s.recordNonce(nonce(3), later(), new Date())), true);
      assert.equal(held.calls, 0);
      await store.close();
    }),
  );

  it(
    "shares one sync among the commits that came while another sync ran",
    withDir(async (file) => {
      const conn = new SqliteConnection(file);
      conn.exec("CREATE TABLE t (x INTEGER)");
      conn.exec("INSERT INTO t VALUES (1)");
      let syncs = 0;
      const log = conn as unknown as { syncOnce: () => Promise<void> };
      const real = log.syncOnce.bind(conn);
      log.syncOnce = async () => {
        syncs++;
        await new Promise((r) => setTimeout(r, 20));
        return real();
      };
      const first = conn.syncLog();
      const waiting = [conn.syncLog(), conn.syncLog(), conn.syncLog()];
      assert.equal(waiting[0], waiting[2], "the later callers share one promise");
      await Promise.all([first, ...waiting]);
      assert.equal(syncs, 2, "one sync running, one after it for the commits that came meanwhile");
      conn.close();
    }),
  );
});
