import { expect } from "vitest";
import { SYSTEM } from "../../domain/access.js";
import type { KeyChange } from "../../domain/changes.js";
import type { RateLimitOverrideRecord } from "../../domain/records.js";
import { seed } from "./fixtures.js";
import { checks } from "./harness.js";

function override(now: number, fields: Partial<RateLimitOverrideRecord> = {}): RateLimitOverrideRecord {
  return {
    namespace: "login",
    identifier: "1.2.3.4",
    limit: 5,
    duration: "1m",
    durationMs: 60_000,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
}

export const ratelimitOverrideChecks = checks({
  "stores an override and reads it back, field for field, by namespace and identifier": async (ctx) => {
    const now = ctx.clock.now();
    const a = override(now);
    const b = override(now, {
      identifier: "user_*",
      limit: 1_000_000_000,
      duration: 3_600_000,
      durationMs: 3_600_000,
    });
    await seed(ctx, async (tx) => {
      await tx.ratelimitOverrides.upsert(a);
      await tx.ratelimitOverrides.upsert(b);
    });
    expect(await ctx.store.ratelimitOverrides.get("login", "1.2.3.4")).toEqual(a);
    expect(await ctx.store.ratelimitOverrides.get("login", "user_*")).toEqual(b);
    expect(await ctx.store.ratelimitOverrides.get("login", "user_1")).toBeNull();
    expect(await ctx.store.ratelimitOverrides.get("signup", "1.2.3.4")).toBeNull();
  },
  "an upsert of an existing override replaces limit, duration and updatedAt, keeping createdAt": async (
    ctx,
  ) => {
    const now = ctx.clock.now();
    await seed(ctx, (tx) => tx.ratelimitOverrides.upsert(override(now)));
    const next = override(now, {
      limit: 9,
      duration: "1h",
      durationMs: 3_600_000,
      createdAt: now + 5,
      updatedAt: now + 5,
    });
    await seed(ctx, (tx) => tx.ratelimitOverrides.upsert(next));
    expect(await ctx.store.ratelimitOverrides.get("login", "1.2.3.4")).toEqual({ ...next, createdAt: now });
    expect(await ctx.store.ratelimitOverrides.count("login")).toBe(1);
  },
  "deletes one override and says whether there was one": async (ctx) => {
    const now = ctx.clock.now();
    await seed(ctx, async (tx) => {
      await tx.ratelimitOverrides.upsert(override(now));
      await tx.ratelimitOverrides.upsert(override(now, { namespace: "signup" }));
    });
    expect(await seed(ctx, (tx) => tx.ratelimitOverrides.delete("login", "1.2.3.4"))).toBe(true);
    expect(await ctx.store.ratelimitOverrides.get("login", "1.2.3.4")).toBeNull();
    expect(await ctx.store.ratelimitOverrides.get("signup", "1.2.3.4")).not.toBeNull();
    expect(await ctx.write(SYSTEM, (tx) => tx.ratelimitOverrides.delete("login", "1.2.3.4"))).toBe(false);
  },
  "lists one namespace by identifier in pages, counts it, and reads it whole up to a bound": async (ctx) => {
    const now = ctx.clock.now();
    const ids = ["c", "a", "b*", "d"];
    await seed(ctx, async (tx) => {
      for (const identifier of ids) await tx.ratelimitOverrides.upsert(override(now, { identifier }));
      await tx.ratelimitOverrides.upsert(override(now, { namespace: "other", identifier: "a" }));
    });
    const first = await ctx.store.ratelimitOverrides.list("login", null, 2);
    expect(first.items.map((o) => o.identifier)).toEqual(["a", "b*"]);
    expect(first.next).toBe("b*");
    const second = await ctx.store.ratelimitOverrides.list("login", first.next, 2);
    expect(second).toEqual({
      items: [override(now, { identifier: "c" }), override(now, { identifier: "d" })],
      next: null,
    });
    expect(await ctx.store.ratelimitOverrides.count("login")).toBe(4);
    expect(await ctx.store.ratelimitOverrides.count("nothing")).toBe(0);
    expect((await ctx.store.ratelimitOverrides.all("login", 10)).map((o) => o.identifier)).toEqual([
      "a",
      "b*",
      "c",
      "d",
    ]);
    expect(await ctx.store.ratelimitOverrides.all("login", 3)).toHaveLength(3);
    expect(await ctx.store.ratelimitOverrides.all("nothing", 10)).toEqual([]);
  },
  "an audited override change is logged and announced as ratelimit.override_changed": async (ctx) => {
    const heard: KeyChange[] = [];
    ctx.changes.subscribe((change) => heard.push(change));
    await ctx.write(SYSTEM, async (tx) => {
      await tx.ratelimitOverrides.upsert(override(tx.now));
      await tx.audit("ratelimit.override_set", { type: "ratelimit_namespace", id: "login", projectId: null });
    });
    expect(heard).toEqual([{ type: "ratelimit.override_changed", namespace: "login" }]);
    expect((await ctx.store.changeLog.since(0, null, 10)).map((c) => c.type)).toEqual([
      "ratelimit.override_changed",
    ]);
  },
  "a unit that writes an override without an audit entry is rolled back": async (ctx) => {
    const error = await ctx
      .write(SYSTEM, (tx) => tx.ratelimitOverrides.upsert(override(tx.now)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(await ctx.store.ratelimitOverrides.get("login", "1.2.3.4")).toBeNull();
  },
});
