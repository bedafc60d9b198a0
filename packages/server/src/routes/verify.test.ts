import { keyChecksum } from "@keysmith/core";
import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { useHarness, useProject } from "../test-support/harness.js";

const HOUR = 3_600_000;

describe.each(await testDialects())("POST /v1/keys/verify on %s", (dialect) => {
  const h = useHarness(dialect);
  const project = useProject(h, { publishableScopes: ["public:*"] });

  it("answers VALID with the key's identity, scopes and meta", async () => {
    const created = await h.key(project.id, {
      ownerId: "cus_42",
      scopes: ["invoices:*"],
      meta: { plan: "pro" },
    });
    const res = await h.verify({ key: created.key, scopes: ["invoices:read"] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      valid: true,
      code: "VALID",
      keyId: created.id,
      ownerId: "cus_42",
      projectId: project.id,
      type: "secret",
      environment: "live",
      scopes: ["invoices:*"],
      meta: { plan: "pro" },
      expiresAt: null,
      ratelimits: [],
      credits: null,
      budget: null,
      identity: null,
      roles: [],
    });
  });

  it("answers a cached key's new meta once it is patched, not the answer it sent before", async () => {
    // The route keeps the JSON of an unchanging answer; a change must not be hidden by it.
    const created = await h.key(project.id, { meta: { plan: "free" } });
    const first = await h.verify({ key: created.key });
    const again = await h.verify({ key: created.key });
    expect(again.body).toEqual(first.body);
    expect(first.body.meta).toEqual({ plan: "free" });
    await h.api("PATCH", `/v1/keys/${created.id}`, { meta: { plan: "pro" } });
    const patched = await h.verify({ key: created.key });
    expect(patched.body).toMatchObject({ valid: true, code: "VALID", meta: { plan: "pro" } });
    await h.api("POST", `/v1/keys/${created.id}/revoke`);
    expect((await h.verify({ key: created.key })).body).toMatchObject({ valid: false, code: "REVOKED" });
  });

  it.each([
    ["an empty string", ""],
    ["garbage", "hello world"],
    ["a key with a wrong checksum", "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3M"],
  ])("answers MALFORMED for %s without a lookup", async (_label, key) => {
    const res = await h.verify({ key });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: false, code: "MALFORMED", keyId: null });
  });

  it("answers MALFORMED for a real key with one character changed", async () => {
    const { key } = await h.key(project.id);
    const i = key.length - 10;
    const tampered = key.slice(0, i) + (key[i] === "x" ? "y" : "x") + key.slice(i + 1);
    expect((await h.verify({ key: tampered })).body.code).toBe("MALFORMED");
  });

  it("answers NOT_FOUND for a well-formed key nobody issued", async () => {
    const head = `zz_sk_live_${"Q".repeat(30)}`;
    const res = await h.verify({ key: head + keyChecksum(head) });
    expect(res.body).toMatchObject({ valid: false, code: "NOT_FOUND", keyId: null });
  });

  it("answers NOT_FOUND to a root key bound to another project", async () => {
    const other = await h.project();
    const { key } = await h.key(project.id);
    const bound = await h.api("POST", "/v1/root-keys", { projectId: other.id, scopes: ["keys:verify"] });
    expect(bound.status).toBe(201);
    expect((await h.verify({ key }, bound.body.key)).body.code).toBe("NOT_FOUND");
    expect((await h.verify({ key })).body.code).toBe("VALID");
  });

  it("answers REVOKED on the very next request after a revoke (cache dropped)", async () => {
    const created = await h.key(project.id);
    expect((await h.verify({ key: created.key })).body.code).toBe("VALID");
    expect((await h.api("POST", `/v1/keys/${created.id}/revoke`)).status).toBe(200);
    const res = await h.verify({ key: created.key });
    expect(res.body).toMatchObject({ valid: false, code: "REVOKED", keyId: created.id });
  });

  it("answers EXPIRED once expiresAt passes", async () => {
    const expiresAt = new Date(h.clock.now() + HOUR).toISOString();
    const { key } = await h.key(project.id, { expiresAt });
    expect((await h.verify({ key })).body).toMatchObject({ code: "VALID", expiresAt });
    h.clock.advance(HOUR);
    expect((await h.verify({ key })).body.code).toBe("EXPIRED");
  });

  it("answers DISABLED for a disabled key and VALID once enabled again", async () => {
    const created = await h.key(project.id, { enabled: false });
    expect((await h.verify({ key: created.key })).body.code).toBe("DISABLED");
    await h.api("PATCH", `/v1/keys/${created.id}`, { enabled: true });
    expect((await h.verify({ key: created.key })).body.code).toBe("VALID");
  });

  it("answers ORIGIN_NOT_ALLOWED for a publishable key used from elsewhere", async () => {
    const { key } = await h.key(project.id, {
      type: "publishable",
      scopes: ["public:read"],
      allowedOrigins: ["https://app.example.com", "https://*.example.org"],
    });
    expect(key).toMatch(/_pk_live_/);
    expect((await h.verify({ key, origin: "https://app.example.com" })).body.code).toBe("VALID");
    expect((await h.verify({ key, origin: "https://APP.example.com:443" })).body.code).toBe("VALID");
    expect((await h.verify({ key, origin: "https://shop.example.org" })).body.code).toBe("VALID");
    expect((await h.verify({ key, origin: "https://example.org" })).body.code).toBe("ORIGIN_NOT_ALLOWED");
    expect((await h.verify({ key, origin: "https://evil.example.net" })).body.code).toBe(
      "ORIGIN_NOT_ALLOWED",
    );
    expect((await h.verify({ key, origin: "http://app.example.com" })).body.code).toBe("ORIGIN_NOT_ALLOWED");
    expect((await h.verify({ key })).body.code).toBe("ORIGIN_NOT_ALLOWED");
  });

  it("answers IP_NOT_ALLOWED outside the allowed IPv4 and IPv6 ranges", async () => {
    const { key } = await h.key(project.id, { allowedIps: ["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"] });
    expect((await h.verify({ key, ip: "10.1.2.3" })).body.code).toBe("VALID");
    expect((await h.verify({ key, ip: "::ffff:10.1.2.3" })).body.code).toBe("VALID");
    expect((await h.verify({ key, ip: "2001:db8:1::5" })).body.code).toBe("VALID");
    expect((await h.verify({ key, ip: "192.0.2.7" })).body.code).toBe("VALID");
    expect((await h.verify({ key, ip: "192.0.2.8" })).body.code).toBe("IP_NOT_ALLOWED");
    expect((await h.verify({ key, ip: "11.0.0.1" })).body.code).toBe("IP_NOT_ALLOWED");
    expect((await h.verify({ key, ip: "2001:db9::1" })).body.code).toBe("IP_NOT_ALLOWED");
    expect((await h.verify({ key })).body.code).toBe("IP_NOT_ALLOWED");
  });

  it("answers ENVIRONMENT_MISMATCH when a test key meets a live check", async () => {
    const { key } = await h.key(project.id, { environment: "test" });
    expect(key).toMatch(/_sk_test_/);
    expect((await h.verify({ key, environment: "test" })).body.code).toBe("VALID");
    expect((await h.verify({ key, environment: "live" })).body).toMatchObject({
      code: "ENVIRONMENT_MISMATCH",
      environment: "test",
    });
  });

  it("takes a test key only when the caller asks for test keys: no environment means live", async () => {
    const test = await h.key(project.id, { environment: "test" });
    const live = await h.key(project.id);
    expect((await h.verify({ key: test.key })).body).toMatchObject({
      valid: false,
      code: "ENVIRONMENT_MISMATCH",
      environment: "test",
    });
    expect((await h.verify({ key: live.key })).body.code).toBe("VALID");
    expect((await h.verify({ key: live.key, environment: "test" })).body.code).toBe("ENVIRONMENT_MISMATCH");
  });

  it("answers INSUFFICIENT_SCOPE when a scope is missing, honouring wildcards", async () => {
    const { key } = await h.key(project.id, { type: "restricted", scopes: ["invoices:read", "customers:*"] });
    expect((await h.verify({ key, scopes: ["invoices:read", "customers:write"] })).body.code).toBe("VALID");
    expect((await h.verify({ key, scopes: "customers:delete" })).body.code).toBe("VALID");
    expect((await h.verify({ key, scopes: ["invoices:write"] })).body.code).toBe("INSUFFICIENT_SCOPE");
    expect((await h.verify({ key, scopes: ["invoices:read", "refunds:read"] })).body.code).toBe(
      "INSUFFICIENT_SCOPE",
    );
    const secret = await h.key(project.id);
    expect((await h.verify({ key: secret.key, scopes: ["anything:at-all"] })).body.code).toBe("VALID");
  });

  it("reports the first failing check in SPEC order", async () => {
    const soon = new Date(h.clock.now() + HOUR).toISOString();
    const everything = await h.key(project.id, {
      type: "restricted",
      scopes: ["a:read"],
      enabled: false,
      expiresAt: soon,
      allowedIps: ["10.0.0.1"],
      allowedOrigins: ["https://ok.example.com"],
      environment: "test",
    });
    const bad = {
      key: everything.key,
      ip: "10.0.0.2",
      origin: "https://no.example.com",
      environment: "live",
      scopes: ["b:read"],
    };
    expect((await h.verify(bad)).body.code).toBe("DISABLED");
    await h.api("PATCH", `/v1/keys/${everything.id}`, { enabled: true });
    expect((await h.verify(bad)).body.code).toBe("ORIGIN_NOT_ALLOWED");
    expect((await h.verify({ ...bad, origin: "https://ok.example.com" })).body.code).toBe("IP_NOT_ALLOWED");
    expect((await h.verify({ ...bad, origin: "https://ok.example.com", ip: "10.0.0.1" })).body.code).toBe(
      "ENVIRONMENT_MISMATCH",
    );
    const good = {
      key: everything.key,
      origin: "https://ok.example.com",
      ip: "10.0.0.1",
      environment: "test",
    };
    expect((await h.verify({ ...good, scopes: ["b:read"] })).body.code).toBe("INSUFFICIENT_SCOPE");
    expect((await h.verify({ ...good, scopes: ["a:read"] })).body.code).toBe("VALID");
    h.clock.advance(2 * HOUR);
    expect((await h.verify(bad)).body.code).toBe("EXPIRED");
    await h.api("POST", `/v1/keys/${everything.id}/revoke`);
    expect((await h.verify(bad)).body.code).toBe("REVOKED");
  });

  it("needs a root key with keys:verify", async () => {
    const { key } = await h.key(project.id);
    expect((await h.api("POST", "/v1/keys/verify", { key }, { key: null })).status).toBe(401);
    const reader = await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] });
    const res = await h.verify({ key }, reader.body.key);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
  });

  it("rejects an ip that is not an address with 400", async () => {
    const { key } = await h.key(project.id);
    const res = await h.verify({ key, ip: "300.1.1.1" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_IP");
    expect(res.text).not.toContain(key);
  });

  it("keeps lastUsedAt without a database write per verification", async () => {
    const created = await h.key(project.id);
    await h.verify({ key: created.key });
    const before = await h.store.keys.get(created.id);
    expect(before?.lastUsedAt).toBeNull();
    const shown = await h.api("GET", `/v1/keys/${created.id}`);
    expect(shown.body.lastUsedAt).toBe(new Date(h.clock.now()).toISOString());
    await h.keysmith.flushLastUsed();
    expect((await h.store.keys.get(created.id))?.lastUsedAt).toBe(h.clock.now());
  });
});
