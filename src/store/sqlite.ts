// SQLite store on node:sqlite: WAL journal; certificate writes and units of work asking for it are on
// disk before the CA answers (the log is synced after their COMMIT, off the event loop), bookkeeping
// commits with synchronous=NORMAL. One connection is
// shared by async callers, so every operation goes through a FIFO queue: nothing runs inside another
// caller's open transaction. Units of work waiting together commit as one group (one fsync).
import { resolve } from "node:path";
import { MIGRATIONS } from "./migrations/index.js";
import { Mutex, BoundSession, SessionFront, TransactionScope } from "./session.js";
import { retryBusy, SqliteConnection } from "./sqlite-connection.js";
import { SqliteSession } from "./sqlite-session.js";
import type { Store, StoreSession, TransactionOptions } from "./store.js";
import type { Row } from "./rows.js";

/** Pages in the log before SQLite checkpoints inside a COMMIT (its default is 1000). */
const AUTO_CHECKPOINT_PAGES = 4000;
/** Quiet time after the last commit before the store checkpoints the log itself. */
const IDLE_CHECKPOINT_MS = 250;

/** A unit of work waiting for the next group commit. */
interface PendingUnit {
  fn: (s: StoreSession) => Promise<unknown>;
  durable: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

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
  private pending: PendingUnit[] = [];
  private idleTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(path: string) {
    super();
    this.conn = new SqliteConnection(path);
    this.plain = new SqliteSession(this.conn, false);
    this.lane = laneFor(path);
    // SQLite checkpoints the log inside a COMMIT once it holds this many pages, stalling that COMMIT's
    // callers; before it comes to that, the store checkpoints when it has been idle (see `idleCheckpoint`).
    this.conn.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  }

  protected async gate<T>(op: (s: StoreSession) => Promise<T>): Promise<T> {
    this.lane.scope.assertOutside();
    return this.lane.queue.run(() => retryBusy(() => op(this.plain)));
  }

  private async serial<T>(fn: () => T | Promise<T>): Promise<T> {
    this.lane.scope.assertOutside();
    return this.lane.queue.run(fn);
  }

  migrate(now?: Date): Promise<void> {
    // Workers starting together migrate one after the other: a busy database is waited for, then re-read.
    return this.serial(() => retryBusy(() => this.migrateNow(now)));
  }

  private migrateNow(now?: Date): void {
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
  }

  close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    return this.serial(() => this.conn.close());
  }

  purgeExpired(now: Date): Promise<{ transactions: number; nonces: number }> {
    return this.serial(() => this.plain.purgeExpired(now));
  }

  /**
   * Units of work queue up and commit together: one BEGIN IMMEDIATE ... COMMIT (and with a durable unit
   * among them, one fsync) for the whole group, each unit in a savepoint of its own so a failing unit
   * rolls back alone. Every caller's promise settles only after the group's COMMIT returned.
   */
  withTransaction<T>(fn: (s: StoreSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    this.lane.scope.assertOutside();
    return new Promise<T>((resolve, reject) => {
      const unit = { fn, durable: opts.durable === true, resolve: resolve as (v: unknown) => void, reject };
      if (this.pending.push(unit) === 1) {
        // One turn of the event loop lets the requests being processed right now join the group.
        setImmediate(() => void this.commitGroup());
      }
    });
  }

  /** After a quiet moment without commits, a passive checkpoint (it never waits for other writers). */
  private scheduleIdleCheckpoint(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.closed) return;
      void this.lane.queue
        .run(() => {
          if (!this.closed && !this.conn.db.isTransaction) this.conn.exec("PRAGMA wal_checkpoint(PASSIVE)");
        })
        .catch(() => undefined); // busy: the next quiet moment, or SQLite's own checkpoint
    }, IDLE_CHECKPOINT_MS);
    this.idleTimer.unref();
  }

  /**
   * Commits the group with synchronous=NORMAL inside the queue, then (outside it, so the next group can
   * begin) syncs the log on the thread pool when a durable unit is in the group; only then are the
   * callers answered. The event loop is never blocked by the fsync.
   */
  private async commitGroup(): Promise<void> {
    let group: PendingUnit[] = [];
    let outcomes: Outcome[];
    try {
      let durable = false;
      outcomes = await this.lane.queue.run(() => {
        // Units that came while the queue was busy join the group.
        group = this.pending;
        this.pending = [];
        durable = group.some((u) => u.durable);
        this.scheduleIdleCheckpoint();
        // Without a write-ahead log (a file system where SQLite cannot keep one) the COMMIT itself syncs.
        return durable && !this.conn.wal
          ? this.conn.fullSync(() => this.runGroup(group))
          : this.runGroup(group);
      });
      if (durable && this.conn.wal) await this.conn.syncLog();
    } catch (e) {
      for (const u of group) u.reject(e);
      return;
    }
    group.forEach((u, i) => {
      const o = outcomes[i]!;
      if (o.ok) u.resolve(o.value);
      else u.reject(o.error);
    });
  }

  private async runGroup(group: readonly PendingUnit[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    // Another process (a worker of `lwcmp serve --workers N`) may hold the write lock: wait off the event loop.
    await retryBusy(() => this.conn.step("BEGIN IMMEDIATE"));
    try {
      for (const u of group) outcomes.push(await this.unit(u.fn));
      this.conn.step("COMMIT");
      return outcomes;
    } catch (e) {
      if (this.conn.db.isTransaction) this.conn.exec("ROLLBACK");
      throw e;
    }
  }

  private async unit(fn: (s: StoreSession) => Promise<unknown>): Promise<Outcome> {
    const session = new BoundSession(new SqliteSession(this.conn, true));
    this.conn.step("SAVEPOINT lwcmp_unit");
    try {
      const value = await this.lane.scope.run(() => fn(session));
      session.end();
      this.conn.step("RELEASE lwcmp_unit");
      return { ok: true, value };
    } catch (error) {
      session.end();
      this.conn.exec("ROLLBACK TO lwcmp_unit; RELEASE lwcmp_unit");
      return { ok: false, error };
    }
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
