import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";

/** Every byte the database holds, as text: the files for SQLite, every row for Postgres. */
async function databaseText(h: Harness): Promise<string> {
  if (h.database.file) {
    const dir = dirname(h.database.file);
    return readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString("latin1"))
      .join("\n");
  }
  const tables = ["projects", "keys", "root_keys", "audit_log", "keysmith_meta"];
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await sql<{
      row: string;
    }>`select row_to_json(t)::text as row from ${sql.table(table)} t`.execute(h.store.database);
    parts.push(...rows.rows.map((r) => r.row));
  }
  return parts.join("\n");
}

describe.each(await testDialects())("no plaintext key is ever stored or logged, on %s", (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(dialect);
    const project = await h.project({ publishableScopes: ["public:*"] });
    // A workload that touches every path a key travels: create, verify, roll, revoke, errors.
    const secret = await h.key(project.id, { meta: { note: "hello" } });
    const restricted = await h.key(project.id, {
      type: "restricted",
      scopes: ["a:read"],
      environment: "test",
    });
    const publishable = await h.key(project.id, {
      type: "publishable",
      allowedOrigins: ["https://x.example.com"],
    });
    for (const k of [secret, restricted, publishable]) {
      await h.verify({ key: k.key, scopes: ["a:read"], origin: "https://x.example.com" });
      await h.verify({ key: k.key, environment: "live", ip: "10.0.0.1" });
      await h.verify({ key: k.key, bogus: true });
      await h.api("POST", "/v1/keys", { projectId: project.id, name: k.key, unknownField: true });
    }
    await h.api("POST", `/v1/keys/${secret.id}/roll`, { gracePeriod: "1h" });
    await h.api("POST", `/v1/keys/${restricted.id}/revoke`, { reason: "rotating" });
    const root = await h.api("POST", "/v1/root-keys", { scopes: ["keys:verify"] });
    await h.verify({ key: secret.key }, root.body.key);
    await h.api("POST", `/v1/root-keys/${root.body.id}/revoke`);
    await h.verify({ key: secret.key }, root.body.key);
    await h.api("GET", "/v1/projects", undefined, {
      key: null,
      headers: { authorization: `Bearer ${secret.key}` },
    });
    await h.keysmith.flushLastUsed();
  });
  afterAll(() => h.close());

  it("saw the keys it searches for", () => {
    // root + secret + restricted + publishable + rolled successor + second root key
    expect(h.plaintexts.length).toBe(6);
  });

  it("stores none of them in the database", async () => {
    const text = await databaseText(h);
    expect(text.length).toBeGreaterThan(1000);
    for (const key of h.plaintexts) {
      expect(text).not.toContain(key);
      expect(text).not.toContain(key.slice(-20));
    }
  });

  it("writes none of them to the logs", () => {
    const logs = h.logs.join("\n");
    for (const key of h.plaintexts) expect(logs).not.toContain(key.slice(-20));
  });

  it("puts none of them in an audit entry", async () => {
    const audit = await h.api("GET", "/v1/audit?limit=500");
    expect(audit.body.data.length).toBeGreaterThan(5);
    for (const key of h.plaintexts) expect(audit.text).not.toContain(key.slice(-20));
  });
});
