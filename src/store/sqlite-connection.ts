// One node:sqlite connection of the SQLite store: WAL journal, a statement cache, and the switch to
// synchronous=FULL for durable commits.
import { DatabaseSync, type StatementSync } from "node:sqlite";

/**
 * How long SQLite itself waits for another process's write lock, blocking the thread: briefly. Longer
 * waits happen in `retryBusy`, off the event loop, so the other requests of this process go on meanwhile.
 */
const BUSY_WAIT_MS = 10;
/** The longest a write waits for the lock, in all. */
const BUSY_GIVE_UP_MS = 5_000;

/** Whether an error is SQLITE_BUSY (another connection holds the write lock). */
export function isBusy(e: unknown): boolean {
  return typeof e === "object" && e !== null && ((e as { errcode?: number }).errcode ?? 0) % 256 === 5;
}

/** Runs `fn` until it does not meet a busy database, sleeping between attempts (0.5 ms doubling to 20 ms). */
export async function retryBusy<T>(fn: () => T | Promise<T>): Promise<T> {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isBusy(e) || Date.now() - start > BUSY_GIVE_UP_MS) throw e;
      await new Promise((r) => setTimeout(r, Math.min(20, 0.5 * 2 ** attempt)));
    }
  }
}

/** One SQLite connection with a statement cache. */
export class SqliteConnection {
  readonly db: DatabaseSync;
  private readonly stmts = new Map<string, StatementSync>();

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(
      // Opening (the journal mode may change) waits as long as it takes; later statements briefly.
      "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; " +
        `PRAGMA busy_timeout = ${BUSY_WAIT_MS};`,
    );
  }

  q(sql: string): StatementSync {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  /**
   * Runs `fn` with synchronous=FULL: a commit in it fsyncs the WAL (with every earlier commit in it),
   * so what it wrote survives a power loss.
   */
  fullSync<T>(fn: () => T): T {
    this.db.exec("PRAGMA synchronous = FULL");
    try {
      return fn();
    } finally {
      this.db.exec("PRAGMA synchronous = NORMAL");
    }
  }

  async fullSyncAsync<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec("PRAGMA synchronous = FULL");
    try {
      return await fn();
    } finally {
      this.db.exec("PRAGMA synchronous = NORMAL");
    }
  }

  close(): void {
    this.stmts.clear();
    this.db.close();
  }
}
