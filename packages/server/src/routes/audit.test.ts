import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { useHarness, useProject } from "../test-support/harness.js";

describe.each(await testDialects())("audit log on %s", (dialect) => {
  const h = useHarness(dialect);
  const project = useProject(h);

  it("records who did what to which target, from where, in which request", async () => {
    const created = await h.api("POST", "/v1/keys", { projectId: project.id, name: "audited" });
    await h.api("POST", `/v1/keys/${created.body.id}/revoke`, { reason: "test" });
    const log = await h.api("GET", `/v1/audit?targetId=${created.body.id}`);
    expect(log.status).toBe(200);
    expect(log.body.data.map((e: { action: string }) => e.action)).toEqual(["key.revoke", "key.create"]);
    const [revoke, create] = log.body.data;
    expect(create).toMatchObject({
      actorType: "root_key",
      targetType: "key",
      targetId: created.body.id,
      projectId: project.id,
      requestId: created.headers["x-request-id"],
      sourceIp: "127.0.0.1",
    });
    expect(create.actorId).toMatch(/^root_/);
    expect(revoke.prevHash).toBe(create.hash);
    expect(revoke.details).toEqual({ reason: "test" });
    expect(JSON.stringify(log.body)).not.toContain(created.body.key);
  });

  it("filters by action and time, and pages with a cursor", async () => {
    for (let i = 0; i < 3; i++) await h.key(project.id);
    const creates = await h.api("GET", `/v1/audit?action=key.create&projectId=${project.id}&limit=2`);
    expect(creates.body.data).toHaveLength(2);
    expect(creates.body.nextCursor).not.toBeNull();
    const next = await h.api(
      "GET",
      `/v1/audit?action=key.create&projectId=${project.id}&limit=2&cursor=${creates.body.nextCursor}`,
    );
    expect(next.body.data[0].seq).toBeLessThan(creates.body.data[1].seq);
    const future = new Date(h.clock.now() + 1).toISOString();
    expect((await h.api("GET", `/v1/audit?from=${future}`)).body.data).toEqual([]);
  });

  it("needs audit:read and scopes a bound key to its project", async () => {
    const noAudit = (await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] })).body.key;
    expect((await h.api("GET", "/v1/audit", undefined, { key: noAudit })).status).toBe(403);
    const other = await h.project();
    await h.key(other.id);
    const bound = (await h.api("POST", "/v1/root-keys", { projectId: project.id, scopes: ["audit:read"] }))
      .body.key;
    const seen = await h.api("GET", "/v1/audit?limit=500", undefined, { key: bound });
    expect(seen.body.data.length).toBeGreaterThan(0);
    expect(seen.body.data.every((e: { projectId: string }) => e.projectId === project.id)).toBe(true);
    const peek = await h.api("GET", `/v1/audit?projectId=${other.id}`, undefined, { key: bound });
    expect(peek.body.data).toEqual([]);
  });

  it("verifies the chain, and detects a changed entry and a removed one", async () => {
    const good = await h.api("GET", "/v1/audit/verify");
    expect(good.body).toMatchObject({ valid: true, brokenAt: null });
    expect(good.body.checked).toBeGreaterThan(5);

    const db = h.store.database;
    await sql`update audit_log set details = ${'{"reason":"nothing to see"}'} where seq = 3`.execute(db);
    const changed = await h.api("GET", "/v1/audit/verify");
    expect(changed.body).toMatchObject({ valid: false, brokenAt: 3 });
    expect(changed.body.reason).toMatch(/content/);

    await sql`delete from audit_log where seq = 3`.execute(db);
    const removed = await h.api("GET", "/v1/audit/verify");
    expect(removed.body).toMatchObject({ valid: false, brokenAt: 4 });
    expect(removed.body.reason).toMatch(/missing/);
  });
});
