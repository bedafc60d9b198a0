import type { Executor } from "./shared.js";

/** Named settings keysmith keeps about itself (the vault's check value, the webhook key…). */
export class MetaRepository {
  constructor(private readonly db: Executor) {}

  async get(name: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("keysmith_meta")
      .select("value")
      .where("name", "=", name)
      .executeTakeFirst();
    return row?.value ?? null;
  }

  /** Inserts unless present; true when this call wrote it. Safe against concurrent callers. */
  async claim(name: string, value: string, now: number): Promise<boolean> {
    const result = await this.db
      .insertInto("keysmith_meta")
      .values({ name, value, updated_at: now })
      .onConflict((oc) => oc.column("name").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Writes the value, replacing any before it. */
  async set(name: string, value: string, now: number): Promise<void> {
    await this.db
      .insertInto("keysmith_meta")
      .values({ name, value, updated_at: now })
      .onConflict((oc) => oc.column("name").doUpdateSet({ value, updated_at: now }))
      .execute();
  }

  /** Removes the setting; nothing happens when there is none. */
  async remove(name: string): Promise<void> {
    await this.db.deleteFrom("keysmith_meta").where("name", "=", name).execute();
  }
}
