import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";

describe.each(await testDialects())("projects and root keys on %s", (dialect) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterAll(() => h.close());

  it("creates, lists, reads and patches projects", async () => {
    const created = await h.api("POST", "/v1/projects", {
      name: "Acme",
      prefix: "acme",
      publishableScopes: ["public:*"],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Acme", prefix: "acme", publishableScopes: ["public:*"] });
    expect(created.body.id).toMatch(/^proj_/);
    const list = await h.api("GET", "/v1/projects");
    expect(list.body.data.map((p: { id: string }) => p.id)).toContain(created.body.id);
    expect(list.body.nextCursor).toBeNull();
    const patched = await h.api("PATCH", `/v1/projects/${created.body.id}`, { name: "Acme Inc" });
    expect(patched.body).toMatchObject({ name: "Acme Inc", prefix: "acme" });
    expect((await h.api("GET", `/v1/projects/${created.body.id}`)).body.name).toBe("Acme Inc");
  });

  it("refuses a taken prefix (409), the reserved ks (422) and a malformed one (400)", async () => {
    await h.project({ prefix: "dup" });
    const dup = await h.api("POST", "/v1/projects", { name: "Again", prefix: "dup" });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("PREFIX_TAKEN");
    const reserved = await h.api("POST", "/v1/projects", { name: "Root", prefix: "ks" });
    expect(reserved.status).toBe(422);
    for (const prefix of ["A", "Upper", "has_underscore", "waytoolongprefix"]) {
      expect((await h.api("POST", "/v1/projects", { name: "x", prefix })).status).toBe(400);
    }
  });

  it("refuses prefix changes through PATCH", async () => {
    const project = await h.project();
    const res = await h.api("PATCH", `/v1/projects/${project.id}`, { prefix: "other" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
  });

  it("drops cached keys when a project changes", async () => {
    const project = await h.project({ publishableScopes: ["public:*"] });
    const { key } = await h.key(project.id);
    await h.verify({ key });
    const cached = h.keysmith.verifier.cacheSize;
    await h.api("PATCH", `/v1/projects/${project.id}`, { publishableScopes: [] });
    expect(h.keysmith.verifier.cacheSize).toBe(cached - 1);
    expect((await h.verify({ key })).body.code).toBe("VALID");
  });

  it("lets a bound root key see and change only its own project", async () => {
    const mine = await h.project();
    const other = await h.project();
    const bound = (
      await h.api("POST", "/v1/root-keys", {
        projectId: mine.id,
        scopes: ["projects:read", "projects:write", "keys:read"],
      })
    ).body.key;
    const list = await h.api("GET", "/v1/projects", undefined, { key: bound });
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([mine.id]);
    expect((await h.api("GET", `/v1/projects/${other.id}`, undefined, { key: bound })).status).toBe(404);
    expect((await h.api("PATCH", `/v1/projects/${other.id}`, { name: "x" }, { key: bound })).status).toBe(
      404,
    );
    expect((await h.api("PATCH", `/v1/projects/${mine.id}`, { name: "mine" }, { key: bound })).status).toBe(
      200,
    );
    const create = await h.api("POST", "/v1/projects", { name: "new", prefix: "newone" }, { key: bound });
    expect(create.status).toBe(403);
  });

  it("creates narrower root keys and never broader ones", async () => {
    const project = await h.project();
    const limited = await h.api("POST", "/v1/root-keys", {
      projectId: project.id,
      scopes: ["admin"],
      name: "project admin",
    });
    expect(limited.status).toBe(201);
    expect(limited.body.key).toMatch(/^ks_root_live_[0-9A-Za-z]{36}$/);
    expect(limited.body).toMatchObject({ projectId: project.id, scopes: ["admin"], status: "active" });
    const key = limited.body.key;
    const narrower = await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] }, { key });
    expect(narrower.status).toBe(201);
    expect(narrower.body.projectId).toBe(project.id);
    const unbound = await h.api("POST", "/v1/root-keys", { projectId: null, scopes: ["keys:read"] }, { key });
    expect(unbound.status).toBe(403);
    const other = await h.project();
    expect(
      (await h.api("POST", "/v1/root-keys", { projectId: other.id, scopes: ["keys:read"] }, { key })).status,
    ).toBe(403);
    expect((await h.api("POST", "/v1/root-keys", { scopes: ["root"] })).status).toBe(400);
  });

  it("lets only admin create, list or revoke root keys", async () => {
    const issued = await h.api("POST", "/v1/root-keys", { scopes: ["keys:verify"] });
    const verifyOnly = issued.body.key;
    const sibling = await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] });
    const child = await h.api("POST", "/v1/root-keys", { scopes: ["keys:verify"] }, { key: verifyOnly });
    expect(child.status).toBe(403);
    expect(child.body.error).toMatchObject({ code: "FORBIDDEN", details: { required: "admin" } });
    const revoke = await h.api("POST", `/v1/root-keys/${sibling.body.id}/revoke`, undefined, {
      key: verifyOnly,
    });
    expect(revoke.status).toBe(403);
    expect((await h.api("GET", "/v1/root-keys", undefined, { key: verifyOnly })).status).toBe(403);
    expect((await h.api("GET", "/v1/projects", undefined, { key: verifyOnly })).status).toBe(403);
    // Nothing changed: the sibling still works and no root key was added.
    expect((await h.api("GET", "/v1/keys", undefined, { key: sibling.body.key })).status).toBe(200);
    const all = await h.api("GET", "/v1/root-keys?limit=500");
    expect(all.body.data.filter((r: { createdBy: string | null }) => r.createdBy === issued.body.id)).toEqual(
      [],
    );
  });

  it("revokes the root keys a revoked root key created, at every depth", async () => {
    const parent = await h.api("POST", "/v1/root-keys", { scopes: ["admin"] });
    const child = await h.api("POST", "/v1/root-keys", { scopes: ["admin"] }, { key: parent.body.key });
    const grandchild = await h.api(
      "POST",
      "/v1/root-keys",
      { scopes: ["keys:read"] },
      { key: child.body.key },
    );
    const unrelated = await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] });
    expect((await h.api("POST", `/v1/root-keys/${parent.body.id}/revoke`)).status).toBe(200);
    for (const k of [parent, child, grandchild]) {
      expect((await h.api("GET", "/v1/keys", undefined, { key: k.body.key })).status).toBe(401);
    }
    expect((await h.api("GET", "/v1/keys", undefined, { key: unrelated.body.key })).status).toBe(200);
    const audit = await h.api("GET", "/v1/audit?action=root_key.revoke&limit=10");
    const cascaded = audit.body.data.filter(
      (e: { details: { cascadeFrom?: string } }) => e.details.cascadeFrom === parent.body.id,
    );
    expect(cascaded.map((e: { targetId: string }) => e.targetId).sort()).toEqual(
      [child.body.id, grandchild.body.id].sort(),
    );
  });

  it("caps a child's expiry at its parent's", async () => {
    const parentExpiry = new Date(h.clock.now() + 3_600_000).toISOString();
    const parent = (await h.api("POST", "/v1/root-keys", { scopes: ["admin"], expiresAt: parentExpiry })).body
      .key;
    const child = await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] }, { key: parent });
    expect(child.body.expiresAt).toBe(parentExpiry);
    const later = new Date(h.clock.now() + 7_200_000).toISOString();
    expect(
      (await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"], expiresAt: later }, { key: parent }))
        .status,
    ).toBe(403);
    h.clock.advance(3_600_000);
    expect((await h.api("GET", "/v1/projects", undefined, { key: parent })).status).toBe(401);
  });

  it("lists root keys without secrets and revokes them at once", async () => {
    const issued = await h.api("POST", "/v1/root-keys", { scopes: ["projects:read"], name: "temp" });
    const key = issued.body.key;
    expect((await h.api("GET", "/v1/projects", undefined, { key })).status).toBe(200);
    const list = await h.api("GET", "/v1/root-keys");
    expect(list.text).not.toContain(key);
    expect(list.body.data.find((r: { id: string }) => r.id === issued.body.id)).toMatchObject({
      name: "temp",
      status: "active",
    });
    const revoked = await h.api("POST", `/v1/root-keys/${issued.body.id}/revoke`);
    expect(revoked.body.status).toBe("revoked");
    const after = await h.api("GET", "/v1/projects", undefined, { key });
    expect(after.status).toBe(401);
    expect(after.headers["www-authenticate"]).toBe('Bearer realm="keysmith"');
  });

  it("refuses a project key, garbage and no header as management credentials (401)", async () => {
    const project = await h.project();
    const { key } = await h.key(project.id);
    for (const headers of [
      { authorization: `Bearer ${key}` },
      { authorization: "Bearer nope" },
      { authorization: "Basic x" },
    ]) {
      const res = await h.api("GET", "/v1/projects", undefined, { key: null, headers });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("UNAUTHORIZED");
      expect(res.text).not.toContain(key);
    }
    expect((await h.api("GET", "/v1/projects", undefined, { key: null })).status).toBe(401);
  });
});

describe.each(await testDialects())("concurrent project creation on %s", (dialect) => {
  it("gives a prefix to exactly one of many simultaneous requests", async () => {
    const h = await createHarness(dialect);
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          h.api("POST", "/v1/projects", { name: `racer ${i}`, prefix: "race" }),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === "PREFIX_TAKEN")).toBe(
        true,
      );
    } finally {
      await h.close();
    }
  });
});
