import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RateLimitDecision, RateLimitStore, RateLimitWindow } from "../domain/rate-limit.js";

export interface RateLimitStoreUnderTest {
  store: RateLimitStore;
  /** Closes the store and removes whatever it wrote. */
  cleanup(): Promise<void>;
}

/** Midnight UTC, so every window below (1 s … 1 d) starts exactly here. */
const T0 = 1_700_006_400_000;

const burst = (limit: number): RateLimitWindow => ({ name: "burst", limit, durationMs: 1_000 });
const minute = (limit: number): RateLimitWindow => ({ name: "minute", limit, durationMs: 60_000 });

/**
 * The behaviour every rate-limit store shares: fixed windows aligned to the epoch, all-or-nothing
 * across windows, exact `remaining` and `resetAt`. Each test gets a fresh store from `makeStore`;
 * every call passes an explicit `now`, so no test sleeps.
 *
 * @example
 * rateLimitConformance("memory", async () => {
 *   const store = new MemoryRateLimitStore();
 *   return { store, cleanup: () => store.close() };
 * });
 */
export function rateLimitConformance(name: string, makeStore: () => Promise<RateLimitStoreUnderTest>): void {
  describe(`rate-limit store conformance: ${name}`, () => {
    let subject: RateLimitStoreUnderTest;
    let counter = 0;

    beforeEach(async () => {
      subject = await makeStore();
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    /** A subject name of its own per call site, so tests never share counters. */
    const fresh = (label: string): string => `key_${label}_${++counter}`;
    const consume = async (
      who: string,
      windows: readonly RateLimitWindow[],
      cost: number,
      now: number,
    ): Promise<RateLimitDecision> => await subject.store.consume(who, windows, cost, now);

    it("allows up to the limit, then denies", async () => {
      const who = fresh("limit");
      const windows = [burst(3)];
      const remaining: number[] = [];
      for (let i = 0; i < 3; i++) {
        const decision = await consume(who, windows, 1, T0 + i);
        expect(decision.allowed).toBe(true);
        remaining.push(decision.windows[0]?.remaining ?? -1);
      }
      expect(remaining).toEqual([2, 1, 0]);
      const denied = await consume(who, windows, 1, T0 + 999);
      expect(denied).toEqual({
        allowed: false,
        windows: [{ name: "burst", limit: 3, remaining: 0, resetAt: T0 + 1_000 }],
      });
    });

    it("resets the window exactly at its boundary", async () => {
      const who = fresh("boundary");
      const windows = [burst(2)];
      await consume(who, windows, 2, T0);
      expect((await consume(who, windows, 1, T0 + 999)).allowed).toBe(false);
      expect(await consume(who, windows, 1, T0 + 1_000)).toEqual({
        allowed: true,
        windows: [{ name: "burst", limit: 2, remaining: 1, resetAt: T0 + 2_000 }],
      });
    });

    it("checks every window: a longer one blocks after the shorter one resets", async () => {
      const who = fresh("two-windows");
      const windows = [burst(3), minute(5)];
      for (let i = 0; i < 3; i++) expect((await consume(who, windows, 1, T0 + i)).allowed).toBe(true);
      const burstDenied = await consume(who, windows, 1, T0 + 10);
      expect(burstDenied.allowed).toBe(false);
      expect(burstDenied.windows.map((w) => w.remaining)).toEqual([0, 2]);

      expect((await consume(who, windows, 1, T0 + 1_000)).allowed).toBe(true);
      expect((await consume(who, windows, 1, T0 + 1_001)).allowed).toBe(true);
      const minuteDenied = await consume(who, windows, 1, T0 + 1_002);
      expect(minuteDenied).toEqual({
        allowed: false,
        windows: [
          { name: "burst", limit: 3, remaining: 1, resetAt: T0 + 2_000 },
          { name: "minute", limit: 5, remaining: 0, resetAt: T0 + 60_000 },
        ],
      });
      expect((await consume(who, windows, 1, T0 + 59_999)).allowed).toBe(false);
      expect((await consume(who, windows, 1, T0 + 60_000)).windows.map((w) => w.remaining)).toEqual([2, 4]);
    });

    it("is all-or-nothing: a denied call consumes from no window", async () => {
      const who = fresh("all-or-nothing");
      const windows = [minute(10), burst(2)];
      await consume(who, windows, 2, T0);
      for (let i = 1; i <= 5; i++) {
        const denied = await consume(who, windows, 1, T0 + i);
        expect(denied.allowed).toBe(false);
        expect(denied.windows.map((w) => w.remaining)).toEqual([8, 0]);
      }
      // Only the burst window is full; the minute window took nothing from the denied calls.
      const next = await consume(who, windows, 1, T0 + 1_000);
      expect(next.windows.map((w) => w.remaining)).toEqual([7, 1]);

      // A cost that fits one window but not the other takes nothing from either.
      const tooBig = await consume(who, windows, 2, T0 + 1_001);
      expect(tooBig.allowed).toBe(false);
      expect(tooBig.windows.map((w) => w.remaining)).toEqual([7, 1]);
    });

    it("takes a cost greater than one, and denies a cost that no longer fits", async () => {
      const who = fresh("cost");
      const windows = [minute(10)];
      expect((await consume(who, windows, 4, T0)).windows[0]?.remaining).toBe(6);
      expect((await consume(who, windows, 4, T0 + 1)).windows[0]?.remaining).toBe(2);
      const denied = await consume(who, windows, 4, T0 + 2);
      expect(denied.allowed).toBe(false);
      expect(denied.windows[0]?.remaining).toBe(2);
      const exact = await consume(who, windows, 2, T0 + 3);
      expect(exact.allowed).toBe(true);
      expect(exact.windows[0]?.remaining).toBe(0);

      const other = fresh("cost-over-limit");
      expect(await consume(other, windows, 11, T0)).toEqual({
        allowed: false,
        windows: [{ name: "minute", limit: 10, remaining: 10, resetAt: T0 + 60_000 }],
      });
    });

    it("answers exact remaining and resetAt for each window, in the order given", async () => {
      const who = fresh("exact");
      const now = T0 + 3_723_456; // 01:02:03.456
      const windows: RateLimitWindow[] = [
        { name: "daily", limit: 10_000, durationMs: 86_400_000 },
        { name: "second", limit: 50, durationMs: 1_000 },
        { name: "hour", limit: 1_000, durationMs: 3_600_000 },
        { name: "odd", limit: 7, durationMs: 7_000 },
        { name: "minute", limit: 100, durationMs: 60_000 },
      ];
      expect(await consume(who, windows, 3, now)).toEqual({
        allowed: true,
        windows: [
          { name: "daily", limit: 10_000, remaining: 9_997, resetAt: T0 + 86_400_000 },
          { name: "second", limit: 50, remaining: 47, resetAt: T0 + 3_724_000 },
          { name: "hour", limit: 1_000, remaining: 997, resetAt: T0 + 7_200_000 },
          { name: "odd", limit: 7, remaining: 4, resetAt: T0 + 3_730_000 },
          { name: "minute", limit: 100, remaining: 97, resetAt: T0 + 3_780_000 },
        ],
      });
    });

    it("keeps subjects independent", async () => {
      const a = fresh("a");
      const b = fresh("b");
      const windows = [burst(1)];
      expect((await consume(a, windows, 1, T0)).allowed).toBe(true);
      expect((await consume(a, windows, 1, T0 + 1)).allowed).toBe(false);
      expect((await consume(b, windows, 1, T0 + 2)).allowed).toBe(true);
      expect((await consume(b, windows, 1, T0 + 3)).allowed).toBe(false);
    });

    it("allows every call when there is no window", async () => {
      expect(await consume(fresh("none"), [], 1, T0)).toEqual({ allowed: true, windows: [] });
    });

    it("allows exactly the limit out of 200 concurrent calls", async () => {
      const who = fresh("concurrent");
      const windows = [minute(100), { name: "daily", limit: 1_000, durationMs: 86_400_000 }];
      const decisions = await Promise.all(
        Array.from({ length: 200 }, (_, i) => consume(who, windows, 1, T0 + 10_000 + (i % 50))),
      );
      expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
      const after = await consume(who, windows, 1, T0 + 20_000);
      expect(after.allowed).toBe(false);
      expect(after.windows.map((w) => w.remaining)).toEqual([0, 900]);
    });
  });
}
