import { expect } from "vitest";
import type { SessionRecord } from "../../domain/records.js";
import { seed } from "./fixtures.js";
import { checks } from "./harness.js";
import { sessionOwner, sessionRecord } from "./outbox-fixtures.js";

const HOUR = 3_600_000;

export const sessionChecks = checks({
  "stores a session and reads it back by the hash of its id, field for field": async (ctx) => {
    const owner = await sessionOwner(ctx);
    const session = sessionRecord(owner, ctx.clock.now());
    await seed(ctx, (tx) => tx.sessions.insert(session));
    expect(await ctx.store.sessions.get(session.idHash)).toEqual(session);
    expect(await ctx.store.sessions.get("0".repeat(64))).toBeNull();
  },
  "moves the idle deadline forward, never back": async (ctx) => {
    const owner = await sessionOwner(ctx);
    const session = sessionRecord(owner, ctx.clock.now());
    await seed(ctx, (tx) => tx.sessions.insert(session));
    await ctx.store.sessions.extend(session.idHash, session.expiresAt + HOUR);
    expect((await ctx.store.sessions.get(session.idHash))?.expiresAt).toBe(session.expiresAt + HOUR);
    await ctx.store.sessions.extend(session.idHash, session.expiresAt);
    expect((await ctx.store.sessions.get(session.idHash))?.expiresAt).toBe(session.expiresAt + HOUR);
  },
  "deletes the sessions idle past their deadline, and only those": async (ctx) => {
    const now = ctx.clock.now();
    const owner = await sessionOwner(ctx);
    const ended = sessionRecord(owner, now, { expiresAt: now });
    const live = sessionRecord(owner, now + 1, { expiresAt: now + 1 });
    await seed(ctx, async (tx) => {
      await tx.sessions.insert(ended);
      await tx.sessions.insert(live);
    });
    expect(await ctx.store.sessions.deleteExpired(now)).toBe(1);
    expect(await ctx.store.sessions.get(ended.idHash)).toBeNull();
    expect(await ctx.store.sessions.get(live.idHash)).toEqual(live);
    expect(await ctx.store.sessions.deleteExpired(now)).toBe(0);
  },
  "ends one session, or every session of a root key": async (ctx) => {
    const now = ctx.clock.now();
    const [alice, bob] = [await sessionOwner(ctx), await sessionOwner(ctx)];
    const all = [alice, alice, alice, bob].map((owner, i) => sessionRecord(owner, now + i));
    const [a1, a2, a3, b1] = all as [SessionRecord, SessionRecord, SessionRecord, SessionRecord];
    await seed(ctx, async (tx) => {
      for (const s of all) await tx.sessions.insert(s);
    });
    await seed(ctx, (tx) => tx.sessions.delete(a1.idHash));
    expect(await ctx.store.sessions.get(a1.idHash)).toBeNull();
    expect(await ctx.store.sessions.get(a2.idHash)).toEqual(a2);
    await ctx.store.sessions.deleteForRootKey(alice);
    expect(await ctx.store.sessions.get(a2.idHash)).toBeNull();
    expect(await ctx.store.sessions.get(a3.idHash)).toBeNull();
    expect(await ctx.store.sessions.get(b1.idHash)).toEqual(b1);
  },
});
