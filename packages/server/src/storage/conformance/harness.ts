import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LocalChangeFeed } from "../../changes.js";
import { ManualClock } from "../../clock.js";
import { openStore } from "../../database.js";
import {
  createTestDatabase,
  type TestDatabase,
  type TestDialect,
  testDialects,
} from "../../test-support/databases.js";
import type { Store } from "../store.js";
import { unitOfWork, type Write } from "../unit-of-work.js";

/** What a conformance check gets: an empty, migrated store of one dialect. */
export interface RepositoryContext {
  dialect: TestDialect;
  store: Store;
  /** The unit of work on `store`, acting for the system, with its own change feed. */
  write: Write;
  changes: LocalChangeFeed;
  clock: ManualClock;
}

/** One behaviour every implementation of a repository must show; throws when it does not. */
export interface Check {
  name: string;
  run(ctx: RepositoryContext): Promise<void>;
}

/** Names the checks of one area: `checks({ "finds a key by hash": async (ctx) => … })`. */
export function checks(list: Record<string, Check["run"]>): Check[] {
  return Object.entries(list).map(([name, run]) => ({ name, run }));
}

// Top-level await is fine in a test module: the dialects decide which suites exist.
const dialects = await testDialects();

/**
 * Registers `suite` once per dialect this run can reach (SQLite always, Postgres when it answers,
 * required under CI). Each dialect gets one migrated database; every check starts from empty
 * tables and a clock at 2026-11-03 12:00 UTC.
 */
export function conformance(area: string, suite: readonly Check[]): void {
  for (const dialect of dialects) {
    describe(`${area} repository on ${dialect}`, () => {
      const db = repositoryContext(dialect);
      for (const check of suite) it(check.name, async () => check.run(await db.fresh()));
    });
  }
}

/** Opens one migrated database for the enclosing `describe`; `fresh()` empties it for a check. */
export function repositoryContext(dialect: TestDialect): { fresh(): Promise<RepositoryContext> } {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    store = await openStore(database.url);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });
  return {
    async fresh() {
      const opened = store as Store;
      await emptyTables(opened);
      const clock = new ManualClock(Date.UTC(2026, 10, 3, 12));
      const changes = new LocalChangeFeed();
      return { dialect, store: opened, clock, changes, write: unitOfWork({ store: opened, clock, changes }) };
    },
  };
}

/** Runs every check on a fresh context; answers the names of those that failed. */
export async function failingChecks(
  suite: readonly Check[],
  fresh: () => Promise<RepositoryContext>,
): Promise<string[]> {
  const failed: string[] = [];
  for (const check of suite) {
    try {
      await check.run(await fresh());
    } catch {
      failed.push(check.name);
    }
  }
  return failed;
}

/** Deletes every row of every keysmith table, keeping the schema and its migrations. */
export async function emptyTables(store: Store): Promise<void> {
  const db = store.database;
  const rows =
    store.dialect === "sqlite"
      ? await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%'`.execute(
          db,
        )
      : await sql<{
          name: string;
        }>`select tablename as name from pg_tables where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(
          db,
        );
  const tables = rows.rows.map((r) => sql.table(r.name));
  if (store.dialect === "postgres") {
    await sql`truncate ${sql.join(tables)} restart identity cascade`.execute(db);
    return;
  }
  // SQLite: foreign keys off for the sweep, so the order of tables does not matter.
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    for (const table of tables) await sql`delete from ${table}`.execute(db);
    await sql`delete from sqlite_sequence`.execute(db).catch(() => {});
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

/** A repository class, its area's name, and the checks that must notice when it is wrong. */
export type Area = readonly [name: string, repository: { prototype: object }, suite: readonly Check[]];

/**
 * The suites are only worth something if they fail when a repository is wrong: registers one
 * test per method of each area's repository that breaks that method (it does nothing and
 * answers nothing) and requires at least one of the area's checks to fail. Call it inside a
 * `describe` holding `repositoryContext`'s `fresh`.
 */
export function breakEachMethod(areas: readonly Area[], fresh: () => Promise<RepositoryContext>): void {
  afterEach(() => vi.restoreAllMocks());
  for (const [area, repository, suite] of areas) {
    const methods = Object.getOwnPropertyNames(repository.prototype).filter((m) => m !== "constructor");
    it.each(methods)(`${area}: %s`, async (method) => {
      vi.spyOn(repository.prototype as Record<string, () => unknown>, method).mockImplementation(
        async () => undefined,
      );
      expect(await failingChecks(suite, fresh)).not.toEqual([]);
    });
  }
}
