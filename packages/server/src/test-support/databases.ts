import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export type TestDialect = "sqlite" | "postgres";

export const POSTGRES_URL =
  process.env.KEYSMITH_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let postgresProbe: Promise<boolean> | undefined;

/**
 * Whether the test Postgres answers. With `CI` set a missing Postgres is an error, not a skip:
 * a green run must mean the Postgres tests ran.
 */
export function postgresAvailable(): Promise<boolean> {
  postgresProbe ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("select 1");
      return true;
    } catch (error) {
      if (process.env.CI)
        throw new Error(`CI is set but Postgres at ${POSTGRES_URL} is unreachable: ${String(error)}`);
      console.warn(`Postgres tests skipped: ${POSTGRES_URL} is unreachable (set KEYSMITH_TEST_POSTGRES_URL)`);
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresProbe;
}

/** The dialects this run can test: SQLite always, Postgres when it answers. */
export async function testDialects(): Promise<TestDialect[]> {
  return (await postgresAvailable()) ? ["sqlite", "postgres"] : ["sqlite"];
}

export interface TestDatabase {
  dialect: TestDialect;
  url: string;
  /** SQLite: the database file (for searching its bytes). */
  file: string | null;
  drop(): Promise<void>;
}

/** A database of the test's own: a temp SQLite file, or a fresh Postgres database. */
export async function createTestDatabase(dialect: TestDialect): Promise<TestDatabase> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "keysmith-test-"));
    const file = join(dir, "keysmith.db");
    return { dialect, url: file, file, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `keysmith_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    file: null,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

export const REDIS_URL = process.env.KEYSMITH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

let redisProbe: Promise<boolean> | undefined;

/** Whether the test Redis answers; with `CI` set a missing Redis fails the run. */
export function redisAvailable(): Promise<boolean> {
  redisProbe ??= (async () => {
    const { Redis } = await import("ioredis");
    const client = new Redis(REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      connectTimeout: 2000,
      retryStrategy: () => null,
    });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.ping();
      return true;
    } catch (error) {
      if (process.env.CI)
        throw new Error(`CI is set but Redis at ${REDIS_URL} is unreachable: ${String(error)}`);
      console.warn(`Redis tests skipped: ${REDIS_URL} is unreachable (set KEYSMITH_TEST_REDIS_URL)`);
      return false;
    } finally {
      client.disconnect();
    }
  })();
  return redisProbe;
}
