import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";

const HOUR = 3_600_000;

describe.each(await testDialects())("key lifecycle on %s", (dialect) => {
  let h: Harness;
  let projectId: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    projectId = (await h.project({ publishableScopes: ["public:*", "widgets:read"] })).id;
  });
  afterAll(() => h.close());

  it("creates a secret key shown once, stored only as a hash, start and last 4", async () => {
    const res = await h.api("POST", "/v1/keys", { projectId, name: "CI", ownerId: "cus_1" });
    expect(res.status).toBe(201);
    const { key, ...shown } = res.body;
    expect(key).toMatch(/^p[a-z0-9]+_sk_live_[0-9A-Za-z]{36}$/);
    expect(shown).toMatchObject({
      type: "secret",
      environment: "live",
      status: "active",
      scopes: ["*"],
      start: key.slice(0, key.length - 32),
      last4: key.slice(-4),
      meta: null,
      expiresAt: null,
      allowedOrigins: null,
      allowedIps: null,
      lastUsedAt: null,
      rolledFrom: null,
    });
    const read = await h.api("GET", `/v1/keys/${shown.id}`);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty("key");
    expect(read.text).not.toContain(key);
    expect(read.body).toEqual(shown);
  });

  it("requires scopes on restricted keys and refuses a lone *", async () => {
    for (const scopes of [undefined, [], ["*"]]) {
      const res = await h.api("POST", "/v1/keys", {
        projectId,
        type: "restricted",
        ...(scopes ? { scopes } : {}),
      });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: "UNPROCESSABLE", details: { field: "scopes" } });
    }
    const ok = await h.api("POST", "/v1/keys", { projectId, type: "restricted", scopes: ["invoices:read"] });
    expect(ok.status).toBe(201);
    expect(ok.body.key).toMatch(/_rk_live_/);
  });

  it("requires allowed origins and public scopes on publishable keys", async () => {
    const noOrigins = await h.api("POST", "/v1/keys", { projectId, type: "publishable" });
    expect(noOrigins.status).toBe(422);
    expect(noOrigins.body.error.details.field).toBe("allowedOrigins");
    const secretScope = await h.api("POST", "/v1/keys", {
      projectId,
      type: "publishable",
      allowedOrigins: ["https://shop.example.com"],
      scopes: ["public:read", "invoices:write"],
    });
    expect(secretScope.status).toBe(422);
    expect(secretScope.body.error.details).toMatchObject({ field: "scopes", scopes: ["invoices:write"] });
    const ok = await h.api("POST", "/v1/keys", {
      projectId,
      type: "publishable",
      allowedOrigins: ["https://Shop.Example.com:443"],
      scopes: ["public:read", "widgets:read"],
    });
    expect(ok.status).toBe(201);
    expect(ok.body.allowedOrigins).toEqual(["https://shop.example.com"]);
  });

  it("rejects bad origins, IP ranges and past expiry", async () => {
    expect((await h.api("POST", "/v1/keys", { projectId, allowedOrigins: ["not an origin"] })).status).toBe(
      400,
    );
    const badIp = await h.api("POST", "/v1/keys", { projectId, allowedIps: ["10.0.0.0/33"] });
    expect(badIp.status).toBe(400);
    expect(badIp.body.error.code).toBe("INVALID_IP");
    expect(badIp.body.error.details.field).toBe("allowedIps");
    const past = new Date(h.clock.now() - 1000).toISOString();
    const expired = await h.api("POST", "/v1/keys", { projectId, expiresAt: past });
    expect(expired.status).toBe(422);
    expect(expired.body.error.details.field).toBe("expiresAt");
  });

  it("normalizes IP ranges", async () => {
    const res = await h.api("POST", "/v1/keys", {
      projectId,
      allowedIps: ["192.0.2.1", "2001:DB8::/32", "::ffff:10.0.0.0/104"],
    });
    expect(res.status).toBe(201);
    expect(res.body.allowedIps).toEqual(["192.0.2.1/32", "2001:db8::/32", "10.0.0.0/8"]);
  });

  it("lists newest first with cursor pagination and filters", async () => {
    const listProject = (await h.project()).id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      h.clock.advance(1);
      ids.push(
        (await h.key(listProject, { ownerId: i % 2 ? "odd" : "even", environment: i < 3 ? "live" : "test" }))
          .id,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/keys?projectId=${listProject}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await h.api("GET", url);
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((k: { id: string }) => k.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const odd = await h.api("GET", `/v1/keys?projectId=${listProject}&ownerId=odd`);
    expect(odd.body.data.map((k: { id: string }) => k.id).sort()).toEqual([ids[1], ids[3]].sort());
    const test = await h.api("GET", `/v1/keys?projectId=${listProject}&environment=test`);
    expect(test.body.data).toHaveLength(2);
    await h.api("POST", `/v1/keys/${ids[0]}/revoke`);
    await h.api("PATCH", `/v1/keys/${ids[1]}`, { enabled: false });
    const byStatus = async (status: string) =>
      (await h.api("GET", `/v1/keys?projectId=${listProject}&status=${status}`)).body.data.map(
        (k: { id: string }) => k.id,
      );
    expect(await byStatus("revoked")).toEqual([ids[0]]);
    expect(await byStatus("disabled")).toEqual([ids[1]]);
    expect((await byStatus("active")).sort()).toEqual([ids[2], ids[3], ids[4]].sort());
    expect((await h.api("GET", "/v1/keys?limit=501")).status).toBe(400);
    expect((await h.api("GET", "/v1/keys?cursor=bm9wZQ")).body.error.code).toBe("INVALID_CURSOR");
  });

  it("patches settings and answers 409 for a revoked key", async () => {
    const created = await h.key(projectId, { scopes: ["a:read"] });
    const res = await h.api("PATCH", `/v1/keys/${created.id}`, {
      name: "renamed",
      scopes: ["a:read", "b:write"],
      meta: { tier: 2 },
      allowedIps: ["10.0.0.0/8"],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "renamed",
      scopes: ["a:read", "b:write"],
      meta: { tier: 2 },
      allowedIps: ["10.0.0.0/8"],
    });
    expect((await h.verify({ key: created.key, scopes: ["b:write"], ip: "10.9.9.9" })).body.code).toBe(
      "VALID",
    );
    const cleared = await h.api("PATCH", `/v1/keys/${created.id}`, { allowedIps: null, meta: null });
    expect(cleared.body).toMatchObject({ allowedIps: null, meta: null });
    await h.api("POST", `/v1/keys/${created.id}/revoke`);
    const revoked = await h.api("PATCH", `/v1/keys/${created.id}`, { name: "again" });
    expect(revoked.status).toBe(409);
    expect(revoked.body.error.code).toBe("KEY_REVOKED");
  });

  it("rolls a key and keeps the old one valid for the grace period", async () => {
    const original = await h.key(projectId, { scopes: ["invoices:*"], meta: { a: 1 }, ownerId: "cus_roll" });
    const res = await h.api("POST", `/v1/keys/${original.id}/roll`, { gracePeriod: "1h" });
    expect(res.status).toBe(201);
    const { key: newKey, previous, ...successor } = res.body;
    expect(newKey).not.toBe(original.key);
    expect(successor).toMatchObject({
      scopes: ["invoices:*"],
      meta: { a: 1 },
      ownerId: "cus_roll",
      rolledFrom: original.id,
      expiresAt: null,
    });
    expect(previous).toMatchObject({
      id: original.id,
      rolledTo: successor.id,
      expiresAt: new Date(h.clock.now() + HOUR).toISOString(),
    });
    expect((await h.verify({ key: original.key })).body.code).toBe("VALID");
    expect((await h.verify({ key: newKey })).body).toMatchObject({ code: "VALID", keyId: successor.id });
    h.clock.advance(HOUR);
    expect((await h.verify({ key: original.key })).body.code).toBe("EXPIRED");
    expect((await h.verify({ key: newKey })).body.code).toBe("VALID");
    const again = await h.api("POST", `/v1/keys/${original.id}/roll`, {});
    expect(again.status).toBe(409);
  });

  it("never extends the original expiry when rolling", async () => {
    const expiresAt = new Date(h.clock.now() + 2 * HOUR).toISOString();
    const original = await h.key(projectId, { expiresAt });
    const res = await h.api("POST", `/v1/keys/${original.id}/roll`, { gracePeriod: "7d" });
    expect(res.body.expiresAt).toBe(expiresAt);
    expect(res.body.previous.expiresAt).toBe(expiresAt);
    const immediate = await h.key(projectId);
    const now = await h.api("POST", `/v1/keys/${immediate.id}/roll`, { gracePeriod: 0 });
    expect((await h.verify({ key: immediate.key })).body.code).toBe("EXPIRED");
    expect((await h.verify({ key: now.body.key })).body.code).toBe("VALID");
  });

  it("rolls with the default grace period when the body is empty", async () => {
    const original = await h.key(projectId);
    const res = await h.api("POST", `/v1/keys/${original.id}/roll`);
    expect(res.status).toBe(201);
    expect(res.body.previous.expiresAt).toBe(new Date(h.clock.now() + 24 * HOUR).toISOString());
  });

  it("revokes idempotently and refuses to roll a revoked key", async () => {
    const created = await h.key(projectId);
    const first = await h.api("POST", `/v1/keys/${created.id}/revoke`, { reason: "leaked in a gist" });
    expect(first.body).toMatchObject({ status: "revoked", revokedAt: new Date(h.clock.now()).toISOString() });
    h.clock.advance(1000);
    const second = await h.api("POST", `/v1/keys/${created.id}/revoke`);
    expect(second.status).toBe(200);
    expect(second.body.revokedAt).toBe(first.body.revokedAt);
    expect((await h.api("POST", `/v1/keys/${created.id}/roll`, {})).body.error.code).toBe("KEY_REVOKED");
  });

  it("hides other projects' keys from a bound root key (404) and checks scopes (403)", async () => {
    const mine = await h.project();
    const theirs = await h.project();
    const theirKey = await h.key(theirs.id);
    const bound = (
      await h.api("POST", "/v1/root-keys", { projectId: mine.id, scopes: ["keys:read", "keys:write"] })
    ).body.key;
    expect((await h.api("GET", `/v1/keys/${theirKey.id}`, undefined, { key: bound })).status).toBe(404);
    expect((await h.api("POST", `/v1/keys/${theirKey.id}/revoke`, undefined, { key: bound })).status).toBe(
      404,
    );
    expect((await h.api("POST", "/v1/keys", { projectId: theirs.id }, { key: bound })).status).toBe(404);
    const list = await h.api("GET", `/v1/keys?projectId=${theirs.id}`, undefined, { key: bound });
    expect(list.body.data).toEqual([]);
    const ownKey = await h.api("POST", "/v1/keys", {}, { key: bound });
    expect(ownKey.status).toBe(201);
    expect(ownKey.body.projectId).toBe(mine.id);
    const reader = (await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] })).body.key;
    const denied = await h.api("POST", "/v1/keys", { projectId: mine.id }, { key: reader });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("FORBIDDEN");
    expect((await h.verify({ key: theirKey.key })).body.code).toBe("VALID");
  });
});

describe.each(await testDialects())("importing keys by hash on %s", (dialect) => {
  let h: Harness;
  let projectId: string;
  const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
  const foreign = () => `unkey_${randomBytes(18).toString("base64url")}`;

  beforeAll(async () => {
    h = await createHarness(dialect);
    projectId = (await h.project()).id;
  });
  afterAll(() => h.close());

  it("imports keys that then verify by their plaintext, in a foreign format, once however often imported", async () => {
    const [one, two] = [foreign(), foreign()];
    const rows = [
      {
        hash: sha256(one),
        start: one.slice(0, 8),
        ownerId: "cus_7",
        type: "secret",
        environment: "live",
        meta: { plan: "pro" },
      },
      { hash: sha256(two).toUpperCase(), type: "restricted", environment: "test", scopes: ["invoices:read"] },
    ];
    const first = await h.api("POST", "/v1/keys/import", { projectId, keys: rows });
    expect(first.status).toBe(201);
    expect(first.body.imported).toBe(2);
    expect(first.body.ids).toHaveLength(2);
    const again = await h.api("POST", "/v1/keys/import", { projectId, keys: rows });
    expect(again.body).toEqual({ imported: 0, ids: first.body.ids });

    expect((await h.verify({ key: one })).body).toMatchObject({
      valid: true,
      code: "VALID",
      keyId: first.body.ids[0],
      ownerId: "cus_7",
      meta: { plan: "pro" },
    });
    const restricted = await h.verify({ key: two, environment: "test", scopes: ["invoices:write"] });
    expect(restricted.body).toMatchObject({
      valid: false,
      code: "INSUFFICIENT_SCOPE",
      keyId: first.body.ids[1],
    });
    expect((await h.verify({ key: foreign() })).body.code).toBe("NOT_FOUND");
    const shown = await h.api("GET", `/v1/keys/${first.body.ids[0]}`);
    expect(shown.body).toMatchObject({ start: one.slice(0, 8), type: "secret", status: "active" });
    expect(shown.text).not.toContain(one);
    const audit = await h.api("GET", `/v1/audit?action=key.import&projectId=${projectId}`);
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0].details).toEqual({ imported: 2, skipped: 0 });
  });

  it("refuses a malformed hash naming the row, and imports nothing of the call", async () => {
    const good = foreign();
    const res = await h.api("POST", "/v1/keys/import", {
      projectId,
      keys: [
        { hash: sha256(good), type: "secret", environment: "live" },
        { hash: "abc", type: "secret", environment: "live" },
      ],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toContain("/keys/1/hash");
    expect((await h.verify({ key: good })).body.code).toBe("NOT_FOUND");
    const tooMany = Array.from({ length: 1001 }, () => ({
      hash: sha256(foreign()),
      type: "secret",
      environment: "live",
    }));
    expect((await h.api("POST", "/v1/keys/import", { projectId, keys: tooMany })).status).toBe(400);
  });

  it("refuses a row its key type forbids (422 naming the row), and a hash of another project (409), all or none", async () => {
    const plain = foreign();
    const bad = await h.api("POST", "/v1/keys/import", {
      projectId,
      keys: [
        { hash: sha256(plain), type: "secret", environment: "live" },
        { hash: sha256(foreign()), type: "restricted", environment: "live" },
      ],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toMatchObject({ row: 1, field: "scopes" });
    expect((await h.verify({ key: plain })).body.code).toBe("NOT_FOUND");

    const other = (await h.project()).id;
    const taken = foreign();
    await h.api("POST", "/v1/keys/import", {
      projectId,
      keys: [{ hash: sha256(taken), type: "secret", environment: "live" }],
    });
    const clash = await h.api("POST", "/v1/keys/import", {
      projectId: other,
      keys: [
        { hash: sha256(plain), type: "secret", environment: "live" },
        { hash: sha256(taken), type: "secret", environment: "live" },
      ],
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.details).toEqual({ row: 1 });
    expect((await h.verify({ key: plain })).body.code).toBe("NOT_FOUND");
  });

  it("keeps rejecting foreign strings without a lookup for a project that holds no imported keys", async () => {
    const bound = await h.project();
    const boundKey = (await h.api("POST", "/v1/root-keys", { projectId: bound.id, scopes: ["keys:verify"] }))
      .body.key;
    const res = await h.api("POST", "/v1/keys/verify", { key: foreign() }, { key: boundKey });
    expect(res.body.code).toBe("MALFORMED");
  });
});
