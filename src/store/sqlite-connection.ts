// One node:sqlite connection of the SQLite store: WAL journal, a statement cache, the switch to
// synchronous=FULL for durable commits, and the log's fsync on libuv's thread pool (`syncLog`).
import { closeSync, fsyncSync, openSync } from "node:fs";
import { open as openFile, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
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
  private log?: FileHandle;
  /** The fsync running now, and the one queued behind it for commits that came after it started. */
  private syncing?: Promise<void>;
  private queued?: Promise<void>;

  /** Whether the database runs with a write-ahead log (it does on every local file system). */
  readonly wal: boolean;

  constructor(private readonly path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(
      // Opening (the journal mode may change) waits as long as it takes; later statements briefly.
      "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; " +
        `PRAGMA busy_timeout = ${BUSY_WAIT_MS};`,
    );
    const mode = this.db.prepare("PRAGMA journal_mode").get() as { journal_mode?: string } | undefined;
    this.wal = mode?.journal_mode === "wal";
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

  /** One statement without parameters (BEGIN, SAVEPOINT, RELEASE, COMMIT) through the statement cache. */
  step(sql: string): void {
    this.q(sql).run();
  }

  /**
   * Runs `fn` with synchronous=FULL: a commit in it fsyncs the WAL (with every earlier commit in it),
   * so what it wrote survives a power loss. An async `fn` keeps FULL until its promise settles.
   */
  fullSync<T>(fn: () => T): T {
    const normal = () => this.db.exec("PRAGMA synchronous = NORMAL");
    this.db.exec("PRAGMA synchronous = FULL");
    let r: T;
    try {
      r = fn();
    } catch (e) {
      normal();
      throw e;
    }
    if (r instanceof Promise) return r.finally(normal) as T;
    normal();
    return r;
  }

  /**
   * Puts every commit made so far on disk: one fdatasync of the write-ahead log, run on libuv's thread
   * pool so the event loop goes on meanwhile. A commit made with synchronous=NORMAL is in the log but not
   * yet synced; after this it survives a power loss as one made with FULL would (the log is the only file
   * a WAL commit writes). Calls while a sync runs share one more sync started after it: a commit is
   * durable only after an fsync that began after the commit.
   */
  syncLog(): Promise<void> {
    if (!this.syncing) {
      const run = this.syncOnce().finally(() => {
        if (this.syncing === run) this.syncing = undefined;
      });
      this.syncing = run;
      return run;
    }
    this.queued ??= this.syncing
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.syncLog();
      });
    return this.queued;
  }

  private async syncOnce(): Promise<void> {
    if (!this.wal || this.path === "" || this.path === ":memory:") return;
    if (!this.log) {
      // This connection keeps the log file alive (SQLite deletes it when its last connection closes), so
      // the handle names the same file for the connection's life. Its directory entry is synced once.
      this.log = await openFile(`${this.path}-wal`, "r");
      const dir = openSync(dirname(this.path), "r");
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    await this.log.datasync();
  }

  close(): void {
    this.stmts.clear();
    this.db.close();
    void this.log?.close();
    this.log = undefined;
  }
}
