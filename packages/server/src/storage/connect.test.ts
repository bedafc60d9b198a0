import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "./connect.js";

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("the SQLite data folder and files", () => {
  let root: string;
  let umask: number;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "keysmith-modes-"));
    // The most permissive umask: the modes must not come from it.
    umask = process.umask(0);
  });
  afterAll(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  it("creates the folder 0700 and the database, -wal and -shm files 0600 under umask 000", async () => {
    const path = join(root, "fresh", "data", "keysmith.db");
    const db = connect({ dialect: "sqlite", location: path });
    try {
      await sql`create table t (v text)`.execute(db);
      await sql`insert into t values ('x')`.execute(db);
      for (const dir of [join(root, "fresh"), join(root, "fresh", "data")])
        expect(modeOf(dir), dir).toBe(0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).toBe(0o600);
    } finally {
      await db.destroy();
    }
  });

  it("narrows database files an older version left readable by others", async () => {
    const folder = join(root, "old");
    mkdirSync(folder, { mode: 0o755 });
    const path = join(folder, "keysmith.db");
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      writeFileSync(file, "");
      chmodSync(file, 0o644);
    }
    const db = connect({ dialect: "sqlite", location: path });
    try {
      await sql`create table t (v text)`.execute(db);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file), file).toBe(0o600);
      expect(modeOf(folder)).toBe(0o755);
    } finally {
      await db.destroy();
    }
  });
});
