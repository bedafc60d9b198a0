import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { cli, keysIn, useTempDir } from "../test-support/cli.js";

const dir = useTempDir();
let databaseUrl: string;

beforeEach(() => {
  databaseUrl = join(dir.path, "keysmith.db");
});

describe("keysmith init", () => {
  it("creates the first root key on a fresh database, and refuses a second time with exit 1", async () => {
    const first = await cli(["init", "--database-url", databaseUrl, "--json"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const { rootKey } = JSON.parse(first.stdout) as { rootKey: string };
    expect(rootKey).toMatch(/^ks_root_live_[0-9A-Za-z]{36}$/);

    const second = await cli(["init", "--database-url", databaseUrl, "--json"]);
    expect(second.code).toBe(1);
    expect(second.stdout).toBe("");
    expect(second.stderr).toMatch(
      /^keysmith: .+ is already initialized; create more root keys with POST \/v1\/root-keys/,
    );
    expect(second.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(second.stderr).not.toContain(rootKey);
  });

  it("prints the key once with a store-it-now note, reading KEYSMITH_DATABASE_URL", async () => {
    const result = await cli(["init"], {
      env: { KEYSMITH_DATABASE_URL: `sqlite:${databaseUrl}`, KEYSMITH_PORT: "9999" },
    });
    expect(result.code).toBe(0);
    expect(keysIn(result.stdout)).toHaveLength(1);
    expect(result.stdout).toContain("shown once, store it now");
    expect(result.stdout).toContain(`SQLite ${databaseUrl}`);
    expect(result.stdout).toContain(
      'curl -H "Authorization: Bearer $KEYSMITH_ROOT_KEY" http://127.0.0.1:9999/v1/projects',
    );
  });
});

describe("keysmith init --root-key-file", () => {
  it("writes the key to a new 0600 file and prints only where it is", async () => {
    const file = join(dir.path, "root-key");
    const result = await cli(["init", "--database-url", databaseUrl, "--root-key-file", file, "--json"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ rootKey: null, rootKeyFile: file });
    expect(readFileSync(file, "utf8")).toMatch(/^ks_root_live_[0-9A-Za-z]{36}\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("takes KEYSMITH_ROOT_KEY_FILE, and never overwrites a file: the key goes to the terminal then", async () => {
    const file = join(dir.path, "taken");
    writeFileSync(file, "keep me\n");
    const result = await cli(["init", "--database-url", databaseUrl], {
      env: { KEYSMITH_ROOT_KEY_FILE: file },
    });
    expect(result.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("keep me\n");
    expect(result.stderr).toBe(
      `keysmith: could not write the first root key to ${file}: ${file} exists and is never overwritten\n`,
    );
    expect(keysIn(result.stdout)).toHaveLength(1);
  });
});

describe("keysmith migrate", () => {
  it("applies the migrations to a fresh database, then finds it up to date", async () => {
    const first = await cli(["migrate", "--database-url", databaseUrl, "--json"]);
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { applied: string[]; migrations: string[] };
    expect(report.applied.length).toBeGreaterThan(0);
    expect(report.applied).toEqual(report.migrations);

    const human = await cli(["migrate", "--database-url", databaseUrl]);
    expect(human.code).toBe(0);
    expect(human.stdout).toBe(
      `SQLite ${databaseUrl} is up to date (${report.migrations.length} migrations applied before).\n`,
    );

    // A migrated database still has no root key: init creates it.
    const init = await cli(["init", "--database-url", databaseUrl, "--json"]);
    expect(init.code).toBe(0);
  });

  it("names each migration it applies", async () => {
    const result = await cli(["migrate", "--database-url", databaseUrl]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Migrated SQLite .+:\n( {2}applied \S+\n)+$/);
  });
});
