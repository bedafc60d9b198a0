import { describe, expect, it } from "vitest";
import { ClockCache } from "./clock-cache.js";

/** A cached value as the cache needs it. */
const v = (n: number) => ({ n, referenced: false });

describe("ClockCache", () => {
  it("never holds more than its size", () => {
    const evicted: string[] = [];
    const cache = new ClockCache<{ n: number; referenced: boolean }>(3, (key) => evicted.push(key));
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, v(i));
    expect(cache.size).toBe(3);
    expect(evicted).toEqual(["k0", "k1", "k2", "k3", "k4", "k5", "k6"]);
  });

  it("gives recently read entries a second chance", () => {
    const cache = new ClockCache<{ n: number; referenced: boolean }>(3);
    cache.set("a", v(1));
    cache.set("b", v(2));
    cache.set("c", v(3));
    cache.get("a");
    cache.set("d", v(4)); // evicts b, the oldest unreferenced
    expect(cache.get("a")?.n).toBe(1);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("c")?.n).toBe(3);
    expect(cache.get("d")?.n).toBe(4);
  });

  it("evicts even when every entry was read", () => {
    const cache = new ClockCache<{ n: number; referenced: boolean }>(2);
    cache.set("a", v(1));
    cache.set("b", v(2));
    cache.get("a");
    cache.get("b");
    cache.set("c", v(3));
    expect(cache.size).toBe(2);
    expect(cache.get("c")?.n).toBe(3);
  });

  it("updates in place and deletes", () => {
    const cache = new ClockCache<{ n: number; referenced: boolean }>(2);
    cache.set("a", v(1));
    cache.set("a", v(2));
    expect(cache.get("a")?.n).toBe(2);
    expect(cache.delete("a")).toBe(true);
    expect(cache.size).toBe(0);
  });
});
