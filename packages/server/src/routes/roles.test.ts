import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";

describe.each(await testDialects())("roles on %s", (dialect) => {
  let h: Harness;
  let projectId: string;
  let counter = 0;
  const roleName = () => `role${++counter}`;

  beforeAll(async () => {
    h = await createHarness(dialect);
    projectId = (await h.project({ publishableScopes: ["public:*"] })).id;
  });
  afterAll(() => h.close());

  const createRole = async (scopes: string[], name = roleName()) => {
    const res = await h.api("POST", "/v1/roles", { projectId, name, scopes });
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string; name: string };
  };

  it("creates a role (201), lists it, and refuses a second with the same name (409)", async () => {
    const res = await h.api("POST", "/v1/roles", { projectId, name: "billing", scopes: ["invoices:*"] });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^role_[0-9A-Za-z]{22}$/),
      projectId,
      name: "billing",
      scopes: ["invoices:*"],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const again = await h.api("POST", "/v1/roles", { projectId, name: "billing", scopes: [] });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("ROLE_EXISTS");
    const list = await h.api("GET", `/v1/roles?projectId=${projectId}&limit=500`);
    expect(list.body.data.map((r: { name: string }) => r.name)).toContain("billing");
    const missing = await h.api("PATCH", `/v1/roles/role_0000000000000000000000`, { scopes: [] });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("ROLE_NOT_FOUND");
  });

  it("refuses unknown role names on a key with 422 naming them, and creates nothing", async () => {
    const known = await createRole(["a:read"]);
    const before = (await h.api("GET", `/v1/keys?projectId=${projectId}&limit=500`)).body.data.length;
    const res = await h.api("POST", "/v1/keys", { projectId, roles: [known.name, "nope", "ghost"] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("UNKNOWN_ROLES");
    expect(res.body.error.details.roles).toEqual(["nope", "ghost"]);
    expect((await h.api("GET", `/v1/keys?projectId=${projectId}&limit=500`)).body.data.length).toBe(before);
    const key = await h.key(projectId, { scopes: [] });
    const patch = await h.api("PATCH", `/v1/keys/${key.id}`, { roles: ["ghost"] });
    expect(patch.status).toBe(422);
    expect(patch.body.error.details.roles).toEqual(["ghost"]);
  });

  it("verifies with the union of the key's scopes and its roles', and lists the roles", async () => {
    const reader = await createRole(["invoices:read", "own:scope"]);
    const refunds = await createRole(["refunds:write"]);
    const key = await h.key(projectId, { scopes: ["own:scope"], roles: [refunds.name, reader.name] });
    expect(key.roles).toEqual([reader.name, refunds.name].sort());
    const res = await h.verify({ key: key.key, scopes: ["invoices:read", "refunds:write"] });
    expect(res.body.code).toBe("VALID");
    expect([...res.body.scopes].sort()).toEqual(["invoices:read", "own:scope", "refunds:write"]);
    expect([...res.body.roles].sort()).toEqual([reader.name, refunds.name].sort());
    expect((await h.api("GET", `/v1/keys/${key.id}`)).body.roles).toEqual([reader.name, refunds.name].sort());
    expect((await h.verify({ key: key.key, scopes: ["admin:all"] })).body.code).toBe("INSUFFICIENT_SCOPE");
  });

  it("reaches a cached key at its next verification when its role changes or goes", async () => {
    const role = await createRole(["reports:read"]);
    const key = await h.key(projectId, { scopes: [], roles: [role.name] });
    expect((await h.verify({ key: key.key, scopes: ["reports:read"] })).body.code).toBe("VALID");
    await h.api("PATCH", `/v1/roles/${role.id}`, { scopes: ["reports:write"] });
    expect((await h.verify({ key: key.key, scopes: ["reports:read"] })).body.code).toBe("INSUFFICIENT_SCOPE");
    expect((await h.verify({ key: key.key, scopes: ["reports:write"] })).body.code).toBe("VALID");
    await h.api("PATCH", `/v1/roles/${role.id}`, { name: `${role.name}x` });
    expect((await h.verify({ key: key.key })).body.roles).toEqual([`${role.name}x`]);
    const deleted = await h.api("DELETE", `/v1/roles/${role.id}`);
    expect(deleted.status).toBe(200);
    const after = await h.verify({ key: key.key, scopes: ["reports:write"] });
    expect(after.body).toMatchObject({ code: "INSUFFICIENT_SCOPE", roles: [], scopes: [] });
    const audit = await h.api("GET", `/v1/audit?targetId=${role.id}`);
    expect(audit.body.data.map((e: { action: string }) => e.action).sort()).toEqual([
      "role.create",
      "role.delete",
      "role.update",
      "role.update",
    ]);
  });

  it("changes a key's roles with PATCH, and a rolled key keeps them", async () => {
    const first = await createRole(["x:read"]);
    const second = await createRole(["y:read"]);
    const key = await h.key(projectId, { scopes: [], roles: [first.name] });
    expect((await h.verify({ key: key.key, scopes: ["x:read"] })).body.code).toBe("VALID");
    const patched = await h.api("PATCH", `/v1/keys/${key.id}`, { roles: [second.name] });
    expect(patched.body.roles).toEqual([second.name]);
    expect((await h.verify({ key: key.key, scopes: ["x:read"] })).body.code).toBe("INSUFFICIENT_SCOPE");
    const rolled = await h.api("POST", `/v1/keys/${key.id}/roll`, { gracePeriod: "1h" });
    expect(rolled.status).toBe(201);
    expect(rolled.body.roles).toEqual([second.name]);
    expect((await h.verify({ key: rolled.body.key, scopes: ["y:read"] })).body.code).toBe("VALID");
  });

  it("gives a publishable key only the public scopes of its roles", async () => {
    const role = await createRole(["public:read", "private:write"]);
    const key = await h.key(projectId, {
      type: "publishable",
      scopes: [],
      allowedOrigins: ["https://app.example"],
      roles: [role.name],
    });
    const res = await h.verify({ key: key.key, origin: "https://app.example", scopes: ["private:write"] });
    expect(res.body).toMatchObject({ code: "INSUFFICIENT_SCOPE", scopes: ["public:read"] });
  });
});
