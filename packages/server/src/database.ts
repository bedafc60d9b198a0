import { connect, type Dialect, parseDatabaseUrl } from "./storage/connect.js";
import { migrateToLatest } from "./storage/migrations.js";
import { Store } from "./storage/store.js";

export interface OpenStoreOptions {
  /** Apply pending migrations first (the default). `keysmith migrate` runs them as their own step. */
  migrate?: boolean;
  poolSize?: number;
}

/**
 * Opens the store for a `KEYSMITH_DATABASE_URL`, migrating it unless told not to. Throws an
 * Error with a one-line message when the database cannot be reached or migrated.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(databaseUrl);
  const db = connect(target, options.poolSize === undefined ? {} : { poolSize: options.poolSize });
  const store = new Store(db, target.dialect);
  if (options.migrate ?? true) {
    const result = await migrateStore(store, target.dialect);
    if (result) {
      await store.close();
      throw new Error(result);
    }
  }
  return store;
}

/** Runs migrations; returns an error message or null. */
export async function migrateStore(store: Store, dialect: Dialect): Promise<string | null> {
  const { error, results } = await migrateToLatest(store.database as never, dialect);
  if (!error) return null;
  const failed = results?.find((r) => r.status === "Error")?.migrationName;
  const message = error instanceof Error ? error.message : String(error);
  return `database migration${failed ? ` ${failed}` : ""} failed: ${message}`;
}
