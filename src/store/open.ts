// Opens a store from its URL: sqlite:PATH, sqlite::memory:, or postgres://...
import { SqliteStore } from "./sqlite.js";
import { StoreError, type Store } from "./store.js";

export async function openStore(url: string): Promise<Store> {
  let store: Store;
  if (url.startsWith("sqlite:")) {
    store = new SqliteStore(url.slice("sqlite:".length));
  } else if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const { PostgresStore } = await import("./postgres.js");
    store = await PostgresStore.connect(url);
  } else {
    throw new StoreError(`unsupported store URL "${url}": use sqlite:PATH or postgres://...`);
  }
  await store.migrate();
  return store;
}
