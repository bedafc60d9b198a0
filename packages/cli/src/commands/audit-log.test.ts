import type { AuditEntry, AuditVerification, Page } from "@keysmith/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestServer } from "../test-support/cli.js";

const server = useTestServer();

beforeAll(async () => {
  await server.cli(["projects", "create", "--name", "Acme", "--prefix", "acme"]);
  await server.cli(["projects", "create", "--name", "Globex", "--prefix", "globex"]);
});

describe("keysmith audit-log", () => {
  it("lists entries newest first, filtered by action", async () => {
    const table = await server.cli(["audit-log", "list"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SEQ\s+AT\s+ACTION\s+ACTOR\s+TARGET\s+PROJECT$/);
    expect(lines[1]).toContain("project.create");
    expect(lines.at(-1)).toContain("root_key.create");

    const json = await server.cli([
      "audit-log",
      "list",
      "--action",
      "project.create",
      "--limit",
      "1",
      "--json",
    ]);
    const page = JSON.parse(json.stdout) as Page<AuditEntry>;
    expect(page.data).toHaveLength(1);
    expect(page.data[0]?.action).toBe("project.create");
    expect(page.nextCursor).not.toBeNull();

    const all = await server.cli(["audit-log", "list", "--action", "project.create", "--all", "--json"]);
    expect((JSON.parse(all.stdout) as Page<AuditEntry>).data).toHaveLength(2);
  });

  it("verifies an intact chain with exit 0", async () => {
    const human = await server.cli(["audit-log", "verify"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Audit chain intact: \d+ entries checked, head [0-9a-f]{64}\.\n$/);

    const json = await server.cli(["audit-log", "verify", "--json"]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: true, brokenAt: null, reason: null });
  });

  it("exits 1 and names the entry when the chain is broken", async () => {
    // Tamper with a stored entry behind the API's back, as an attacker with database access would.
    await server.running.store.database
      .updateTable("audit_log")
      .set({ details: JSON.stringify({ tampered: true }) })
      .where("seq", "=", 2)
      .execute();
    const human = await server.cli(["audit-log", "verify"]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^Audit chain BROKEN at entry 2: .+\n$/);

    const json = await server.cli(["audit-log", "verify", "--json"]);
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as AuditVerification;
    expect(result).toMatchObject({ valid: false, brokenAt: 2 });
  });
});
