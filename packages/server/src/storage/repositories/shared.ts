import type { Kysely, Transaction } from "kysely";
import type { Page } from "../../domain/records.js";
import type { Dialect } from "../connect.js";
import type { Database } from "../schema.js";

/** What a repository runs its statements on: the pool, or the transaction of a unit of work. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** How every repository is built: on an executor, knowing the dialect for the few places they differ. */
export interface RepositoryScope {
  db: Executor;
  dialect: Dialect;
}

/** Cuts one row past `limit` off a keyset page and names the last item's sort key as the cursor. */
export function page<T>(rows: T[], limit: number, sortKey: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, next: null };
  const items = rows.slice(0, limit);
  return { items, next: sortKey(items[items.length - 1] as T) };
}

export const parseJson = <T>(text: string | null): T | null =>
  text === null ? null : (JSON.parse(text) as T);
export const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/** `in` with an empty list matches nothing; SQL has no empty list, so it becomes a value no id has. */
export const anyOf = (ids: readonly string[]): readonly string[] => (ids.length ? ids : [""]);

/** True for a unique-constraint violation on either dialect (a lost race on a unique value). */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/** Records last-use times in one statement per row, never moving a time backwards. */
export async function touchLastUsed(
  db: Executor,
  table: "keys" | "root_keys",
  lastUsed: ReadonlyMap<string, number>,
): Promise<void> {
  for (const [id, at] of lastUsed) {
    await db
      .updateTable(table)
      .set({ last_used_at: at })
      .where("id", "=", id)
      .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", at)]))
      .execute();
  }
}
