import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyChangeEvent } from "./change-stream.js";
import { Keysmith } from "./client.js";
import { KeysmithApiError } from "./errors.js";
import { startKeysmith, type TestKeysmith } from "./test-support/keysmith.js";
import { countingFetch } from "./test-support/network.js";

let keysmith: TestKeysmith;
const clients: Keysmith[] = [];

beforeAll(async () => {
  keysmith = await startKeysmith();
});
afterAll(async () => {
  for (const client of clients) client.close();
  await keysmith?.stop();
});

describe("the client against a real keysmith server", () => {
  it("manages projects", async () => {
    const { admin } = keysmith;
    const created = await admin.projects.create({ name: "Weather", prefix: "weather" });
    expect(created).toMatchObject({ name: "Weather", prefix: "weather", budget: null });
    expect((await admin.projects.get(created.id)).id).toBe(created.id);
    const updated = await admin.projects.update(created.id, { costTable: { "weather:read": 2 } });
    expect(updated.costTable).toEqual({ "weather:read": 2 });
    const ids: string[] = [];
    for await (const project of admin.projects.iterate({ limit: 1 })) ids.push(project.id);
    expect(ids).toContain(created.id);
    expect(ids).toContain(keysmith.projectId);
  });

  it("runs a key's whole life: create, read, update, verify, roll, revoke, usage", async () => {
    const { admin, projectId } = keysmith;
    const issued = await admin.keys.create({ projectId, ownerId: "cus_life", scopes: ["weather:read"] });
    expect(issued.key.startsWith(`${issued.start}`)).toBe(true);
    expect((await admin.keys.get(issued.id)).status).toBe("active");
    expect((await admin.keys.update(issued.id, { name: "CI" })).name).toBe("CI");
    const verified = await admin.keys.verify({ key: issued.key, scopes: "weather:read" });
    expect(verified).toMatchObject({ valid: true, code: "VALID", keyId: issued.id, source: "server" });
    const rolled = await admin.keys.roll(issued.id, { gracePeriod: "1h" });
    expect(rolled.previous.id).toBe(issued.id);
    expect(rolled.key).not.toBe(issued.key);
    expect((await admin.keys.revoke(rolled.id, { reason: "test" })).status).toBe("revoked");
    expect((await admin.verifyKey(rolled.key)).code).toBe("REVOKED");
    const series = await admin.keys.usage(issued.id, { granularity: "day" });
    expect(series.granularity).toBe("day");
    expect(series.data.reduce((sum, b) => sum + b.outcomes.VALID, 0)).toBe(1);
    expect((await admin.usage.project(projectId, { granularity: "hour" })).data.length).toBeGreaterThan(0);
    const owner = await admin.usage.owner("cus_life", { granularity: "day" });
    expect(owner.data.reduce((sum, b) => sum + b.outcomes.VALID, 0)).toBe(1);
  });

  it("manages identities and roles, and verify answers them", async () => {
    const { admin, projectId } = keysmith;
    const identity = await admin.identities.create({
      projectId,
      externalId: "cus_sdk",
      meta: { plan: "team" },
      ratelimits: [{ name: "org", limit: 100, duration: "1m" }],
    });
    expect(identity.id.startsWith("idt_")).toBe(true);
    expect((await admin.identities.get(identity.id)).externalId).toBe("cus_sdk");
    expect((await admin.identities.update(identity.id, { meta: { plan: "org" } })).meta).toEqual({
      plan: "org",
    });
    expect((await admin.identities.list({ projectId })).data.map((i) => i.id)).toContain(identity.id);
    const role = await admin.roles.create({ projectId, name: "forecaster", scopes: ["forecast:read"] });
    expect((await admin.roles.update(role.id, { scopes: ["forecast:*"] })).scopes).toEqual(["forecast:*"]);
    expect((await admin.roles.list({ projectId })).data.map((r) => r.name)).toContain("forecaster");
    const issued = await admin.keys.create({
      projectId,
      ownerId: "cus_sdk",
      scopes: [],
      roles: ["forecaster"],
    });
    expect(issued.roles).toEqual(["forecaster"]);
    const verified = await admin.verifyKey(issued.key, { scopes: "forecast:read" });
    expect(verified).toMatchObject({
      valid: true,
      roles: ["forecaster"],
      scopes: ["forecast:*"],
      identity: { id: identity.id, externalId: "cus_sdk", meta: { plan: "org" } },
    });
    expect((await admin.roles.delete(role.id)).id).toBe(role.id);
    expect((await admin.identities.delete(identity.id)).id).toBe(identity.id);
    const error = await admin.roles.get(role.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeysmithApiError);
    expect((error as KeysmithApiError).code).toBe("ROLE_NOT_FOUND");
  });

  it("iterates over every page of keys, fetching a page only when needed", async () => {
    const { id: projectId } = await keysmith.admin.projects.create({ name: "Paging", prefix: "paging" });
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await keysmith.admin.keys.create({ projectId })).id);
    const spy = countingFetch();
    const client = new Keysmith({ baseUrl: keysmith.url, rootKey: keysmith.rootKey, fetch: spy.fetch });
    const seen: string[] = [];
    for await (const key of client.keys.iterate({ projectId, limit: 2 })) seen.push(key.id);
    expect(seen.sort()).toEqual(created.sort());
    expect(spy.calls).toHaveLength(3);
    const first = await client.keys.list({ projectId, limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const stopped = client.keys.iterate({ projectId, limit: 2 });
    await stopped.next();
    expect(spy.calls).toHaveLength(5);
  });

  it("manages root keys, webhooks, alerts and the audit log", async () => {
    const { admin, projectId } = keysmith;
    const root = await admin.rootKeys.create({ projectId, scopes: ["keys:verify"], name: "api" });
    expect(root.key.startsWith("ks_root_live_")).toBe(true);
    const listed: string[] = [];
    for await (const r of admin.rootKeys.iterate()) listed.push(r.id);
    expect(listed).toContain(root.id);
    expect((await admin.rootKeys.revoke(root.id)).status).toBe("revoked");

    const hook = await admin.webhooks.create({
      url: "http://127.0.0.1:9/hook",
      events: ["key.revoked"],
      projectId,
    });
    expect(hook.secret.startsWith("whsec_")).toBe(true);
    expect((await admin.webhooks.get(hook.id)).url).toBe("http://127.0.0.1:9/hook");
    expect((await admin.webhooks.list({ projectId })).data.map((w) => w.id)).toContain(hook.id);
    const issued = await keysmith.key();
    await admin.keys.revoke(issued.id);
    await keysmith.running.keysmith.alerts.drain();
    const alerts = await admin.alerts.list({ projectId, type: "key.revoked" });
    expect(alerts.data.some((a) => a.keyId === issued.id)).toBe(true);
    const deliveries = await admin.webhooks.deliveries(hook.id);
    expect(deliveries.data.length).toBeGreaterThan(0);
    expect((await admin.webhooks.delete(hook.id)).deletedAt).not.toBeNull();

    const audit = await admin.audit.list({ action: "key.revoke", limit: 5 });
    expect(audit.data.some((entry) => entry.targetId === issued.id)).toBe(true);
    expect((await admin.audit.verify()).valid).toBe(true);
  });

  it("keeps secrets in the vault: write, read, version, rotate, delete, restore, export", async () => {
    const { admin, projectId } = keysmith;
    const written = await admin.secrets.set("staging", "OPENAI_API_KEY", { value: "sk-one" }, { projectId });
    expect(written).toMatchObject({ name: "OPENAI_API_KEY", environment: "staging", version: 1 });
    await admin.secrets.set(
      "staging",
      "OPENAI_API_KEY",
      { value: "sk-two", rotateEvery: "90d" },
      { projectId },
    );
    expect((await admin.secrets.get("staging", "OPENAI_API_KEY", { projectId })).value).toBe("sk-two");
    expect((await admin.secrets.get("staging", "OPENAI_API_KEY", { projectId, version: 1 })).value).toBe(
      "sk-one",
    );
    const versions = await admin.secrets.versions("staging", "OPENAI_API_KEY", { projectId });
    expect(versions.data.map((v) => v.version)).toEqual([2, 1]);
    expect(
      (await admin.secrets.update("staging", "OPENAI_API_KEY", { rotateEvery: null }, { projectId }))
        .rotateEvery,
    ).toBeNull();
    const names: string[] = [];
    for await (const secret of admin.secrets.iterate({ projectId, environment: "staging" }))
      names.push(secret.name);
    expect(names).toEqual(["OPENAI_API_KEY"]);
    expect((await admin.secrets.export({ projectId, environment: "staging" })).secrets).toEqual([
      { name: "OPENAI_API_KEY", version: 2, value: "sk-two" },
    ]);
    expect((await admin.secrets.delete("staging", "OPENAI_API_KEY", { projectId })).deletedAt).not.toBeNull();
    await expect(admin.secrets.get("staging", "OPENAI_API_KEY", { projectId })).rejects.toMatchObject({
      status: 404,
    });
    expect((await admin.secrets.restore("staging", "OPENAI_API_KEY", { projectId })).deletedAt).toBeNull();
  });

  it("throws KeysmithApiError with the server's code, status, request id and details", async () => {
    const error = (await keysmith.admin.keys
      .get("key_0000000000000000000000")
      .catch((e) => e)) as KeysmithApiError;
    expect(error).toBeInstanceOf(KeysmithApiError);
    expect(error).toMatchObject({
      code: "KEY_NOT_FOUND",
      status: 404,
      requestId: expect.stringMatching(/^req_/),
    });
    const invalid = (await keysmith.admin.projects
      .create({ name: "", prefix: "x" })
      .catch((e) => e)) as KeysmithApiError;
    expect(invalid).toMatchObject({ code: "VALIDATION_ERROR", status: 400 });
    expect(invalid.details).toEqual(expect.any(Array));
    const stranger = new Keysmith({ baseUrl: keysmith.url, rootKey: "ks_root_live_nope" });
    await expect(stranger.projects.list()).rejects.toMatchObject({ code: "UNAUTHORIZED", status: 401 });
  });
});

describe("verifyKey", () => {
  it("answers MALFORMED locally, with no network call", async () => {
    const spy = countingFetch();
    const client = new Keysmith({ baseUrl: keysmith.url, rootKey: keysmith.rootKey, fetch: spy.fetch });
    const result = await client.verifyKey("acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3M");
    expect(result).toMatchObject({ valid: false, code: "MALFORMED", source: "local", keyId: null });
    expect(spy.calls).toEqual([]);
  });

  it("with the cache off, asks the server every time", async () => {
    const issued = await keysmith.key();
    const before = await keysmith.verifications();
    const client = new Keysmith({ baseUrl: keysmith.url, rootKey: keysmith.rootKey });
    await client.verifyKey(issued.key);
    await client.verifyKey(issued.key);
    expect(await keysmith.verifications()).toBe(before + 2);
  });

  it("with the cache on and the change feed off, reuses a VALID answer for ttlMs: a revoke waits", async () => {
    const issued = await keysmith.key({ scopes: ["weather:read"] });
    const client = new Keysmith({
      baseUrl: keysmith.url,
      rootKey: keysmith.rootKey,
      cache: { ttlMs: 60_000, followChanges: false },
    });
    const before = await keysmith.verifications();
    expect((await client.verifyKey(issued.key, { scopes: "weather:read" })).source).toBe("server");
    const again = await client.verifyKey(issued.key, { scopes: "weather:read" });
    expect(again).toMatchObject({ valid: true, source: "cache", keyId: issued.id });
    expect(await keysmith.verifications()).toBe(before + 1);
    // Other options are another question for the server.
    expect((await client.verifyKey(issued.key, { scopes: "alerts:read" })).code).toBe("INSUFFICIENT_SCOPE");
    expect((await client.verifyKey(issued.key, { scopes: "alerts:read" })).source).toBe("server");

    await keysmith.admin.keys.revoke(issued.id);
    expect((await client.verifyKey(issued.key, { scopes: "weather:read" })).source).toBe("cache");
    client.clearCache(issued.id);
    expect((await client.verifyKey(issued.key, { scopes: "weather:read" })).code).toBe("REVOKED");
  });

  it("reports the verifications it answered from the cache, so keysmith's usage shows every call", async () => {
    const issued = await keysmith.key({ scopes: ["weather:read"] });
    const client = new Keysmith({
      baseUrl: keysmith.url,
      rootKey: keysmith.rootKey,
      cache: { ttlMs: 60_000, followChanges: false, reportIntervalMs: 3_600_000 },
    });
    clients.push(client);
    for (let i = 0; i < 5; i++) await client.verifyKey(issued.key, { scopes: "weather:read" });
    const valid = async () =>
      (await keysmith.admin.keys.usage(issued.id, { granularity: "day" })).data.reduce(
        (sum, bucket) => sum + (bucket.outcomes.VALID ?? 0),
        0,
      );
    expect(await valid()).toBe(1);
    await client.flushUsage();
    expect(await valid()).toBe(5);
    // Nothing counted since: nothing more is sent.
    await client.flushUsage();
    expect(await valid()).toBe(5);
  });

  it("sends a permission query, and never answers one from a cached answer to another question", async () => {
    const issued = await keysmith.key({ scopes: ["weather:read"] });
    const client = new Keysmith({
      baseUrl: keysmith.url,
      rootKey: keysmith.rootKey,
      cache: { ttlMs: 60_000, followChanges: false },
    });
    clients.push(client);
    expect((await client.verifyKey(issued.key)).code).toBe("VALID");
    const query = "weather:read AND (alerts:read OR radar:*)";
    expect(await client.verifyKey(issued.key, { permissions: query })).toMatchObject({
      code: "INSUFFICIENT_SCOPE",
      source: "server",
    });
    expect(await client.verifyKey(issued.key, { permissions: "weather:read OR alerts:read" })).toMatchObject({
      code: "VALID",
      source: "server",
    });
    const bad = await client.verifyKey(issued.key, { permissions: "weather:read OR" }).catch((e) => e);
    expect(bad).toBeInstanceOf(KeysmithApiError);
    expect(bad).toMatchObject({ status: 400, code: "INVALID_PERMISSION_QUERY", details: { position: 15 } });
  });

  it("follows the change feed: a revoked key's cached answer is dropped as the event arrives", async () => {
    const issued = await keysmith.key();
    const statuses: string[] = [];
    let live!: () => void;
    const isLive = new Promise<void>((resolve) => {
      live = resolve;
    });
    const revoked = new Promise<unknown>((resolve) => {
      const client = new Keysmith({
        baseUrl: keysmith.url,
        rootKey: keysmith.rootKey,
        cache: {
          ttlMs: 60_000,
          onStatus: (status) => {
            statuses.push(status);
            if (status === "live") live();
          },
          onChange: (event) => {
            if (event.keyId === issued.id && event.type === "key.revoked") resolve(event);
          },
        },
      });
      clients.push(client);
    });
    const client = clients.at(-1) as Keysmith;
    // The first call opens the feed; answers are kept only once it is live.
    expect((await client.verifyKey(issued.key)).source).toBe("server");
    await isLive;
    expect((await client.verifyKey(issued.key)).source).toBe("server");
    expect((await client.verifyKey(issued.key)).source).toBe("cache");
    await keysmith.admin.keys.revoke(issued.id);
    expect(await revoked).toMatchObject({
      type: "key.revoked",
      keyId: issued.id,
      projectId: keysmith.projectId,
    });
    expect(await client.verifyKey(issued.key)).toMatchObject({ code: "REVOKED", source: "server" });
    expect(statuses).toEqual(["live"]);
  });

  it("streams the change feed to a caller with keys.changes(), resumable by seq", async () => {
    const issued = await keysmith.key();
    await keysmith.admin.keys.update(issued.id, { name: "renamed" });
    const controller = new AbortController();
    let seen: KeyChangeEvent | undefined;
    for await (const change of keysmith.admin.keys.changes({ since: 0, signal: controller.signal })) {
      if (change.keyId === issued.id) {
        seen = change;
        break;
      }
    }
    expect(seen).toMatchObject({ type: "key.updated", keyId: issued.id, seq: expect.any(Number) });
    const after = keysmith.admin.keys.changes({ since: seen?.seq ?? 0 });
    await keysmith.admin.keys.revoke(issued.id);
    expect((await after.next()).value).toMatchObject({ type: "key.revoked", keyId: issued.id });
    await after.return(undefined);
  });

  it("never serves a metered key from the cache: each call must be counted", async () => {
    const issued = await keysmith.key({ ratelimits: [{ name: "minute", limit: 100, duration: "1m" }] });
    const credited = await keysmith.key({ credits: { remaining: 10 } });
    const client = new Keysmith({
      baseUrl: keysmith.url,
      rootKey: keysmith.rootKey,
      cache: { ttlMs: 60_000, followChanges: false },
    });
    for (const key of [issued.key, credited.key]) {
      await client.verifyKey(key);
      expect((await client.verifyKey(key)).source).toBe("server");
    }
    expect((await client.verifyKey(credited.key)).credits).toEqual({ remaining: 7 });
  });
});
