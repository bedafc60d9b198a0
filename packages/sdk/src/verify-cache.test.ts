import { describe, expect, it } from "vitest";
import type { VerifyResponse } from "./types.js";
import { cacheKeyOf, isCacheable, VerifyCache } from "./verify-cache.js";

const valid: VerifyResponse = {
  valid: true,
  code: "VALID",
  keyId: "key_1",
  ownerId: "cus_1",
  projectId: "proj_1",
  type: "secret",
  environment: "live",
  scopes: ["*"],
  meta: null,
  expiresAt: null,
  ratelimits: [],
  credits: null,
  budget: null,
  identity: null,
  roles: [],
};

function clock(start = Date.UTC(2026, 5, 1)) {
  const state = { now: start };
  return { state, now: () => state.now };
}

describe("VerifyCache", () => {
  it("reuses a VALID answer until ttlMs has passed", () => {
    const time = clock();
    const cache = new VerifyCache({ ttlMs: 1000 }, time.now);
    expect(cache.set("a", valid)).toBe(true);
    time.state.now += 999;
    expect(cache.get("a")).toBe(valid);
    time.state.now += 1;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps only VALID answers of unmetered keys", () => {
    const cache = new VerifyCache({ ttlMs: 1000 });
    const window = { name: "burst", limit: 5, remaining: 4, reset: "2026-06-01T00:01:00.000Z" };
    const budget = { spent: 1, limit: 10, period: "month", resetAt: "2026-07-01T00:00:00.000Z" };
    expect(cache.set("revoked", { ...valid, valid: false, code: "REVOKED" })).toBe(false);
    expect(cache.set("limited", { ...valid, ratelimits: [window] })).toBe(false);
    expect(cache.set("credits", { ...valid, credits: { remaining: 3 } })).toBe(false);
    expect(cache.set("budget", { ...valid, budget })).toBe(false);
    expect(cache.size).toBe(0);
    expect(isCacheable(valid)).toBe(true);
  });

  it("never keeps an answer past the key's own expiry", () => {
    const time = clock();
    const cache = new VerifyCache({ ttlMs: 60_000 }, time.now);
    cache.set("a", { ...valid, expiresAt: new Date(time.state.now + 500).toISOString() });
    time.state.now += 500;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.set("b", { ...valid, expiresAt: new Date(time.state.now).toISOString() })).toBe(false);
  });

  it("drops the least recently used answer beyond maxEntries", () => {
    const cache = new VerifyCache({ ttlMs: 60_000, maxEntries: 2 });
    cache.set("a", valid);
    cache.set("b", valid);
    cache.get("a");
    cache.set("c", valid);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(valid);
    expect(cache.get("c")).toBe(valid);
  });

  it("forgets every answer of one key id", () => {
    const cache = new VerifyCache({ ttlMs: 60_000 });
    cache.set("a", valid);
    cache.set("b", valid);
    cache.set("c", { ...valid, keyId: "key_2" });
    cache.forgetKey("key_1");
    expect(cache.size).toBe(1);
  });

  it("refuses a ttl that is not positive", () => {
    expect(() => new VerifyCache({ ttlMs: 0 })).toThrow(TypeError);
  });
});

describe("cacheKeyOf", () => {
  it("is a SHA-256 hex that differs with every option and never contains the key", () => {
    const key = "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L"; // keysmith:allow fake test key
    const plain = cacheKeyOf(key, {});
    expect(plain).toMatch(/^[0-9a-f]{64}$/);
    const variants = [
      cacheKeyOf(key, { scopes: "a:b" }),
      cacheKeyOf(key, { scopes: ["a:b"] }),
      cacheKeyOf(key, { permissions: "a:b" }),
      cacheKeyOf(key, { permissions: "a:b OR c:d" }),
      cacheKeyOf(key, { cost: 2 }),
      cacheKeyOf(key, { origin: "https://a.example" }),
      cacheKeyOf(key, { ip: "127.0.0.1" }),
      cacheKeyOf(key, { environment: "test" }),
      cacheKeyOf(`${key.slice(0, -1)}${key.endsWith("M") ? "N" : "M"}`, {}),
    ];
    expect(new Set([plain, ...variants]).size).toBe(variants.length + 1);
    expect(cacheKeyOf(key, {})).toBe(plain);
  });
});
