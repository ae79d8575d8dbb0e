// SQLite store on node:sqlite: WAL journal; certificate writes and units of work asking for it commit
// with synchronous=FULL (on disk before the CA answers), bookkeeping with NORMAL. One connection is
// shared by async callers, so every operation goes through a FIFO queue: nothing runs inside another
// caller's open transaction.
import { resolve } from "node:path";
import { MIGRATIONS } from "./migrations/index.js";
import { Mutex, BoundSession, SessionFront, TransactionScope } from "./session.js";
import { SqliteConnection, SqliteSession } from "./sqlite-session.js";
import type { Store, StoreSession, TransactionOptions } from "./store.js";
import type { Row } from "./rows.js";

interface Lane {
  queue: Mutex;
  scope: TransactionScope;
}

/** One lane per database file in this process: connections to the same file share it. */
const LANES = new Map<string, Lane>();

function laneFor(path: string): Lane {
  const fresh = () => ({ queue: new Mutex(), scope: new TransactionScope() });
  if (path === ":memory:" || path === "") return fresh();
  const key = resolve(path);
  let lane = LANES.get(key);
  if (!lane) {
    lane = fresh();
    LANES.set(key, lane);
  }
  return lane;
}

export class SqliteStore extends SessionFront implements Store {
  private readonly conn: SqliteConnection;
  private readonly plain: SqliteSession;
  private readonly lane: Lane;

  constructor(path: string) {
    super();
    this.conn = new SqliteConnection(path);
    this.plain = new SqliteSession(this.conn, false);
    this.lane = laneFor(path);
  }

  protected async gate<T>(op: (s: StoreSession) => Promise<T>): Promise<T> {
    this.lane.scope.assertOutside();
    return this.lane.queue.run(() => op(this.plain));
  }

  private async serial<T>(fn: () => T | Promise<T>): Promise<T> {
    this.lane.scope.assertOutside();
    return this.lane.queue.run(fn);
  }

  migrate(now?: Date): Promise<void> {
    return this.serial(() => {
      this.conn.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
      );
      const done = new Set(
        (this.conn.q("SELECT id FROM schema_migrations").all() as Row[]).map((r) => Number(r.id)),
      );
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        this.conn.exec("BEGIN IMMEDIATE");
        try {
          this.conn.exec(m.sqlite);
          this.conn
            .q(
              `INSERT INTO schema_migrations (id, name, applied_at)
               VALUES (?, ?, COALESCE(?, CAST(unixepoch('subsec') * 1000 AS INTEGER)))`,
            )
            .run(m.id, m.name, now ? now.getTime() : null);
          this.conn.exec("COMMIT");
        } catch (e) {
          this.conn.exec("ROLLBACK");
          throw e;
        }
      }
    });
  }

  close(): Promise<void> {
    return this.serial(() => this.conn.close());
  }

  purgeExpired(now: Date): Promise<{ transactions: number; nonces: number }> {
    return this.serial(() => this.plain.purgeExpired(now));
  }

  withTransaction<T>(fn: (s: StoreSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    // The level of synchronous cannot change inside a transaction: choose it before BEGIN.
    return this.serial(() => (opts.durable ? this.conn.fullSyncAsync(() => this.unit(fn)) : this.unit(fn)));
  }

  private async unit<T>(fn: (s: StoreSession) => Promise<T>): Promise<T> {
    const session = new BoundSession(new SqliteSession(this.conn, true));
    this.conn.exec("BEGIN IMMEDIATE");
    try {
      const r = await this.lane.scope.run(() => fn(session));
      session.end();
      this.conn.exec("COMMIT");
      return r;
    } catch (e) {
      session.end();
      if (this.conn.db.isTransaction) this.conn.exec("ROLLBACK");
      throw e;
    }
  }
}
