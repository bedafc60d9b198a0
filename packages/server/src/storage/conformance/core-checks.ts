import { expect } from "vitest";
import { SYSTEM } from "../../domain/access.js";
import { verifyAuditChain } from "../../domain/audit-chain.js";
import type { KeyChange } from "../../domain/changes.js";
import { isUniqueViolation } from "../repositories/shared.js";
import type { WriteTx } from "../unit-of-work.js";
import { keyRecord, projectRecord, projectWithKeys, rootKeyRecord, seed } from "./fixtures.js";
import { checks } from "./harness.js";

const MINUTE = 60_000;

export const projectChecks = checks({
  "stores a project and reads it back by id and by prefix, field for field": async (ctx) => {
    const project = projectRecord(ctx.clock.now());
    await seed(ctx, (tx) => tx.projects.insert(project));
    expect(await ctx.store.projects.get(project.id)).toEqual(project);
    expect(await ctx.store.projects.getByPrefix(project.prefix)).toEqual(project);
    expect(await ctx.store.projects.get("proj_unknown")).toBeNull();
    expect(await ctx.store.projects.getByPrefix("nope")).toBeNull();
  },
  "updates every field but the id": async (ctx) => {
    const project = projectRecord(ctx.clock.now());
    await seed(ctx, (tx) => tx.projects.insert(project));
    const next = {
      ...project,
      name: "Renamed",
      publishableScopes: [],
      settings: { budget: null },
      updatedAt: 5,
    };
    await seed(ctx, (tx) => tx.projects.update(next));
    expect(await ctx.store.projects.get(project.id)).toEqual(next);
  },
  "refuses a second project with the same prefix as a unique violation": async (ctx) => {
    const first = projectRecord(ctx.clock.now());
    await seed(ctx, (tx) => tx.projects.insert(first));
    const error = await seed(ctx, (tx) =>
      tx.projects.insert(projectRecord(ctx.clock.now(), { prefix: first.prefix })),
    ).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  },
  "lists newest first in pages, within the given projects": async (ctx) => {
    const now = ctx.clock.now();
    const projects = [0, 1, 2].map((i) => projectRecord(now + i));
    await seed(ctx, async (tx) => {
      for (const p of projects) await tx.projects.insert(p);
    });
    const [a, b, c] = projects.map((p) => p.id) as [string, string, string];
    const first = await ctx.store.projects.list(null, null, 2);
    expect(first.items.map((p) => p.id)).toEqual([c, b]);
    expect(first.next).toBe(b);
    const second = await ctx.store.projects.list(null, first.next, 2);
    expect(second).toEqual({ items: [projects[0]], next: null });
    expect((await ctx.store.projects.list([a, c], null, 10)).items.map((p) => p.id)).toEqual([c, a]);
    expect((await ctx.store.projects.list([], null, 10)).items).toEqual([]);
  },
});

export const keyChecks = checks({
  "stores a key and reads it back by id and by hash, field for field": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [
      {
        credits: { remaining: 7, refill: { amount: 10, interval: "day" }, refilledAt: 1 },
        allowedOrigins: ["https://a.example"],
      },
    ]);
    const key = keys[0];
    expect(await ctx.store.keys.get(key?.id as string)).toEqual(key);
    expect(await ctx.store.keys.getByHash(key?.hash as string)).toEqual(key);
    expect(await ctx.store.keys.get("key_unknown")).toBeNull();
    expect(await ctx.store.keys.getByHash("0".repeat(64))).toBeNull();
  },
  "inserts many at once, finds them by their hashes, and names the projects holding imports": async (ctx) => {
    const now = ctx.clock.now();
    const [p1, p2] = [projectRecord(now), projectRecord(now + 1)];
    const keys = Array.from({ length: 450 }, (_, i) =>
      keyRecord(i % 2 ? p1.id : p2.id, now + i, { imported: i === 7 }),
    );
    await seed(ctx, async (tx) => {
      await tx.projects.insert(p1);
      await tx.projects.insert(p2);
      await tx.keys.insertMany(keys);
    });
    const found = await ctx.store.keys.getByHashes([...keys.map((k) => k.hash), "0".repeat(64)]);
    expect(found.map((k) => k.id).sort()).toEqual(keys.map((k) => k.id).sort());
    expect(found.find((k) => k.id === keys[7]?.id)).toEqual(keys[7]);
    expect(await ctx.store.keys.getByHashes([])).toEqual([]);
    expect(await ctx.store.keys.projectsWithImports()).toEqual([p1.id]);
  },
  "updates settings but never the hash or the credit balance": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [
      { credits: { remaining: 5, refill: null, refilledAt: null } },
    ]);
    const key = keys[0] as (typeof keys)[number];
    const next = {
      ...key,
      hash: "f".repeat(64),
      name: null,
      scopes: [],
      meta: null,
      enabled: false,
      expiresAt: 99,
      revokedAt: 98,
      rolledTo: "key_x",
      credits: { remaining: 1000, refill: null, refilledAt: null },
    };
    await seed(ctx, (tx) => tx.keys.update(next));
    expect(await ctx.store.keys.get(key.id)).toEqual({ ...next, hash: key.hash, credits: key.credits });
  },
  "sets the credit balance only through setCredits": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [{}]);
    const id = keys[0]?.id as string;
    await seed(ctx, (tx) => tx.keys.setCredits(id, 3, 42));
    expect((await ctx.store.keys.get(id))?.credits).toEqual({ remaining: 3, refill: null, refilledAt: 42 });
    await seed(ctx, (tx) => tx.keys.setCredits(id, null, null));
    expect((await ctx.store.keys.get(id))?.credits).toBeNull();
  },
  "takes credits while there are enough, and takes nothing when short": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [
      { credits: { remaining: 5, refill: null, refilledAt: null } },
    ]);
    const id = keys[0]?.id as string;
    expect(await ctx.store.keys.consumeCredits(id, 3, null, null)).toEqual({ taken: true, remaining: 2 });
    expect(await ctx.store.keys.consumeCredits(id, 3, null, null)).toEqual({ taken: false, remaining: 2 });
    expect(await ctx.store.keys.peekCredits(id, null, null)).toBe(2);
    await ctx.store.keys.refundCredits(id, 3);
    expect(await ctx.store.keys.peekCredits(id, null, null)).toBe(5);
    const { keys: unmetered } = await projectWithKeys(ctx, [{}]);
    expect(await ctx.store.keys.consumeCredits(unmetered[0]?.id as string, 1, null, null)).toBeNull();
  },
  "refills once a new period begins, in the same statement": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [
      { credits: { remaining: 0, refill: { amount: 10, interval: "day" }, refilledAt: 100 } },
    ]);
    const id = keys[0]?.id as string;
    expect(await ctx.store.keys.peekCredits(id, 200, 10)).toBe(10);
    expect(await ctx.store.keys.consumeCredits(id, 4, 200, 10)).toEqual({ taken: true, remaining: 6 });
    // Same period: no second refill.
    expect(await ctx.store.keys.consumeCredits(id, 4, 200, 10)).toEqual({ taken: true, remaining: 2 });
    expect((await ctx.store.keys.get(id))?.credits?.refilledAt).toBe(200);
  },
  "never lets concurrent consumers take more than there is": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [
      { credits: { remaining: 5, refill: null, refilledAt: null } },
    ]);
    const id = keys[0]?.id as string;
    const results = await Promise.all(
      Array.from({ length: 12 }, () => ctx.store.keys.consumeCredits(id, 1, null, null)),
    );
    expect(results.filter((r) => r?.taken).length).toBe(5);
    expect(await ctx.store.keys.peekCredits(id, null, null)).toBe(0);
  },
  "sets, adds to and takes from the balance, stopping at zero and refilling first": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [
      { credits: { remaining: 5, refill: null, refilledAt: null } },
      {},
      { credits: { remaining: 1, refill: { amount: 10, interval: "day" }, refilledAt: 100 } },
    ]);
    const [limited, unlimited, refilled] = keys.map((k) => k.id) as [string, string, string];
    const adjust = (...args: Parameters<WriteTx["keys"]["adjustCredits"]>) =>
      seed(ctx, (tx) => tx.keys.adjustCredits(...args));
    expect(await adjust(limited, "increment", 3, null, null)).toBe(8);
    expect(await adjust(limited, "decrement", 2, null, null)).toBe(6);
    expect(await adjust(limited, "decrement", 60, null, null)).toBe(0);
    expect(await adjust(limited, "set", 9, null, null)).toBe(9);
    expect(await adjust(unlimited, "increment", 1, null, null)).toBeNull();
    expect(await adjust(unlimited, "decrement", 1, null, null)).toBeNull();
    expect(await adjust(unlimited, "set", 2, null, null)).toBe(2);
    expect(await adjust("key_unknown", "set", 2, null, null)).toBeNull();
    // A new period began: the refill comes first, then the increment.
    expect(await adjust(refilled, "increment", 5, 200, 10)).toBe(15);
    expect((await ctx.store.keys.get(refilled))?.credits).toMatchObject({ remaining: 15, refilledAt: 200 });
  },
  "lists newest first in pages, filtered by project, owner, environment, type and status": async (ctx) => {
    const now = ctx.clock.now();
    const { project, keys } = await projectWithKeys(ctx, [
      { ownerId: "alice" },
      { ownerId: "bob", environment: "test" },
      { type: "publishable", enabled: false },
      { expiresAt: now - 1 },
      { revokedAt: now - 1 },
    ]);
    await projectWithKeys(ctx, [{ ownerId: "alice" }]);
    const ids = (page: { items: { id: string }[] }) => page.items.map((k) => k.id);
    const [active, testKey, disabled, expired, revoked] = keys.map((k) => k.id);
    const base = { projectIds: [project.id], now };
    expect(ids(await ctx.store.keys.list(base, null, 10))).toEqual([
      revoked,
      expired,
      disabled,
      testKey,
      active,
    ]);
    const first = await ctx.store.keys.list(base, null, 2);
    expect(ids(first)).toEqual([revoked, expired]);
    expect(ids(await ctx.store.keys.list(base, first.next, 10))).toEqual([disabled, testKey, active]);
    expect(ids(await ctx.store.keys.list({ ...base, ownerId: "alice" }, null, 10))).toEqual([active]);
    expect(ids(await ctx.store.keys.list({ ...base, environment: "test" }, null, 10))).toEqual([testKey]);
    expect(ids(await ctx.store.keys.list({ ...base, type: "publishable" }, null, 10))).toEqual([disabled]);
    expect(ids(await ctx.store.keys.list({ ...base, status: "active" }, null, 10))).toEqual([
      testKey,
      active,
    ]);
    expect(ids(await ctx.store.keys.list({ ...base, status: "disabled" }, null, 10))).toEqual([disabled]);
    expect(ids(await ctx.store.keys.list({ ...base, status: "expired" }, null, 10))).toEqual([expired]);
    expect(ids(await ctx.store.keys.list({ ...base, status: "revoked" }, null, 10))).toEqual([revoked]);
    expect(
      (await ctx.store.keys.list({ projectIds: null, ownerId: "alice", now }, null, 10)).items,
    ).toHaveLength(2);
    expect((await ctx.store.keys.list({ projectIds: [], now }, null, 10)).items).toEqual([]);
  },
  "records last use, never moving it backwards": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [{}, {}]);
    const [a, b] = keys.map((k) => k.id) as [string, string];
    await ctx.store.keys.touch(
      new Map([
        [a, 500],
        [b, 300],
      ]),
    );
    await ctx.store.keys.touch(new Map([[a, 400]]));
    expect((await ctx.store.keys.get(a))?.lastUsedAt).toBe(500);
    expect((await ctx.store.keys.get(b))?.lastUsedAt).toBe(300);
  },
});

export const rootKeyChecks = checks({
  "stores a root key and reads it back by id and by hash": async (ctx) => {
    const root = rootKeyRecord(ctx.clock.now(), { environments: ["staging"], scopes: ["admin"] });
    await seed(ctx, (tx) => tx.rootKeys.insert(root));
    expect(await ctx.store.rootKeys.get(root.id)).toEqual(root);
    expect(await ctx.store.rootKeys.getByHash(root.hash)).toEqual(root);
    expect(await ctx.store.rootKeys.get("root_unknown")).toBeNull();
  },
  "revokes, and finds the live keys a set of creators made": async (ctx) => {
    const now = ctx.clock.now();
    const parent = rootKeyRecord(now);
    const child = rootKeyRecord(now + 1, { createdBy: parent.id });
    const revokedChild = rootKeyRecord(now + 2, { createdBy: parent.id, revokedAt: now });
    const grandchild = rootKeyRecord(now + 3, { createdBy: child.id });
    await seed(ctx, async (tx) => {
      for (const r of [parent, child, revokedChild, grandchild]) await tx.rootKeys.insert(r);
    });
    expect((await ctx.store.rootKeys.liveCreatedBy([parent.id])).map((r) => r.id)).toEqual([child.id]);
    expect((await ctx.store.rootKeys.liveCreatedBy([parent.id, child.id])).map((r) => r.id).sort()).toEqual(
      [child.id, grandchild.id].sort(),
    );
    expect(await ctx.store.rootKeys.liveCreatedBy([])).toEqual([]);
    await seed(ctx, (tx) => tx.rootKeys.revoke(child.id, now + 10));
    expect((await ctx.store.rootKeys.get(child.id))?.revokedAt).toBe(now + 10);
    expect(await ctx.store.rootKeys.liveCreatedBy([parent.id])).toEqual([]);
  },
  "lists newest first in pages, optionally one project's": async (ctx) => {
    const now = ctx.clock.now();
    const project = projectRecord(now);
    const roots = [
      rootKeyRecord(now),
      rootKeyRecord(now + 1, { projectId: project.id }),
      rootKeyRecord(now + 2, { projectId: project.id }),
    ];
    await seed(ctx, async (tx) => {
      await tx.projects.insert(project);
      for (const r of roots) await tx.rootKeys.insert(r);
    });
    const ids = roots.map((r) => r.id);
    const first = await ctx.store.rootKeys.list(null, null, 2);
    expect(first.items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
    expect((await ctx.store.rootKeys.list(null, first.next, 2)).items.map((r) => r.id)).toEqual([ids[0]]);
    expect((await ctx.store.rootKeys.list(project.id, null, 10)).items.map((r) => r.id)).toEqual([
      ids[2],
      ids[1],
    ]);
  },
  "records last use, never moving it backwards": async (ctx) => {
    const root = rootKeyRecord(ctx.clock.now());
    await seed(ctx, (tx) => tx.rootKeys.insert(root));
    await ctx.store.rootKeys.touch(new Map([[root.id, 900]]));
    await ctx.store.rootKeys.touch(new Map([[root.id, 800]]));
    expect((await ctx.store.rootKeys.get(root.id))?.lastUsedAt).toBe(900);
  },
});

export const auditChecks = checks({
  "chains every entry to the one before and lists newest first, filtered": async (ctx) => {
    for (const [i, action] of ["key.create", "key.update", "project.create"].entries()) {
      ctx.clock.advance(MINUTE);
      await ctx.write(SYSTEM, (tx) =>
        tx.audit(action, { type: "key", id: `key_${i}`, projectId: i < 2 ? "proj_a" : "proj_b" }, { i }),
      );
    }
    const page = await ctx.store.auditLog.list({}, null, 10);
    expect(page.items.map((e) => [e.seq, e.action])).toEqual([
      [3, "project.create"],
      [2, "key.update"],
      [1, "key.create"],
    ]);
    const [third, second, first] = page.items as [
      (typeof page.items)[number],
      (typeof page.items)[number],
      (typeof page.items)[number],
    ];
    expect(second.prevHash).toBe(first.hash);
    expect(third.prevHash).toBe(second.hash);
    expect(first).toMatchObject({ actorType: "system", actorId: null, details: { i: 0 }, targetId: "key_0" });
    expect((await ctx.store.auditLog.list({ projectId: "proj_a" }, null, 10)).items).toHaveLength(2);
    expect(
      (await ctx.store.auditLog.list({ action: "key.update" }, null, 10)).items.map((e) => e.seq),
    ).toEqual([2]);
    expect((await ctx.store.auditLog.list({ targetId: "key_2" }, null, 10)).items.map((e) => e.seq)).toEqual([
      3,
    ]);
    expect((await ctx.store.auditLog.list({ from: first.at + 1 }, null, 10)).items.map((e) => e.seq)).toEqual(
      [3, 2],
    );
    expect((await ctx.store.auditLog.list({ to: second.at }, null, 10)).items.map((e) => e.seq)).toEqual([1]);
    const paged = await ctx.store.auditLog.list({}, null, 2);
    expect(paged.next).toBe("2");
    expect((await ctx.store.auditLog.list({}, 2, 2)).items.map((e) => e.seq)).toEqual([1]);
    expect((await ctx.store.auditLog.chainPage(1, 10)).map((e) => e.seq)).toEqual([2, 3]);
    expect(
      await verifyAuditChain((after, limit) => ctx.store.auditLog.chainPage(after, limit)),
    ).toMatchObject({ valid: true });
  },
  "keeps one unbroken chain under concurrent writers": async (ctx) => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        ctx.write(SYSTEM, (tx) => tx.audit("key.create", { type: "key", id: `key_${i}`, projectId: null })),
      ),
    );
    const entries = await ctx.store.auditLog.chainPage(0, 100);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(
      await verifyAuditChain((after, limit) => ctx.store.auditLog.chainPage(after, limit)),
    ).toMatchObject({ valid: true });
  },
});

export const changeLogChecks = checks({
  "numbers each change an audited action announces, and replays one project's with the global ones": async (
    ctx,
  ) => {
    await ctx.write(SYSTEM, async (tx) => {
      await tx.audit("key.revoke", { type: "key", id: "key_a", projectId: "proj_a" });
      await tx.audit("key.create", { type: "key", id: "key_b", projectId: "proj_a" });
      await tx.audit("project.update", { type: "project", id: "proj_b", projectId: "proj_b" });
      await tx.audit("root_key.revoke", { type: "root_key", id: "root_c", projectId: null });
    });
    const all = await ctx.store.changeLog.since(0, null, 10);
    expect(all.map((c) => [c.seq, c.type, c.keyId, c.projectId, c.rootKeyId])).toEqual([
      [1, "key.revoked", "key_a", "proj_a", null],
      [2, "project.updated", null, "proj_b", null],
      [3, "root_key.revoked", null, null, "root_c"],
    ]);
    expect(all[0]?.at).toBe(ctx.clock.now());
    expect((await ctx.store.changeLog.since(0, "proj_a", 10)).map((c) => c.seq)).toEqual([1, 3]);
    expect((await ctx.store.changeLog.since(1, null, 1)).map((c) => c.seq)).toEqual([2]);
    expect(await ctx.store.changeLog.latest()).toBe(3);
  },
  "starts empty": async (ctx) => {
    expect(await ctx.store.changeLog.latest()).toBe(0);
    expect(await ctx.store.changeLog.since(0, null, 10)).toEqual([]);
  },
});

export const usageChecks = checks({
  "adds usage per key, minute and code, merging repeats, and reads it back filtered": async (ctx) => {
    const minute = Date.UTC(2026, 10, 3, 12, 0);
    const row = {
      keyId: "key_a",
      projectId: "proj_a",
      ownerId: "alice",
      minute,
      code: "VALID" as const,
      count: 2,
      spend: 1.5,
    };
    await ctx.store.usage.addUsage([
      row,
      { ...row, count: 3, spend: 0.5 },
      { ...row, code: "RATE_LIMITED", count: 1, spend: 0 },
    ]);
    await ctx.store.usage.addUsage([
      { ...row, count: 1, spend: 1 },
      { ...row, keyId: "key_b", projectId: "proj_b", ownerId: null, minute: minute + MINUTE },
    ]);
    const rows = await ctx.store.usage.rows({ keyId: "key_a", from: minute, to: minute + MINUTE });
    expect(rows.sort((a, b) => a.code.localeCompare(b.code))).toEqual([
      { minute, code: "RATE_LIMITED", count: 1, spend: 0 },
      { minute, code: "VALID", count: 6, spend: 3 },
    ]);
    expect(await ctx.store.usage.rows({ projectIds: ["proj_b"], from: 0, to: minute + 2 * MINUTE })).toEqual([
      { minute: minute + MINUTE, code: "VALID", count: 2, spend: 1.5 },
    ]);
    expect(await ctx.store.usage.rows({ projectIds: [], from: 0, to: minute + 2 * MINUTE })).toEqual([]);
    expect(
      await ctx.store.usage.rows({ ownerId: "alice", from: minute + MINUTE, to: minute + 2 * MINUTE }),
    ).toEqual([]);
  },
  "writes a batch sent again under the same id once, and one under another id again": async (ctx) => {
    const minute = Date.UTC(2026, 10, 3, 12, 0);
    const row = {
      keyId: "key_a",
      projectId: "proj_a",
      ownerId: null,
      minute,
      code: "VALID" as const,
      count: 2,
      spend: 1,
    };
    const batch = [row, { ...row, tag: "beta", count: 1 }];
    await ctx.store.usage.addUsage(batch, "batch-1");
    await ctx.store.usage.addUsage(batch, "batch-1");
    const range = { keyId: "key_a", from: minute, to: minute + MINUTE };
    expect(await ctx.store.usage.rows(range)).toEqual([{ minute, code: "VALID", count: 2, spend: 1 }]);
    expect(await ctx.store.usage.rows({ ...range, tag: "beta" })).toEqual([
      { minute, code: "VALID", count: 1, spend: 1 },
    ]);
    await ctx.store.usage.addUsage(batch, "batch-2");
    await ctx.store.usage.addUsage(batch);
    expect(await ctx.store.usage.rows(range)).toEqual([{ minute, code: "VALID", count: 6, spend: 3 }]);
  },
  "writes a batch whole or not at all": async (ctx) => {
    const minute = Date.UTC(2026, 10, 3, 12, 0);
    const row = {
      keyId: "key_a",
      projectId: "proj_a",
      ownerId: null,
      minute,
      code: "VALID" as const,
      count: 1,
      spend: 0,
    };
    // A tag row that breaks a NOT NULL column fails after the plain row's statement ran.
    const broken = { ...row, tag: null as unknown as string };
    await expect(ctx.store.usage.addUsage([row, broken], "batch-x")).rejects.toThrow();
    const range = { keyId: "key_a", from: minute, to: minute + MINUTE };
    expect(await ctx.store.usage.rows(range)).toEqual([]);
    // Its id was not kept either: the batch can be sent again once fixed.
    await ctx.store.usage.addUsage([row], "batch-x");
    expect(await ctx.store.usage.rows(range)).toEqual([{ minute, code: "VALID", count: 1, spend: 0 }]);
  },
  "keeps the tag split apart from the plain counts, and reads one tag's rows": async (ctx) => {
    const minute = Date.UTC(2026, 10, 3, 12, 0);
    const row = {
      keyId: "key_a",
      projectId: "proj_a",
      ownerId: null,
      minute,
      code: "VALID" as const,
      count: 1,
      spend: 2,
    };
    await ctx.store.usage.addUsage([
      row,
      { ...row, tag: "beta" },
      { ...row, tag: "beta" },
      { ...row, tag: "eu", count: 3 },
    ]);
    const range = { from: minute, to: minute + MINUTE };
    expect(await ctx.store.usage.rows({ ...range, keyId: "key_a" })).toEqual([
      { minute, code: "VALID", count: 1, spend: 2 },
    ]);
    expect(await ctx.store.usage.rows({ ...range, keyId: "key_a", tag: "beta" })).toEqual([
      { minute, code: "VALID", count: 2, spend: 4 },
    ]);
    expect(await ctx.store.usage.rows({ ...range, projectIds: ["proj_a"], tag: "eu" })).toEqual([
      { minute, code: "VALID", count: 3, spend: 2 },
    ]);
    expect(await ctx.store.usage.rows({ ...range, tag: "none" })).toEqual([]);
  },
  "accumulates spend per subject and period, answering the totals": async (ctx) => {
    expect(await ctx.store.usage.getSpend("key:a", 100)).toBe(0);
    expect(await ctx.store.usage.addSpend([{ subject: "key:a", periodStart: 100, amount: 2.5 }])).toEqual([
      { subject: "key:a", periodStart: 100, amount: 2.5 },
    ]);
    const totals = await ctx.store.usage.addSpend([
      { subject: "key:a", periodStart: 100, amount: 1 },
      { subject: "project:p", periodStart: 100, amount: 4 },
    ]);
    expect(totals.sort((a, b) => a.subject.localeCompare(b.subject))).toEqual([
      { subject: "key:a", periodStart: 100, amount: 3.5 },
      { subject: "project:p", periodStart: 100, amount: 4 },
    ]);
    await ctx.store.usage.addSpend([{ subject: "key:a", periodStart: 200, amount: 9 }]);
    expect(await ctx.store.usage.getSpend("key:a", 100)).toBe(3.5);
    expect(
      await ctx.store.usage.getSpends([
        { subject: "key:a", periodStart: 200 },
        { subject: "project:p", periodStart: 100 },
      ]),
    ).toEqual(
      expect.arrayContaining([
        { subject: "key:a", periodStart: 200, amount: 9 },
        { subject: "project:p", periodStart: 100, amount: 4 },
      ]),
    );
    expect(await ctx.store.usage.getSpends([{ subject: "key:a", periodStart: 300 }])).toEqual([]);
    expect(await ctx.store.usage.addSpend([])).toEqual([]);
  },
});

export const metaChecks = checks({
  "claims a name once, whoever comes second": async (ctx) => {
    expect(await ctx.store.meta.get("bootstrap")).toBeNull();
    const claims = await Promise.all(["a", "b", "c"].map((v) => ctx.store.meta.claim("bootstrap", v, 1)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = ["a", "b", "c"][claims.indexOf(true)];
    expect(await ctx.store.meta.get("bootstrap")).toBe(winner);
  },
  "sets a value over the one before, and removes it": async (ctx) => {
    await ctx.store.meta.set("vault.kdf", "first", 1);
    await ctx.store.meta.set("vault.kdf", "second", 2);
    await ctx.store.meta.set("vault.check", "kept", 2);
    expect(await ctx.store.meta.get("vault.kdf")).toBe("second");
    expect(await ctx.store.meta.claim("vault.kdf", "third", 3)).toBe(false);
    await ctx.store.meta.remove("vault.kdf");
    await ctx.store.meta.remove("never.set");
    expect(await ctx.store.meta.get("vault.kdf")).toBeNull();
    expect(await ctx.store.meta.get("vault.check")).toBe("kept");
  },
});

export const unitOfWorkChecks = checks({
  "commits the writes, the audit entry and the change together, then publishes": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [{}]);
    const key = keys[0] as (typeof keys)[number];
    const heard: { change: KeyChange; revokedAtPublish: number | null | undefined }[] = [];
    const seen: Promise<void>[] = [];
    ctx.changes.subscribe((change) => {
      seen.push(
        ctx.store.keys.get(key.id).then((k) => {
          heard.push({ change, revokedAtPublish: k?.revokedAt });
        }),
      );
    });
    await ctx.write(SYSTEM, async (tx) => {
      await tx.keys.update({ ...key, revokedAt: tx.now });
      await tx.audit("key.revoke", { type: "key", id: key.id, projectId: key.projectId });
      expect(heard).toEqual([]);
    });
    await Promise.all(seen);
    // Published after the commit: a reader on the pool already sees the revocation.
    expect(heard).toEqual([
      {
        change: { type: "key.revoked", keyId: key.id, projectId: key.projectId },
        revokedAtPublish: ctx.clock.now(),
      },
    ]);
    expect((await ctx.store.auditLog.list({ action: "key.revoke" }, null, 10)).items).toHaveLength(1);
    expect((await ctx.store.changeLog.since(0, null, 10)).map((c) => c.type)).toEqual(["key.revoked"]);
  },
  "rolls everything back when the work throws, and publishes nothing": async (ctx) => {
    const { keys } = await projectWithKeys(ctx, [{}]);
    const key = keys[0] as (typeof keys)[number];
    const heard: KeyChange[] = [];
    ctx.changes.subscribe((c) => heard.push(c));
    const failure = ctx.write(SYSTEM, async (tx) => {
      await tx.keys.update({ ...key, enabled: false });
      await tx.audit("key.update", { type: "key", id: key.id, projectId: key.projectId });
      throw new Error("boom");
    });
    await expect(failure).rejects.toThrow("boom");
    expect((await ctx.store.keys.get(key.id))?.enabled).toBe(true);
    expect((await ctx.store.auditLog.list({ action: "key.update" }, null, 10)).items).toEqual([]);
    expect(await ctx.store.changeLog.latest()).toBe(0);
    expect(heard).toEqual([]);
  },
  "refuses a write without an audit entry, and keeps nothing of it": async (ctx) => {
    const project = projectRecord(ctx.clock.now());
    await expect(ctx.write(SYSTEM, (tx) => tx.projects.insert(project))).rejects.toThrow(
      /without an audit entry/,
    );
    expect(await ctx.store.projects.get(project.id)).toBeNull();
  },
  "lets a unit that changed nothing go without an audit entry": async (ctx) => {
    await ctx.store.meta.claim("taken", "x", 1);
    const claimed = await ctx.write(SYSTEM, async (tx) => {
      const project = await tx.projects.get("proj_none");
      return project ?? (await tx.meta.claim("taken", "y", 2));
    });
    expect(claimed).toBe(false);
    expect(await ctx.store.meta.get("taken")).toBe("x");
  },
  "names the root key and request that acted": async (ctx) => {
    const actor = rootKeyRecord(ctx.clock.now());
    await ctx.write({ actor, requestId: "req_1", sourceIp: "10.1.2.3" }, (tx) =>
      tx.audit("key.create", { type: "key", id: "key_a", projectId: null }),
    );
    const [entry] = (await ctx.store.auditLog.list({}, null, 1)).items;
    expect(entry).toMatchObject({
      actorType: "root_key",
      actorId: actor.id,
      requestId: "req_1",
      sourceIp: "10.1.2.3",
    });
  },
});
