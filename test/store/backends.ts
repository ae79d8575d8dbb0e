// The store backends the store tests run against: SQLite (a WAL file in a temp folder) and
// PostgreSQL (a fresh schema per store on LWCMP_TEST_PG, dropped afterwards).
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { after } from "node:test";
import { openStore } from "../../src/store/open.js";
import { PostgresStore } from "../../src/store/postgres.js";
import type { CertificateRecord, NewTransaction, Store } from "../../src/store/store.js";
import { tempDir } from "../helpers/openssl.js";

export const PG_URL = process.env.LWCMP_TEST_PG ?? "postgres://root@127.0.0.1:5432/test";

export interface Opened {
  store: Store;
  /** Opens the same database again. */
  reopen: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

export interface Backend {
  name: "sqlite" | "postgres";
  /** A fresh, migrated, empty store. */
  open(): Promise<Opened>;
}

const dir = tempDir();
after(() => dir.cleanup());
let files = 0;

export const sqlite: Backend = {
  name: "sqlite",
  async open() {
    const path = join(dir.path, `store-${++files}.db`);
    return {
      store: await openStore(`sqlite:${path}`),
      reopen: () => openStore(`sqlite:${path}`),
      cleanup: async () => undefined,
    };
  },
};

/** A fresh schema name and its URL on the test server. */
export function pgSchemaUrl(): { schema: string; url: string } {
  const schema = `lwcmp_test_${randomBytes(6).toString("hex")}`;
  return { schema, url: `${PG_URL}?schema=${schema}` };
}

export async function dropPgSchema(url: string): Promise<void> {
  const s = await PostgresStore.connect(url);
  await s.dropSchema();
  await s.close();
}

export const postgres: Backend = {
  name: "postgres",
  async open() {
    const { url } = pgSchemaUrl();
    let store: Store;
    try {
      store = await openStore(url);
    } catch (e) {
      throw new Error(
        `PostgreSQL is not reachable at ${PG_URL} (set LWCMP_TEST_PG=off to skip): ${(e as Error).message}`,
        { cause: e },
      );
    }
    return { store, reopen: () => openStore(url), cleanup: () => dropPgSchema(url) };
  },
};

export const BACKENDS: Backend[] = process.env.LWCMP_TEST_PG === "off" ? [sqlite] : [sqlite, postgres];

/** A fixed clock origin: every time in the store tests is relative to it. */
export const T0 = new Date("2026-03-01T00:00:00Z");
export const at = (ms: number) => new Date(T0.getTime() + ms);

export function cert(serial: string, extra: Partial<CertificateRecord> = {}): CertificateRecord {
  return {
    serial,
    issuer: "CN=Issuing CA",
    subject: `CN=device-${serial}`,
    der: randomBytes(50),
    notBefore: new Date("2026-01-01T00:00:00Z"),
    notAfter: new Date("2027-01-01T00:00:00Z"),
    status: "unconfirmed",
    profile: "default",
    requester: "kid:01",
    transactionId: "aa",
    createdAt: T0,
    ...extra,
  };
}

export function newTx(
  transactionId: string,
  expiresAt: Date,
  extra: Partial<NewTransaction> = {},
): NewTransaction {
  return { transactionId, requester: "kid:01", kind: "ir", state: "x", data: null, expiresAt, ...extra };
}
