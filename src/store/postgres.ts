// PostgreSQL store for several CA replicas: same schema as SQLite; row locks and a version column
// keep concurrent continuations of one transaction safe; a unit of work holds one pooled client
// between BEGIN and COMMIT. The schema is selectable with ?schema=NAME.
import pg from "pg";
import { MIGRATIONS } from "./migrations/index.js";
import { ClientExecutor, PgSession, PoolExecutor } from "./postgres-session.js";
import { BoundSession, SessionFront, TransactionScope } from "./session.js";
import { StoreError, type Store, type StoreSession, type TransactionOptions } from "./store.js";

export class PostgresStore extends SessionFront implements Store {
  private readonly pooled: PoolExecutor;
  private readonly plain: PgSession;
  private readonly scope = new TransactionScope();

  private constructor(
    private readonly pool: pg.Pool,
    readonly schema: string,
  ) {
    super();
    this.pooled = new PoolExecutor(pool);
    this.plain = new PgSession(this.pooled);
  }

  static async connect(url: string): Promise<PostgresStore> {
    const u = new URL(url);
    const schema = u.searchParams.get("schema") ?? "public";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new StoreError(`invalid schema name "${schema}"`);
    u.searchParams.delete("schema");
    // Every pooled connection starts with the store's schema first on its search_path.
    const pool = new pg.Pool({
      connectionString: u.toString(),
      max: 10,
      options: `-c search_path=${schema}`,
    });
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } catch (e) {
      await pool.end();
      throw new StoreError(`cannot reach PostgreSQL at ${u.host}: ${(e as Error).message}`);
    }
    return new PostgresStore(pool, schema);
  }

  protected async gate<T>(op: (s: StoreSession) => Promise<T>): Promise<T> {
    this.scope.assertOutside();
    return op(this.plain);
  }

  async migrate(now?: Date): Promise<void> {
    this.scope.assertOutside();
    await this.pooled.atomic(async (q) => {
      // One migrator at a time across replicas.
      await q("SELECT pg_advisory_xact_lock(727374)");
      await q(
        "CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
      );
      const done = new Set((await q("SELECT id FROM schema_migrations")).rows.map((r) => Number(r.id)));
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        await q(m.postgres);
        await q(
          "INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, COALESCE($3::timestamptz, now()))",
          [m.id, m.name, now ?? null],
        );
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Drops this store's schema (tests). */
  async dropSchema(): Promise<void> {
    await this.pool.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
  }

  async purgeExpired(now: Date): Promise<{ transactions: number; nonces: number }> {
    this.scope.assertOutside();
    return this.plain.purgeExpired(now);
  }

  async withTransaction<T>(fn: (s: StoreSession) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
    this.scope.assertOutside();
    const client = await this.pool.connect();
    const x = new ClientExecutor(client);
    const session = new BoundSession(new PgSession(x));
    let broken = false;
    try {
      // Commits are durable with the default settings; insist on it for this one (one round trip).
      await client.query(opts.durable ? "BEGIN; SET LOCAL synchronous_commit TO on" : "BEGIN");
      const r = await this.scope.run(() => fn(session));
      session.end();
      await x.query("COMMIT");
      return r;
    } catch (e) {
      session.end();
      await x.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw e;
    } finally {
      client.release(broken);
    }
  }
}
