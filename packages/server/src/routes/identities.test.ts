import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";

describe.each(await testDialects())("identities on %s", (dialect) => {
  let h: Harness;
  let projectId: string;
  let counter = 0;
  const externalId = () => `cus_${++counter}`;

  beforeAll(async () => {
    h = await createHarness(dialect);
    projectId = (await h.project()).id;
  });
  afterAll(() => h.close());

  const createIdentity = async (body: Record<string, unknown>) => {
    const res = await h.api("POST", "/v1/identities", { projectId, ...body });
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string; externalId: string };
  };

  it("creates an identity and answers it with every field, unset ones null", async () => {
    const res = await h.api("POST", "/v1/identities", { projectId, externalId: "cus_shape" });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^idt_[0-9A-Za-z]{22}$/),
      projectId,
      externalId: "cus_shape",
      meta: null,
      ratelimits: null,
      credits: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect((await h.api("GET", `/v1/identities/${res.body.id}`)).body).toEqual(res.body);
  });

  it("refuses a second identity with the same externalId in a project (409), not in another", async () => {
    const id = externalId();
    await createIdentity({ externalId: id });
    const again = await h.api("POST", "/v1/identities", { projectId, externalId: id });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("IDENTITY_EXISTS");
    const other = (await h.project()).id;
    expect((await h.api("POST", "/v1/identities", { projectId: other, externalId: id })).status).toBe(201);
  });

  it("refuses duplicate limit names with 400 and stores nothing", async () => {
    const id = externalId();
    const res = await h.api("POST", "/v1/identities", {
      projectId,
      externalId: id,
      ratelimits: [
        { name: "shared", limit: 5, duration: "1m" },
        { name: "shared", limit: 50, duration: "1h" },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(res.body.error.details).toMatchObject({ field: "ratelimits" });
    expect((await h.api("POST", "/v1/identities", { projectId, externalId: id })).status).toBe(201);
  });

  it("lists, patches and deletes identities; an unknown id is IDENTITY_NOT_FOUND", async () => {
    const other = (await h.project()).id;
    const mine = await createIdentity({ externalId: externalId(), meta: { plan: "free" } });
    const list = await h.api("GET", `/v1/identities?projectId=${projectId}&limit=500`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((i: { id: string }) => i.id)).toContain(mine.id);
    expect(list.body.data.every((i: { projectId: string }) => i.projectId === projectId)).toBe(true);
    expect((await h.api("GET", `/v1/identities?projectId=${other}`)).body.data).toEqual([]);

    const patched = await h.api("PATCH", `/v1/identities/${mine.id}`, {
      meta: { plan: "pro" },
      credits: { remaining: 10, refill: { amount: 10, interval: "month" } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      meta: { plan: "pro" },
      credits: { remaining: 10, refill: { amount: 10, interval: "month" } },
    });
    const deleted = await h.api("DELETE", `/v1/identities/${mine.id}`);
    expect(deleted.status).toBe(200);
    const gone = await h.api("GET", `/v1/identities/${mine.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe("IDENTITY_NOT_FOUND");
    const audit = await h.api("GET", `/v1/audit?targetId=${mine.id}`);
    expect(audit.body.data.map((e: { action: string }) => e.action).sort()).toEqual([
      "identity.create",
      "identity.delete",
      "identity.update",
    ]);
  });

  it("answers a key's identity in verify, and null for a key without one", async () => {
    const owner = externalId();
    const identity = await createIdentity({
      externalId: owner,
      meta: { tier: "gold" },
      ratelimits: [{ name: "shared", limit: 100, duration: "1m" }],
    });
    const key = await h.key(projectId, { ownerId: owner });
    const res = await h.verify({ key: key.key });
    expect(res.body).toMatchObject({ valid: true, ownerId: owner });
    expect(res.body.identity).toEqual({
      id: identity.id,
      externalId: owner,
      meta: { tier: "gold" },
      ratelimits: [{ name: "shared", limit: 100, duration: "1m" }],
    });
    const stranger = await h.key(projectId, { ownerId: externalId() });
    expect((await h.verify({ key: stranger.key })).body.identity).toBeNull();
  });

  it("shares the identity's limits across its keys, after each key's own", async () => {
    const owner = externalId();
    await createIdentity({ externalId: owner, ratelimits: [{ name: "shared", limit: 3, duration: "1m" }] });
    const a = await h.key(projectId, {
      ownerId: owner,
      ratelimits: [{ name: "own", limit: 1, duration: "1m" }],
    });
    const b = await h.key(projectId, { ownerId: owner });
    const first = await h.verify({ key: a.key });
    expect(first.body.code).toBe("VALID");
    expect(
      first.body.ratelimits.map((r: { name: string; remaining: number }) => [r.name, r.remaining]),
    ).toEqual([
      ["own", 0],
      ["shared", 2],
    ]);
    // The key's own window refuses before the identity's is touched.
    expect((await h.verify({ key: a.key })).body.code).toBe("RATE_LIMITED");
    expect((await h.verify({ key: b.key })).body.code).toBe("VALID");
    expect((await h.verify({ key: b.key })).body.code).toBe("VALID");
    const refused = await h.verify({ key: b.key });
    expect(refused.body.code).toBe("RATE_LIMITED");
    expect(refused.headers["retry-after"]).toBeDefined();
    expect(refused.body.ratelimits).toEqual([
      expect.objectContaining({ name: "shared", limit: 3, remaining: 0 }),
    ]);
  });

  it("draws credits from the identity's pool for keys without their own, atomically", async () => {
    const owner = externalId();
    const identity = await createIdentity({ externalId: owner, credits: { remaining: 5 } });
    const a = await h.key(projectId, { ownerId: owner });
    const b = await h.key(projectId, { ownerId: owner });
    const own = await h.key(projectId, { ownerId: owner, credits: { remaining: 1 } });
    const answers = await Promise.all([a, b, a, b, a, b, a].map((k) => h.verify({ key: k.key })));
    const codes = answers.map((r) => r.body.code);
    expect(codes.filter((c) => c === "VALID")).toHaveLength(5);
    expect(codes.filter((c) => c === "USAGE_EXCEEDED")).toHaveLength(2);
    expect(answers.find((r) => r.body.code === "USAGE_EXCEEDED")?.body.credits).toEqual({ remaining: 0 });
    // A key with credits of its own spends those, not the pool.
    expect((await h.verify({ key: own.key })).body).toMatchObject({
      code: "VALID",
      credits: { remaining: 0 },
    });
    expect((await h.verify({ key: own.key })).body.code).toBe("USAGE_EXCEEDED");
    expect((await h.api("GET", `/v1/identities/${identity.id}`)).body.credits.remaining).toBe(0);
    // Topping the pool up reaches the keys at once.
    await h.api("PATCH", `/v1/identities/${identity.id}`, { credits: { remaining: 1 } });
    expect((await h.verify({ key: a.key })).body).toMatchObject({ code: "VALID", credits: { remaining: 0 } });
  });

  it("reaches cached keys when an identity is created, changed or deleted", async () => {
    const owner = externalId();
    const key = await h.key(projectId, { ownerId: owner });
    expect((await h.verify({ key: key.key })).body.identity).toBeNull();
    const identity = await createIdentity({ externalId: owner, meta: { v: 1 } });
    expect((await h.verify({ key: key.key })).body.identity).toMatchObject({
      id: identity.id,
      meta: { v: 1 },
    });
    await h.api("PATCH", `/v1/identities/${identity.id}`, { meta: { v: 2 } });
    expect((await h.verify({ key: key.key })).body.identity.meta).toEqual({ v: 2 });
    await h.api("DELETE", `/v1/identities/${identity.id}`);
    expect((await h.verify({ key: key.key })).body.identity).toBeNull();
  });
});
