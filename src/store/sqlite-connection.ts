// One node:sqlite connection of the SQLite store: WAL journal, a statement cache, and the switch to
// synchronous=FULL for durable commits.
import { DatabaseSync, type StatementSync } from "node:sqlite";

/** One SQLite connection with a statement cache. */
export class SqliteConnection {
  readonly db: DatabaseSync;
  private readonly stmts = new Map<string, StatementSync>();

  constructor(path: string) {
    this.db = new DatabaseSync(path);
    this.db.exec(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
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
