import { describe, expect, it } from "vitest";
import type { RateLimitWindow } from "../domain/rate-limit.js";
import { rateLimitConformance } from "../test-support/rate-limit-conformance.js";
import { MemoryRateLimitStore } from "./memory-rate-limit-store.js";

rateLimitConformance("memory", async () => {
  const store = new MemoryRateLimitStore();
  return { store, cleanup: () => store.close() };
});

const T0 = 1_700_006_400_000;
const burst: RateLimitWindow = { name: "burst", limit: 2, durationMs: 1_000 };
const daily: RateLimitWindow = { name: "daily", limit: 100, durationMs: 86_400_000 };

describe("MemoryRateLimitStore", () => {
  it("answers synchronously, without a promise", () => {
    const store = new MemoryRateLimitStore();
    const decision = store.consume("key_sync", [burst], 1, T0);
    expect(decision).not.toBeInstanceOf(Promise);
    expect(decision.allowed).toBe(true);
  });

  it("drops subjects whose windows have all ended, as later calls go by", () => {
    const store = new MemoryRateLimitStore();
    for (let i = 0; i < 1_000; i++) store.consume(`key_${i}`, [burst], 1, T0);
    expect(store.size).toBe(1_000);
    // Later traffic from one subject sweeps the others out in slices, without a timer.
    // A second's grace: a call that read `now` just before the window ended still finds its counter.
    for (let i = 0; i < 1_000; i++) store.consume("key_busy", [burst], 0, T0 + 1_999);
    expect(store.size).toBe(1_001);
    for (let i = 0; i < 1_000; i++) store.consume("key_busy", [burst], 0, T0 + 2_000);
    expect(store.size).toBe(1);
  });

  it("counts a call with an earlier now against the newer window instead of resetting it", () => {
    const store = new MemoryRateLimitStore();
    store.consume("key_stale", [burst], 2, T0 + 1_000);
    // Read `now` just before the boundary, consumed just after another call crossed it.
    expect(store.consume("key_stale", [burst], 1, T0 + 999)).toEqual({
      allowed: false,
      windows: [{ name: "burst", limit: 2, remaining: 0, resetAt: T0 + 2_000 }],
    });
  });

  it("keeps a subject while any of its windows is still open", () => {
    const store = new MemoryRateLimitStore();
    store.consume("key_daily", [burst, daily], 1, T0);
    expect(store.sweep(T0 + 2_000)).toBe(0);
    expect(store.consume("key_daily", [burst, daily], 1, T0 + 1_000).windows.map((w) => w.remaining)).toEqual(
      [1, 98],
    );
    expect(store.sweep(T0 + 86_400_000)).toBe(0);
    expect(store.sweep(T0 + 86_401_000)).toBe(1);
    expect(store.size).toBe(0);
  });

  it("keeps each window's count when a subject's windows change order or a window is added", () => {
    const store = new MemoryRateLimitStore();
    store.consume("key_reorder", [burst, daily], 1, T0);
    const minute: RateLimitWindow = { name: "minute", limit: 10, durationMs: 60_000 };
    const decision = store.consume("key_reorder", [minute, daily, burst], 1, T0 + 1);
    expect(decision.windows.map((w) => `${w.name}=${w.remaining}`)).toEqual([
      "minute=9",
      "daily=98",
      "burst=0",
    ]);
  });

  it("throws on a cost that is not a non-negative integer", () => {
    const store = new MemoryRateLimitStore();
    expect(() => store.consume("key_cost", [burst], -1, T0)).toThrow(RangeError);
    expect(() => store.consume("key_cost", [burst], 1.5, T0)).toThrow(RangeError);
  });
});
