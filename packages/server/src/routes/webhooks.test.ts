import { describe, expect, it } from "vitest";
import { buildApp } from "../app.js";
import { createLogger } from "../logger.js";
import { testDialects } from "../test-support/databases.js";
import { createHarness, useHarness, useProject } from "../test-support/harness.js";
import { WebhookSecretBox } from "../webhooks/secret-box.js";

const URL_A = "https://hooks.example.com/keysmith?token=abc";

describe.each(await testDialects())("webhook endpoints and alerts on %s", (dialect) => {
  const h = useHarness(dialect);
  const project = useProject(h);

  const create = (body: Record<string, unknown>, key?: string) =>
    h.api("POST", "/v1/webhooks", body, key === undefined ? {} : { key });

  it("creates an endpoint and shows its secret this once", async () => {
    const res = await create({
      url: URL_A,
      events: ["key.revoked", "budget.threshold"],
      projectId: project.id,
    });
    expect(res.status).toBe(201);
    const { secret, ...endpoint } = res.body;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toEqual({
      id: expect.stringMatching(/^whk_[0-9A-Za-z]{22}$/),
      url: URL_A,
      events: ["key.revoked", "budget.threshold"],
      projectId: project.id,
      description: null,
      createdAt: new Date(h.clock.now()).toISOString(),
      deletedAt: null,
    });
    const read = await h.api("GET", `/v1/webhooks/${endpoint.id}`);
    expect(read.body).toEqual(endpoint);
    const list = await h.api("GET", "/v1/webhooks");
    expect(list.body.data).toContainEqual(endpoint);
    for (const text of [read.text, list.text, h.logs.join("\n")]) expect(text).not.toContain(secret.slice(6));
  });

  it("creates an endpoint for every project when no project is named", async () => {
    const res = await create({ url: "http://127.0.0.1:9/x", events: ["key.leaked"], description: "pager" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ projectId: null, description: "pager" });
  });

  it("validates the url, the events and the fields, and changes nothing on bad input", async () => {
    const before = (await h.api("GET", "/v1/webhooks?limit=500")).body.data.length;
    const bad: Record<string, unknown>[] = [
      { url: "ftp://example.com/x", events: ["key.revoked"] },
      { url: "not a url", events: ["key.revoked"] },
      { url: "https://", events: ["key.revoked"] },
      { url: `https://example.com/${"a".repeat(2048)}`, events: ["key.revoked"] },
      { url: URL_A, events: [] },
      { url: URL_A, events: ["key.exploded"] },
      { url: URL_A, events: ["key.revoked", "key.revoked"] },
      { url: URL_A, events: "key.revoked" },
      { url: URL_A },
      { events: ["key.revoked"] },
      { url: URL_A, events: ["key.revoked"], secret: "whsec_mine" },
      { url: URL_A, events: ["key.revoked"], projectId: "proj_nope" },
      { url: URL_A, events: ["key.revoked"], description: "x".repeat(501) },
    ];
    for (const body of bad) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
    }
    const unknown = await create({
      url: URL_A,
      events: ["key.revoked"],
      projectId: "proj_0000000000000000000000",
    });
    expect(unknown.status).toBe(404);
    expect((await h.api("GET", "/v1/webhooks?limit=500")).body.data).toHaveLength(before);
  });

  it("deletes an endpoint softly: gone from the list, its log still readable, deleting again is 404", async () => {
    const created = (await create({ url: URL_A, events: ["key.rolled"], projectId: project.id })).body;
    h.clock.advance(1000);
    const deleted = await h.api("DELETE", `/v1/webhooks/${created.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: created.id, deletedAt: new Date(h.clock.now()).toISOString() });
    expect(deleted.body).not.toHaveProperty("secret");
    const list = await h.api("GET", "/v1/webhooks?limit=500");
    expect(list.body.data.map((w: { id: string }) => w.id)).not.toContain(created.id);
    expect((await h.api("GET", `/v1/webhooks/${created.id}`)).status).toBe(404);
    expect((await h.api("DELETE", `/v1/webhooks/${created.id}`)).status).toBe(404);
    const log = await h.api("GET", `/v1/webhooks/${created.id}/deliveries`);
    expect(log.body).toEqual({ data: [], nextCursor: null });
    expect((await h.api("DELETE", "/v1/webhooks/whk_0000000000000000000000")).status).toBe(404);
    expect((await h.api("DELETE", "/v1/webhooks/not-an-id")).status).toBe(400);
  });

  it("audits create and delete without the secret or the url's path", async () => {
    const created = (await create({ url: URL_A, events: ["key.revoked"], projectId: project.id })).body;
    await h.api("DELETE", `/v1/webhooks/${created.id}`);
    const audit = await h.api("GET", `/v1/audit?targetId=${created.id}`);
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual([
      "webhook.delete",
      "webhook.create",
    ]);
    expect(audit.body.data[1]).toMatchObject({
      targetType: "webhook",
      projectId: project.id,
      details: { origin: "https://hooks.example.com", events: ["key.revoked"] },
    });
    expect(audit.text).not.toContain(created.secret);
    expect(audit.text).not.toContain("token=abc");
    expect((await h.api("GET", "/v1/audit/verify")).body.valid).toBe(true);
  });

  it("pages the endpoint list newest first", async () => {
    const project = (await h.project()).id;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      h.clock.advance(1);
      ids.push((await create({ url: URL_A, events: ["key.anomaly"], projectId: project })).body.id);
    }
    const first = await h.api("GET", `/v1/webhooks?projectId=${project}&limit=2`);
    expect(first.body.data.map((w: { id: string }) => w.id)).toEqual([ids[2], ids[1]]);
    const second = await h.api(
      "GET",
      `/v1/webhooks?projectId=${project}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body).toMatchObject({ data: [{ id: ids[0] }], nextCursor: null });
  });

  it("needs projects:write to change endpoints and usage:read to read them", async () => {
    const reader = (await h.api("POST", "/v1/root-keys", { scopes: ["usage:read"] })).body.key;
    const writer = (await h.api("POST", "/v1/root-keys", { scopes: ["projects:write"] })).body.key;
    const created = (await create({ url: URL_A, events: ["key.revoked"], projectId: project.id })).body;
    const denied = await create({ url: URL_A, events: ["key.revoked"], projectId: project.id }, reader);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "FORBIDDEN", details: { required: "projects:write" } });
    expect((await h.api("DELETE", `/v1/webhooks/${created.id}`, undefined, { key: reader })).status).toBe(
      403,
    );
    expect((await h.api("GET", "/v1/webhooks", undefined, { key: reader })).status).toBe(200);
    expect((await h.api("GET", "/v1/alerts", undefined, { key: reader })).status).toBe(200);
    for (const url of ["/v1/webhooks", `/v1/webhooks/${created.id}/deliveries`, "/v1/alerts"]) {
      expect((await h.api("GET", url, undefined, { key: writer })).status).toBe(403);
    }
    expect((await h.api("GET", "/v1/webhooks", undefined, { key: null })).status).toBe(401);
  });

  it("keeps a bound root key to its own project's endpoints and alerts", async () => {
    const mine = (await h.project()).id;
    const theirs = (await h.project()).id;
    const bound = (
      await h.api("POST", "/v1/root-keys", { projectId: mine, scopes: ["projects:write", "usage:read"] })
    ).body.key;
    const their = (await create({ url: URL_A, events: ["key.revoked"], projectId: theirs })).body;

    const own = await create({ url: URL_A, events: ["key.revoked"] }, bound);
    expect(own.status).toBe(201);
    expect(own.body.projectId).toBe(mine);
    expect((await create({ url: URL_A, events: ["key.revoked"], projectId: theirs }, bound)).status).toBe(
      404,
    );
    expect(
      (await create({ url: URL_A, events: ["key.revoked"], projectId: null }, bound)).body.projectId,
    ).toBe(mine);

    const list = await h.api("GET", "/v1/webhooks", undefined, { key: bound });
    expect(list.body.data.every((w: { projectId: string }) => w.projectId === mine)).toBe(true);
    expect(list.body.data).toHaveLength(2);
    const filtered = await h.api("GET", `/v1/webhooks?projectId=${theirs}`, undefined, { key: bound });
    expect(filtered.body.data).toEqual([]);
    for (const [method, url] of [
      ["GET", `/v1/webhooks/${their.id}`],
      ["DELETE", `/v1/webhooks/${their.id}`],
      ["GET", `/v1/webhooks/${their.id}/deliveries`],
    ] as const) {
      expect((await h.api(method, url, undefined, { key: bound })).status).toBe(404);
    }

    const alerts = h.keysmith.alerts;
    await alerts.raise({
      type: "key.anomaly",
      projectId: mine,
      keyId: null,
      data: {},
      idempotencyKey: `a:${mine}`,
    });
    await alerts.raise({
      type: "key.anomaly",
      projectId: theirs,
      keyId: null,
      data: {},
      idempotencyKey: `a:${theirs}`,
    });
    await alerts.raise({
      type: "secret.rotation_due",
      projectId: null,
      keyId: null,
      data: {},
      idempotencyKey: `a:${mine}:g`,
    });
    const seen = await h.api("GET", "/v1/alerts", undefined, { key: bound });
    expect(seen.body.data.map((a: { projectId: string }) => a.projectId)).toEqual([mine]);
    expect(
      (await h.api("GET", `/v1/alerts?projectId=${theirs}`, undefined, { key: bound })).body.data,
    ).toEqual([]);
  });

  it("lists alerts newest first, filtered by project, type and key", async () => {
    const project = (await h.project()).id;
    const other = (await h.project()).id;
    const key = (await h.key(project)).id;
    const raise = (
      type: "key.anomaly" | "key.retry_storm" | "budget.threshold",
      p: string,
      k: string | null,
      n: number,
    ) => {
      h.clock.advance(1);
      return h.keysmith.alerts.raise({
        type,
        projectId: p,
        keyId: k,
        data: { n },
        idempotencyKey: `list:${p}:${n}`,
      });
    };
    await raise("key.anomaly", project, key, 1);
    await raise("key.retry_storm", project, key, 2);
    await raise("budget.threshold", project, null, 3);
    await raise("key.anomaly", other, null, 4);

    const all = await h.api("GET", `/v1/alerts?projectId=${project}`);
    expect(all.status).toBe(200);
    expect(all.body.data.map((a: { data: { n: number } }) => a.data.n)).toEqual([3, 2, 1]);
    expect(all.body.data[0]).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: "budget.threshold",
      projectId: project,
      keyId: null,
      data: { n: 3 },
      createdAt: new Date(h.clock.now() - 1).toISOString(),
    });
    const byType = await h.api("GET", `/v1/alerts?projectId=${project}&type=key.anomaly`);
    expect(byType.body.data.map((a: { data: { n: number } }) => a.data.n)).toEqual([1]);
    const byKey = await h.api("GET", `/v1/alerts?keyId=${key}`);
    expect(byKey.body.data.map((a: { data: { n: number } }) => a.data.n)).toEqual([2, 1]);
    const page = await h.api("GET", `/v1/alerts?projectId=${project}&limit=2`);
    const rest = await h.api("GET", `/v1/alerts?projectId=${project}&limit=2&cursor=${page.body.nextCursor}`);
    expect(rest.body).toMatchObject({ data: [{ data: { n: 1 } }], nextCursor: null });
    expect((await h.api("GET", "/v1/alerts?type=key.exploded")).status).toBe(400);
    expect((await h.api("GET", "/v1/alerts?keyId=nope")).status).toBe(400);
    expect((await h.api("GET", "/v1/alerts?color=red")).status).toBe(400);
    expect((await h.api("GET", "/v1/alerts?cursor=bm9wZQ")).body.error.code).toBe("INVALID_CURSOR");
  });

  it("documents the routes in the OpenAPI document", async () => {
    const doc = await h.api("GET", "/openapi.json", undefined, { key: null });
    for (const path of ["/v1/webhooks", "/v1/webhooks/{id}", "/v1/webhooks/{id}/deliveries", "/v1/alerts"]) {
      expect(doc.body.paths).toHaveProperty(path);
    }
    expect(
      doc.body.paths["/v1/webhooks"].post.requestBody.content["application/json"].schema.required,
    ).toEqual(["url", "events"]);
  });

  it("stores an alert once per idempotency key", async () => {
    const input = {
      type: "key.leaked",
      projectId: project.id,
      keyId: null,
      data: { where: "gist" },
      idempotencyKey: "once",
    } as const;
    expect(await h.keysmith.alerts.raise(input)).toBe(true);
    expect(await h.keysmith.alerts.raise({ ...input, data: { where: "again" } })).toBe(false);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => h.keysmith.alerts.raise({ ...input, idempotencyKey: "racing" })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const leaked = await h.api("GET", `/v1/alerts?projectId=${project.id}&type=key.leaked`);
    expect(leaked.body.data.map((a: { data: unknown }) => a.data)).toEqual([
      { where: "gist" },
      { where: "gist" },
    ]);
  });
});

describe("webhook endpoints on a node that cannot read the webhook key", () => {
  it("answers 503 WEBHOOK_SECRETS_LOCKED on create and stores nothing", async () => {
    const h = await createHarness("sqlite");
    const locked = await buildApp({
      store: h.store,
      clock: h.clock,
      logger: createLogger("silent"),
      webhookSecrets: new WebhookSecretBox(null),
    });
    try {
      const res = await locked.app.inject({
        method: "POST",
        url: "/v1/webhooks",
        headers: { authorization: `Bearer ${h.rootKey}` },
        payload: { url: "https://hooks.example.com/k", events: ["key.revoked"] },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe("WEBHOOK_SECRETS_LOCKED");
      expect((await h.api("GET", "/v1/webhooks")).body.data).toEqual([]);
    } finally {
      await locked.close();
      await h.close();
    }
  });
});
