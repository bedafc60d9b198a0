import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { validAnswer } from "./test-support/answers.js";
import {
  cacheKeyOf,
  callerOptions,
  fixedOptions,
  isCacheable,
  keyDigest,
  VerifyCache,
} from "./verify-cache.js";

const valid = validAnswer;

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

  it("gives every answer used since the last pass a second chance before dropping it", () => {
    const cache = new VerifyCache({ ttlMs: 60_000, maxEntries: 3 });
    cache.set("a", valid);
    cache.set("b", valid);
    cache.set("c", valid);
    cache.get("a");
    cache.get("b");
    cache.set("d", valid);
    expect(cache.size).toBe(3);
    expect(cache.get("c")).toBeUndefined();
    // a and b were passed over once and moved behind d; d, never read, is now the oldest unused.
    cache.set("e", valid);
    expect(cache.get("d")).toBeUndefined();
    expect([cache.get("a"), cache.get("b"), cache.get("e")]).toEqual([valid, valid, valid]);
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
  it("starts with the key's SHA-256, differs with every option and never contains the key", () => {
    const key = "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L"; // keysmith:allow fake test key
    const plain = cacheKeyOf(key, {});
    expect(plain.startsWith(createHash("sha256").update(key).digest("base64"))).toBe(true);
    expect(plain).not.toContain(key);
    expect(plain).not.toContain(key.slice(13));
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

  it("cannot be made to match by moving text between the origin and the IP", () => {
    const key = "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L"; // keysmith:allow fake test key
    const a = cacheKeyOf(key, { origin: "https://a.example\n", ip: "1.2.3.4" });
    const b = cacheKeyOf(key, { origin: "https://a.example", ip: "\n1.2.3.4" });
    const c = cacheKeyOf(key, { origin: "", ip: undefined });
    const d = cacheKeyOf(key, {});
    expect(new Set([a, b, c, d]).size).toBe(4);
  });

  it("is the same whether computed whole or from a route's fixed options and each caller's", () => {
    const key = "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L"; // keysmith:allow fake test key
    const route = { scopes: ["a:b"], cost: 2 };
    expect(keyDigest(key) + fixedOptions(route) + callerOptions("https://a.example", "10.0.0.1")).toBe(
      cacheKeyOf(key, { ...route, origin: "https://a.example", ip: "10.0.0.1" }),
    );
  });
});
