// Another process holding the SQLite write lock (a second `lwcmp serve` worker) is waited for without
// blocking this process's event loop, and the write then succeeds (src/store/sqlite-connection.ts).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, it } from "node:test";
import { isBusy, retryBusy } from "../../src/store/sqlite-connection.js";
import { openStore } from "../../src/store/open.js";

describe("a busy SQLite database", () => {
  it("a unit of work waits for the other writer while timers of this process keep firing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lwcmp-busy-"));
    try {
      const file = join(dir, "s.db");
      const store = await openStore(`sqlite:${file}`);
      const other = new DatabaseSync(file);
      other.exec("BEGIN IMMEDIATE");
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      setTimeout(() => other.exec("COMMIT"), 200);
      const t0 = Date.now();
      const fresh = await store.recordNonce(
        new Uint8Array(16).fill(1),
        new Date(Date.now() + 60_000),
        new Date(),
      );
      const waited = Date.now() - t0;
      clearInterval(timer);
      assert.equal(fresh, true, "the write went through after the other writer committed");
      assert.ok(waited >= 150, `it waited for the lock (${waited} ms)`);
      assert.ok(ticks >= 10, `the event loop ran meanwhile (${ticks} ticks)`);
      other.close();
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("retryBusy retries SQLITE_BUSY only, and gives up on other errors at once", async () => {
    let calls = 0;
    const busy = Object.assign(new Error("database is locked"), { errcode: 5 });
    assert.equal(isBusy(busy), true);
    assert.equal(await retryBusy(() => (++calls < 3 ? Promise.reject(busy) : "done")), "done");
    assert.equal(calls, 3);
    calls = 0;
    await assert.rejects(
      retryBusy(() => {
        calls++;
        throw Object.assign(new Error("constraint"), { errcode: 19 });
      }),
      /constraint/,
    );
    assert.equal(calls, 1);
  });
});

describe("WAL checkpoints of the SQLite store", () => {
  it("checkpoints when idle: the next burst of commits reuses the log instead of growing it", async () => {
    const { statSync } = await import("node:fs");
    const { cert } = await import("./backends.js");
    const dir = mkdtempSync(join(tmpdir(), "lwcmp-wal-"));
    try {
      const file = join(dir, "s.db");
      const store = await openStore(`sqlite:${file}`);
      const burst = async (tag: string) => {
        for (let i = 0; i < 150; i++) {
          await store.withTransaction(
            (s) => s.insertCertificate(cert(`${tag}${i.toString(16).padStart(4, "0")}`)),
            {
              durable: true,
            },
          );
        }
      };
      await burst("a1");
      const first = statSync(`${file}-wal`).size;
      await new Promise((r) => setTimeout(r, 600)); // quiet: the store checkpoints
      await burst("a2");
      const second = statSync(`${file}-wal`).size;
      assert.ok(first > 0);
      assert.ok(
        second < first * 1.5,
        `the log was reused after the idle checkpoint (${first} -> ${second} bytes)`,
      );
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
