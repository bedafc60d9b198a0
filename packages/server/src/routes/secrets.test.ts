import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { type Harness, useHarness, useProject } from "../test-support/harness.js";

const DAY = 86_400_000;

describe.each(await testDialects())("the vault API on %s", (dialect) => {
  const h = useHarness(dialect, { masterKey: randomBytes(32) });
  const project = useProject(h);
  const url = (environment: string, name: string, query = "") =>
    `/v1/secrets/${environment}/${name}?projectId=${project.id}${query}`;
  const set = (
    environment: string,
    name: string,
    value: string,
    extra: Record<string, unknown> = {},
    key?: string,
  ) => h.api("POST", url(environment, name), { value, ...extra }, key === undefined ? {} : { key });
  const get = (environment: string, name: string, query = "", key?: string) =>
    h.api("GET", url(environment, name, query), undefined, key === undefined ? {} : { key });
  const rootKey = async (fields: Record<string, unknown>): Promise<string> => {
    const created = await h.api("POST", "/v1/root-keys", fields);
    expect(created.status).toBe(201);
    return created.body.key;
  };

  it("writes every value as a new version and reads the current one or any earlier", async () => {
    const first = await set("production", "STRIPE_KEY", "sk_live_first");
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      projectId: project.id,
      environment: "production",
      name: "STRIPE_KEY",
      version: 1,
      rotateEvery: null,
      rotationDueAt: null,
      overdue: false,
      deletedAt: null,
    });
    expect(first.body.id).toMatch(/^sec_/);
    expect(first.text).not.toContain("sk_live_first");
    h.clock.advance(1000);
    const second = await set("production", "STRIPE_KEY", "sk_live_second");
    expect(second.body).toMatchObject({ id: first.body.id, version: 2 });

    const current = await get("production", "STRIPE_KEY");
    expect(current.status).toBe(200);
    expect(current.body).toEqual({
      projectId: project.id,
      environment: "production",
      name: "STRIPE_KEY",
      version: 2,
      current: true,
      value: "sk_live_second",
      createdAt: new Date(h.clock.now()).toISOString(),
      createdBy: expect.stringMatching(/^root_/),
    });
    const old = await get("production", "STRIPE_KEY", "&version=1");
    expect(old.body).toMatchObject({ version: 1, current: false, value: "sk_live_first" });
    expect((await get("production", "STRIPE_KEY", "&version=3")).status).toBe(404);

    const history = await h.api("GET", url("production", "STRIPE_KEY").replace("?", "/versions?"));
    expect(
      history.body.data.map((v: { version: number; current: boolean }) => [v.version, v.current]),
    ).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(history.text).not.toContain("sk_live");
  });

  it("keeps environments apart and stores any text: empty, multi-line, unicode, 64 KiB", async () => {
    const values = [
      "",
      "line 1\nline 2\r\n\ttab \"quoted\" 'single' # not a comment = sign",
      "ключ 🔑 鍵",
      "x".repeat(65_536),
    ];
    for (const [i, value] of values.entries()) {
      expect((await set("staging", `TRICKY_${i}`, value)).status).toBe(201);
      expect((await get("staging", `TRICKY_${i}`)).body.value).toBe(value);
    }
    await set("development", "SHARED", "dev-value");
    await set("staging", "SHARED", "staging-value");
    expect((await get("development", "SHARED")).body.value).toBe("dev-value");
    expect((await get("staging", "SHARED")).body.value).toBe("staging-value");
    expect((await get("production", "SHARED")).status).toBe(404);
    const tooLong = await set("staging", "TOO_LONG", "é".repeat(40_000));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "value" } });
    expect(tooLong.text).not.toContain("é".repeat(100));
  });

  it("refuses names that are not environment variables and environments that are not labels", async () => {
    for (const [environment, name] of [
      ["production", "lower"],
      ["production", "1ST"],
      ["production", "WITH-DASH"],
      ["Production", "OK"],
      ["prod uction", "OK"],
    ]) {
      const res = await h.api(
        "POST",
        `/v1/secrets/${encodeURIComponent(environment as string)}/${name}?projectId=${project.id}`,
        { value: "v" },
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
    }
    expect((await set("production", "EXTRA", "v", { unknown: 1 })).status).toBe(400);
    expect((await h.api("POST", url("production", "NO_VALUE"), {})).status).toBe(400);
  });

  it("lists names, versions and rotation state, never values, by environment then name", async () => {
    const listProject = (await h.project()).id;
    const put = (environment: string, name: string, value: string) =>
      h.api("POST", `/v1/secrets/${environment}/${name}?projectId=${listProject}`, { value });
    await put("production", "B_KEY", "value-b");
    await put("production", "A_KEY", "value-a1");
    await put("production", "A_KEY", "value-a2");
    await put("development", "C_KEY", "value-c");
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: {
        status: number;
        text: string;
        body: { data: { environment: string; name: string; version: number }[]; nextCursor: string | null };
      } = await h.api(
        "GET",
        `/v1/secrets?projectId=${listProject}&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.status).toBe(200);
      expect(page.text).not.toMatch(/value-/);
      seen.push(...page.body.data.map((s) => `${s.environment}/${s.name}@${s.version}`));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(["development/C_KEY@1", "production/A_KEY@2", "production/B_KEY@1"]);
    const production = await h.api("GET", `/v1/secrets?projectId=${listProject}&environment=production`);
    expect(production.body.data.map((s: { name: string }) => s.name)).toEqual(["A_KEY", "B_KEY"]);
    expect((await h.api("GET", `/v1/secrets?projectId=${listProject}&cursor=bm9wZQ`)).body.error.code).toBe(
      "INVALID_CURSOR",
    );
  });

  it("deletes softly and restores with every version", async () => {
    await set("production", "TO_DELETE", "v1");
    await set("production", "TO_DELETE", "v2");
    const removed = await h.api("DELETE", url("production", "TO_DELETE"));
    expect(removed.status).toBe(200);
    expect(removed.body.deletedAt).not.toBeNull();
    expect((await get("production", "TO_DELETE")).status).toBe(404);
    const names = async (query = "") =>
      (
        await h.api("GET", `/v1/secrets?projectId=${project.id}&environment=production${query}`)
      ).body.data.map((s: { name: string }) => s.name);
    expect(await names()).not.toContain("TO_DELETE");
    expect(await names("&includeDeleted=true")).toContain("TO_DELETE");
    const exported = await h.api("GET", `/v1/secrets/export?projectId=${project.id}&environment=production`);
    expect(exported.body.secrets.map((s: { name: string }) => s.name)).not.toContain("TO_DELETE");

    const restored = await h.api("POST", url("production", "TO_DELETE").replace("?", "/restore?"));
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ deletedAt: null, version: 2 });
    expect((await get("production", "TO_DELETE", "&version=1")).body.value).toBe("v1");
    expect((await get("production", "TO_DELETE")).body.value).toBe("v2");
    expect((await h.api("DELETE", url("production", "MISSING"))).status).toBe(404);
  });

  it("exports every current value of an environment in one answer", async () => {
    const exportProject = (await h.project()).id;
    for (let i = 0; i < 5; i++) {
      await h.api("POST", `/v1/secrets/ci/KEY_${i}?projectId=${exportProject}`, { value: `value ${i}` });
    }
    await h.api("POST", `/v1/secrets/ci/KEY_0?projectId=${exportProject}`, { value: "value 0, v2" });
    await h.api("POST", `/v1/secrets/other/KEY_9?projectId=${exportProject}`, { value: "elsewhere" });
    const exported = await h.api("GET", `/v1/secrets/export?projectId=${exportProject}&environment=ci`);
    expect(exported.status).toBe(200);
    expect(exported.body).toEqual({
      projectId: exportProject,
      environment: "ci",
      secrets: [
        { name: "KEY_0", version: 2, value: "value 0, v2" },
        ...[1, 2, 3, 4].map((i) => ({ name: `KEY_${i}`, version: 1, value: `value ${i}` })),
      ],
    });
    const audit = await h.api("GET", `/v1/audit?projectId=${exportProject}&action=secret.export`);
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0].details).toMatchObject({ environment: "ci", count: 5 });
  });

  it("marks secrets whose current version is older than rotateEvery as overdue", async () => {
    const rotated = await set("production", "ROTATED", "v1", { rotateEvery: "90d" });
    expect(rotated.body).toMatchObject({
      rotateEvery: "90d",
      overdue: false,
      rotationDueAt: new Date(h.clock.now() + 90 * DAY).toISOString(),
    });
    h.clock.advance(91 * DAY);
    const overdue = async () =>
      (await h.api("GET", `/v1/secrets?projectId=${project.id}&environment=production`)).body.data.find(
        (s: { name: string }) => s.name === "ROTATED",
      ).overdue;
    expect(await overdue()).toBe(true);
    await set("production", "ROTATED", "v2");
    expect(await overdue()).toBe(false);
    const patched = await h.api("PATCH", url("production", "ROTATED"), { rotateEvery: null });
    expect(patched.body).toMatchObject({ rotateEvery: null, rotationDueAt: null, version: 2 });
    expect((await set("production", "ROTATED", "v3", { rotateEvery: "0s" })).status).toBe(400);
  });

  it("needs secrets:read to read and secrets:write to write", async () => {
    await set("production", "SCOPED", "scoped-value");
    const reader = await rootKey({ scopes: ["secrets:read"] });
    const writer = await rootKey({ scopes: ["secrets:write"] });
    const keysOnly = await rootKey({ scopes: ["keys:read"] });
    expect((await get("production", "SCOPED", "", reader)).body.value).toBe("scoped-value");
    expect((await set("production", "SCOPED", "nope", {}, reader)).status).toBe(403);
    expect((await set("production", "SCOPED", "by-writer", {}, writer)).status).toBe(201);
    const denied = await get("production", "SCOPED", "", writer);
    expect(denied.status).toBe(403);
    expect(denied.body.error.details).toEqual({ required: "secrets:read" });
    for (const key of [keysOnly, writer]) {
      expect(
        (
          await h.api("GET", `/v1/secrets/export?projectId=${project.id}&environment=production`, undefined, {
            key,
          })
        ).status,
      ).toBe(403);
    }
    expect(
      (await h.api("GET", `/v1/secrets?projectId=${project.id}`, undefined, { key: keysOnly })).status,
    ).toBe(403);
    expect((await get("production", "SCOPED", "", "")).status).toBe(401);
  });

  it("hides other projects from a root key bound to one project", async () => {
    const other = (await h.project()).id;
    await h.api("POST", `/v1/secrets/production/THEIRS?projectId=${other}`, { value: "theirs" });
    const bound = await rootKey({ projectId: project.id, scopes: ["secrets:read", "secrets:write"] });
    const theirs = await h.api("GET", `/v1/secrets/production/THEIRS?projectId=${other}`, undefined, {
      key: bound,
    });
    expect(theirs.status).toBe(404);
    expect(theirs.text).not.toContain("theirs");
    expect(
      (
        await h.api("GET", `/v1/secrets/export?projectId=${other}&environment=production`, undefined, {
          key: bound,
        })
      ).status,
    ).toBe(404);
    expect((await h.api("GET", `/v1/secrets?projectId=${other}`, undefined, { key: bound })).status).toBe(
      404,
    );
    // Its own project needs no projectId.
    await set("production", "MINE", "mine");
    const mine = await h.api("GET", "/v1/secrets/production/MINE", undefined, { key: bound });
    expect(mine.body.value).toBe("mine");
    // A root key for all projects must name one.
    const unnamed = await h.api("GET", "/v1/secrets/production/MINE");
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.error.code).toBe("UNPROCESSABLE");
    expect(unnamed.body.error.details).toEqual({ field: "projectId" });
  });

  it("limits a root key to its environments, and a child key can only narrow them", async () => {
    await set("development", "DEV_ONLY", "dev");
    await set("production", "PROD_ONLY", "prod");
    const devKey = await h.api("POST", "/v1/root-keys", {
      scopes: ["secrets:read", "secrets:write"],
      environments: ["development"],
    });
    // Only admin mints root keys; an admin limited to development can only narrow.
    const devAdmin = (
      await h.api("POST", "/v1/root-keys", { scopes: ["admin"], environments: ["development"] })
    ).body.key as string;
    expect(devKey.body.environments).toEqual(["development"]);
    const key = devKey.body.key as string;
    expect((await get("development", "DEV_ONLY", "", key)).body.value).toBe("dev");
    const prod = await get("production", "PROD_ONLY", "", key);
    expect(prod.status).toBe(403);
    expect(prod.body.error.details).toEqual({ environment: "production", allowed: ["development"] });
    expect(prod.text).not.toContain('"prod"');
    expect((await set("production", "PROD_ONLY", "overwrite", {}, key)).status).toBe(403);
    expect(
      (
        await h.api("GET", `/v1/secrets/export?projectId=${project.id}&environment=production`, undefined, {
          key,
        })
      ).status,
    ).toBe(403);
    const listed = await h.api("GET", `/v1/secrets?projectId=${project.id}`, undefined, { key });
    expect(new Set(listed.body.data.map((s: { environment: string }) => s.environment))).toEqual(
      new Set(["development"]),
    );

    const narrower = await h.api("POST", "/v1/root-keys", { scopes: ["secrets:read"] }, { key: devAdmin });
    expect(narrower.body.environments).toEqual(["development"]);
    const wider = await h.api(
      "POST",
      "/v1/root-keys",
      { scopes: ["secrets:read"], environments: ["production"] },
      { key: devAdmin },
    );
    expect(wider.status).toBe(403);
    const all = await h.api(
      "POST",
      "/v1/root-keys",
      { scopes: ["secrets:read"], environments: null },
      { key: devAdmin },
    );
    expect(all.status).toBe(403);
    const listedKeys = await h.api("GET", "/v1/root-keys?limit=500");
    expect(listedKeys.body.data.find((r: { id: string }) => r.id === devKey.body.id).environments).toEqual([
      "development",
    ]);
  });

  it("audits every read and write with name, environment and version, never the value", async () => {
    const auditProject = (await h.project()).id;
    const value = `audit-${randomBytes(12).toString("hex")}`;
    const path = `/v1/secrets/production/AUDITED?projectId=${auditProject}`;
    await h.api("POST", path, { value });
    await h.api("POST", path, { value: `${value}-2` });
    await h.api("GET", path);
    await h.api("GET", `${path}&version=1`);
    await h.api("GET", path.replace("?", "/versions?"));
    await h.api("DELETE", path);
    await h.api("POST", path.replace("?", "/restore?"));
    await h.api("GET", `/v1/secrets/export?projectId=${auditProject}&environment=production`);
    await h.api("GET", `/v1/secrets?projectId=${auditProject}`);
    const audit = await h.api("GET", `/v1/audit?projectId=${auditProject}&limit=100`);
    const entries = (
      audit.body.data.reverse() as { action: string; targetType: string; details: Record<string, unknown> }[]
    ).filter((e) => e.action.startsWith("secret."));
    expect(entries.map((e) => e.action)).toEqual([
      "secret.set",
      "secret.set",
      "secret.read",
      "secret.read",
      "secret.history",
      "secret.delete",
      "secret.restore",
      "secret.export",
      "secret.list",
    ]);
    expect(entries.slice(0, 4).map((e) => e.details)).toEqual([
      { name: "AUDITED", environment: "production", version: 1 },
      { name: "AUDITED", environment: "production", version: 2 },
      { name: "AUDITED", environment: "production", version: 2 },
      { name: "AUDITED", environment: "production", version: 1 },
    ]);
    expect(entries[7]?.details).toEqual({
      environment: "production",
      count: 1,
      secrets: [{ name: "AUDITED", version: 2 }],
    });
    expect(audit.text).not.toContain(value);
    expect(h.logs.join("\n")).not.toContain(value);
    expect((await h.api("GET", "/v1/audit/verify")).body.valid).toBe(true);
  });

  describe("tampering", () => {
    const db = () => h.store.database;
    const versionRow = async (secretId: string, version: number) =>
      db()
        .selectFrom("secret_versions")
        .selectAll()
        .where("secret_id", "=", secretId)
        .where("version", "=", version)
        .executeTakeFirstOrThrow();
    const flip = (base64: string, at = 0): string => {
      const bytes = Buffer.from(base64, "base64");
      bytes[at] = (bytes[at] as number) ^ 1;
      return bytes.toString("base64");
    };
    const expectDecryptFailure = async (environment: string, name: string, query = "") => {
      const res = await get(environment, name, query);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("VAULT_DECRYPT_FAILED");
      expect(res.body.error.message).toMatch(/failed its integrity check/);
      return res;
    };

    it.each(["ciphertext", "nonce", "wrapped_dek", "dek_nonce"] as const)(
      "refuses a value whose stored %s was changed",
      async (column) => {
        const name = `TAMPER_${column.toUpperCase()}`;
        const created = await set("production", name, "original value");
        const row = await versionRow(created.body.id, 1);
        await db()
          .updateTable("secret_versions")
          .set({ [column]: flip(row[column], column === "ciphertext" ? 3 : 0) })
          .where("secret_id", "=", created.body.id)
          .execute();
        const res = await expectDecryptFailure("production", name);
        expect(res.body.error.details).toEqual({ name, environment: "production", version: 1 });
        expect(res.text).not.toContain("original value");
        const failures = await h.api(
          "GET",
          `/v1/audit?action=secret.decrypt_failed&targetId=${created.body.id}`,
        );
        expect(failures.body.data).toHaveLength(1);
        expect(
          (await h.api("GET", `/v1/secrets/export?projectId=${project.id}&environment=production`)).body.error
            .code,
        ).toBe("VAULT_DECRYPT_FAILED");
        // Writing a new version repairs the secret; the bad version stays unreadable.
        await set("production", name, "fresh value");
        expect((await get("production", name)).body.value).toBe("fresh value");
        await expectDecryptFailure("production", name, "&version=1");
      },
    );

    it("refuses a secret renamed or moved to another environment in SQL", async () => {
      const renamed = await set("tamper-a", "BEFORE_RENAME", "renamed value");
      await db()
        .updateTable("secrets")
        .set({ name: "AFTER_RENAME" })
        .where("id", "=", renamed.body.id)
        .execute();
      await expectDecryptFailure("tamper-a", "AFTER_RENAME");

      const moved = await set("tamper-a", "MOVED", "moved value");
      await db()
        .updateTable("secrets")
        .set({ environment: "tamper-b" })
        .where("id", "=", moved.body.id)
        .execute();
      await expectDecryptFailure("tamper-b", "MOVED");

      const renumbered = await set("tamper-a", "RENUMBERED", "v1");
      await set("tamper-a", "RENUMBERED", "v2");
      await db()
        .deleteFrom("secret_versions")
        .where("secret_id", "=", renumbered.body.id)
        .where("version", "=", 1)
        .execute();
      await db()
        .updateTable("secret_versions")
        .set({ version: 1 })
        .where("secret_id", "=", renumbered.body.id)
        .where("version", "=", 2)
        .execute();
      await expectDecryptFailure("tamper-a", "RENUMBERED", "&version=1");
    });

    it("refuses a value copied into another environment's secret", async () => {
      const dev = await set("copy-dev", "API_TOKEN", "development token");
      const prod = await set("copy-prod", "API_TOKEN", "production token");
      const devRow = await versionRow(dev.body.id, 1);
      const { ciphertext, nonce, wrapped_dek, dek_nonce } = devRow;
      await db()
        .updateTable("secret_versions")
        .set({ ciphertext, nonce, wrapped_dek, dek_nonce })
        .where("secret_id", "=", prod.body.id)
        .execute();
      const res = await expectDecryptFailure("copy-prod", "API_TOKEN");
      expect(res.text).not.toContain("development token");
    });

    it("refuses a project key moved to another project", async () => {
      const a = (await h.project()).id;
      const b = (await h.project()).id;
      await h.api("POST", `/v1/secrets/production/K?projectId=${a}`, { value: "a" });
      await h.api("POST", `/v1/secrets/production/K?projectId=${b}`, { value: "b" });
      const keyA = await db()
        .selectFrom("vault_project_keys")
        .selectAll()
        .where("project_id", "=", a)
        .executeTakeFirstOrThrow();
      await db()
        .updateTable("vault_project_keys")
        .set({ wrapped_key: keyA.wrapped_key, nonce: keyA.nonce })
        .where("project_id", "=", b)
        .execute();
      const res = await h.api("GET", `/v1/secrets/production/K?projectId=${b}`);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "VAULT_DECRYPT_FAILED", details: { projectId: b } });
    });
  });

  it("keeps no value in the database in plaintext", async () => {
    const plainProject = (await h.project()).id;
    const values = [
      `needle-${randomBytes(16).toString("hex")}`,
      `multi\nline-${randomBytes(8).toString("hex")}`,
      `ünïcødé-${randomBytes(8).toString("hex")}`,
    ];
    for (const [i, value] of values.entries()) {
      await h.api("POST", `/v1/secrets/production/PLAIN_${i}?projectId=${plainProject}`, { value });
      await h.api("GET", `/v1/secrets/production/PLAIN_${i}?projectId=${plainProject}`);
    }
    await h.api("GET", `/v1/secrets/export?projectId=${plainProject}&environment=production`);
    await h.keysmith.flushLastUsed();
    const text = await databaseText(h);
    expect(text).toContain("PLAIN_0");
    for (const value of values) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(Buffer.from(value).toString("base64"));
      expect(text).not.toContain(Buffer.from(value).toString("hex"));
      expect(text).not.toContain(value.slice(-16));
    }
  });
});

describe("the vault without a master key", () => {
  const h = useHarness("sqlite");

  it("answers VAULT_LOCKED on every secrets route and keeps keys working", async () => {
    const projectId = (await h.project()).id;
    for (const [method, path] of [
      ["POST", `/v1/secrets/production/A?projectId=${projectId}`],
      ["GET", `/v1/secrets/production/A?projectId=${projectId}`],
      ["GET", `/v1/secrets?projectId=${projectId}`],
      ["GET", `/v1/secrets/export?projectId=${projectId}&environment=production`],
    ] as const) {
      const res = await h.api(method, path, method === "POST" ? { value: "v" } : undefined);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("VAULT_LOCKED");
      expect(res.body.error.message).toMatch(/KEYSMITH_MASTER_KEY/);
    }
    expect((await h.key(projectId)).key).toBeTruthy();
    // An expected state, not a fault: logged as one warning line each, without a stack.
    const lines = h.logs.flatMap((chunk) => chunk.split("\n").filter(Boolean)).map((l) => JSON.parse(l));
    const locked = lines.filter((l) => l.code === "VAULT_LOCKED");
    expect(locked.length).toBeGreaterThanOrEqual(4);
    for (const line of locked) {
      expect(line.level).toBe(40);
      expect(JSON.stringify(line)).not.toMatch(/stack|"err"/);
    }
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });
});

/** Every byte the database holds, as text: the SQLite files, or every row of every table on Postgres. */
async function databaseText(h: Harness): Promise<string> {
  if (h.database.file) {
    const { readdirSync, readFileSync } = await import("node:fs");
    const { dirname, join } = await import("node:path");
    const dir = dirname(h.database.file);
    return readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString("latin1") + readFileSync(join(dir, f)).toString("utf8"))
      .join("\n");
  }
  const tables = await sql<{
    tablename: string;
  }>`select tablename from pg_tables where schemaname = 'public'`.execute(h.store.database);
  const parts: string[] = [];
  for (const { tablename } of tables.rows) {
    const rows = await sql<{
      row: string;
    }>`select row_to_json(t)::text as row from ${sql.table(tablename)} t`.execute(h.store.database);
    parts.push(...rows.rows.map((r) => r.row));
  }
  return parts.join("\n");
}
