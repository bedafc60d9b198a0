import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

export type Dialect = "sqlite" | "postgres";

export interface DatabaseTarget {
  dialect: Dialect;
  /** A connection string for Postgres, an absolute file path (or `:memory:`) for SQLite. */
  location: string;
}

/**
 * Reads `KEYSMITH_DATABASE_URL`: `postgres://…` / `postgresql://…`, `sqlite:PATH`, or a bare
 * SQLite file path (relative to the working directory).
 *
 * @example parseDatabaseUrl("sqlite:./data/ks.db") // { dialect: "sqlite", location: "/…/data/ks.db" }
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: "postgres", location: url };
  const path = url.replace(/^sqlite:(\/\/)?/i, "");
  if (path === ":memory:") return { dialect: "sqlite", location: path };
  return { dialect: "sqlite", location: resolve(path) };
}

// Postgres returns int8 as strings to protect precision; keysmith's bigints are millisecond
// timestamps and sequence numbers, all far below 2^53.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface ConnectOptions {
  /** Postgres pool size. */
  poolSize?: number;
  /** SQLite: open the file read-only (it must exist); every write then fails with SQLITE_READONLY. */
  readonly?: boolean;
}

/** Opens a Kysely instance for the target. Caller owns it and must `destroy()` it. */
export function connect(target: DatabaseTarget, options: ConnectOptions = {}): Kysely<Database> {
  if (target.dialect === "postgres") {
    const pool = new pg.Pool({
      connectionString: target.location,
      max: options.poolSize ?? 10,
      // A database that does not answer at all (a dropped route, not a refused port) must turn
      // into STORE_UNAVAILABLE (storage/faults.ts) rather than hold the request forever.
      connectionTimeoutMillis: 3_000,
      types: pgTypes,
    });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on("error", () => {});
    // Nor a checked-out one: pg-pool drops its own listener while a client is lent out, and a
    // socket reset then emits an unhandled 'error' (the pending query rejects regardless, and
    // the pool discards the broken client when it comes back). Found cutting Postgres under a
    // running node (faults/postgres-outage.test.ts).
    pool.on("connect", (client) => client.on("error", () => {}));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (options.readonly) {
    const database = new SQLite(target.location, { readonly: true, fileMustExist: true });
    database.pragma("busy_timeout = 5000");
    return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  }
  if (target.location !== ":memory:") privateDatabaseFiles(target.location);
  const database = new SQLite(target.location);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("busy_timeout = 5000");
  database.pragma("foreign_keys = ON");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

/** Owner only: the data folder and the SQLite files hold key hashes, audit and encrypted secrets. */
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/**
 * Makes a SQLite database's folder and files readable by their owner only, whatever the umask:
 * folders this creates get 0700 (a folder that already exists is left as its owner set it), the
 * database file is created 0600 before SQLite opens it, and an existing database, `-wal` or
 * `-shm` file readable by others is narrowed to 0600. SQLite gives the `-wal` and `-shm` files
 * it creates later the database file's own mode.
 */
export function privateDatabaseFiles(path: string): void {
  const folder = dirname(path);
  const firstCreated = mkdirSync(folder, { recursive: true, mode: PRIVATE_DIR });
  if (firstCreated !== undefined) {
    // mkdir's mode passes through the umask; chmod does not.
    for (let dir = folder; ; dir = dirname(dir)) {
      chmodSync(dir, PRIVATE_DIR);
      if (dir === firstCreated || dir === dirname(dir)) break;
    }
  }
  if (!existsSync(path)) closeSync(openSync(path, "a", PRIVATE_FILE));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file) && (statSync(file).mode & 0o777) !== PRIVATE_FILE) chmodSync(file, PRIVATE_FILE);
  }
}

/**
 * better-sqlite3 with prepared statements kept by SQL text. Kysely's SQLite driver prepares
 * every query afresh, which here costs as much as running it: a cache-miss verification went
 * from ≈ 9,000/s to ≈ 16,000/s with this. Kysely runs one query at a time on the connection and
 * never iterates a statement, so reusing one is safe. Written by hand because it is a dozen
 * lines between two libraries, not a feature either offers.
 */
function withStatementCache(database: SQLite.Database, max = 500): SQLite.Database {
  const statements = new Map<string, SQLite.Statement>();
  const prepare = database.prepare.bind(database);
  return new Proxy(database, {
    get(target, property) {
      if (property !== "prepare") {
        const value: unknown = Reflect.get(target, property, target);
        // Native methods must be called on the real object, not on the proxy.
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (sql: string) => {
        let statement = statements.get(sql);
        if (statement === undefined) {
          statement = prepare(sql);
          if (statements.size >= max) statements.delete(statements.keys().next().value as string);
          statements.set(sql, statement);
        }
        return statement;
      };
    },
  });
}
