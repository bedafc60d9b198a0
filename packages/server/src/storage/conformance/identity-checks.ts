import { newId } from "@keysmith/core";
import { expect } from "vitest";
import type { IdentityRecord, RoleRecord } from "../../domain/identities.js";
import { isUniqueViolation } from "../repositories/shared.js";
import { projectWithKeys, seed } from "./fixtures.js";
import { checks, type RepositoryContext } from "./harness.js";

const DAY = 86_400_000;

function identityRecord(
  projectId: string,
  now: number,
  overrides: Partial<IdentityRecord> = {},
): IdentityRecord {
  return {
    id: newId("idt", now),
    projectId,
    externalId: "cus_1",
    meta: { plan: "pro", nested: { list: [1, 2] } },
    ratelimits: [{ name: "shared", limit: 10, duration: "1m" }],
    credits: { remaining: 5, refill: { amount: 8, interval: "day" }, refilledAt: now },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

function roleRecord(projectId: string, now: number, overrides: Partial<RoleRecord> = {}): RoleRecord {
  return {
    id: newId("role", now),
    projectId,
    name: "billing",
    scopes: ["invoices:read", "refunds:*"],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

async function projectWithIdentity(ctx: RepositoryContext, overrides: Partial<IdentityRecord> = {}) {
  const { project } = await projectWithKeys(ctx, []);
  const identity = identityRecord(project.id, ctx.clock.now(), overrides);
  await seed(ctx, (tx) => tx.identities.insert(identity));
  return { project, identity };
}

export const identityChecks = checks({
  "stores an identity and reads it back by id and by externalId, field for field": async (ctx) => {
    const { project, identity } = await projectWithIdentity(ctx);
    expect(await ctx.store.identities.get(identity.id)).toEqual(identity);
    expect(await ctx.store.identities.getByExternalId(project.id, "cus_1")).toEqual(identity);
    expect(await ctx.store.identities.getByExternalId(project.id, "cus_2")).toBeNull();
    expect(await ctx.store.identities.getByExternalId("proj_other", "cus_1")).toBeNull();
    expect(await ctx.store.identities.get("idt_unknown")).toBeNull();
  },
  "updates settings but never the project or the credit balance; setCredits sets the balance": async (
    ctx,
  ) => {
    const { identity } = await projectWithIdentity(ctx);
    const next: IdentityRecord = {
      ...identity,
      externalId: "cus_renamed",
      meta: null,
      ratelimits: null,
      credits: { remaining: 99, refill: null, refilledAt: 1 },
      updatedAt: identity.updatedAt + 1,
    };
    await seed(ctx, (tx) => tx.identities.update(next));
    expect(await ctx.store.identities.get(identity.id)).toEqual({
      ...next,
      credits: { remaining: 5, refill: null, refilledAt: identity.createdAt },
    });
    await seed(ctx, (tx) => tx.identities.setCredits(identity.id, 3, 7));
    expect((await ctx.store.identities.get(identity.id))?.credits).toEqual({
      remaining: 3,
      refill: null,
      refilledAt: 7,
    });
    await seed(ctx, (tx) => tx.identities.setCredits(identity.id, null, null));
    expect((await ctx.store.identities.get(identity.id))?.credits).toBeNull();
  },
  "refuses a second identity with the same externalId in a project as a unique violation": async (ctx) => {
    const { project } = await projectWithIdentity(ctx);
    const error = await seed(ctx, (tx) =>
      tx.identities.insert(identityRecord(project.id, ctx.clock.now() + 1)),
    ).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  },
  "deletes an identity": async (ctx) => {
    const { identity } = await projectWithIdentity(ctx);
    await seed(ctx, (tx) => tx.identities.delete(identity.id));
    expect(await ctx.store.identities.get(identity.id)).toBeNull();
  },
  "lists newest first in pages, within the given projects": async (ctx) => {
    const { project } = await projectWithKeys(ctx, []);
    const { project: other } = await projectWithKeys(ctx, []);
    const now = ctx.clock.now();
    const all = [0, 1, 2].map((i) => identityRecord(project.id, now + i, { externalId: `cus_${i}` }));
    const foreign = identityRecord(other.id, now + 3);
    await seed(ctx, async (tx) => {
      for (const i of [...all, foreign]) await tx.identities.insert(i);
    });
    const first = await ctx.store.identities.list([project.id], null, 2);
    expect(first.items.map((i) => i.id)).toEqual([all[2]?.id, all[1]?.id]);
    expect(first.next).toBe(all[1]?.id);
    expect(await ctx.store.identities.list([project.id], first.next, 2)).toEqual({
      items: [all[0]],
      next: null,
    });
    expect((await ctx.store.identities.list(null, null, 10)).items).toHaveLength(4);
    expect((await ctx.store.identities.list([], null, 10)).items).toEqual([]);
  },
  "takes credits from the pool atomically, refilling once a new period begins, and refunds": async (ctx) => {
    const now = ctx.clock.now();
    const { identity } = await projectWithIdentity(ctx, {
      credits: { remaining: 3, refill: null, refilledAt: now },
    });
    const ledger = ctx.store.identities;
    const taken = await Promise.all(
      [1, 2, 3, 4, 5].map(() => ledger.consumeCredits(identity.id, 1, null, null)),
    );
    expect(taken.filter((t) => t?.taken)).toHaveLength(3);
    expect(taken.filter((t) => t && !t.taken)).toEqual([
      { taken: false, remaining: 0 },
      { taken: false, remaining: 0 },
    ]);
    expect(await ledger.peekCredits(identity.id, null, null)).toBe(0);
    // A new refill period: the pool starts from the refill amount.
    expect(await ledger.peekCredits(identity.id, now + DAY, 10)).toBe(10);
    expect(await ledger.consumeCredits(identity.id, 4, now + DAY, 10)).toEqual({ taken: true, remaining: 6 });
    expect(await ledger.consumeCredits(identity.id, 1, now + DAY, 10)).toEqual({ taken: true, remaining: 5 });
    await ledger.refundCredits(identity.id, 2);
    expect(await ledger.peekCredits(identity.id, now + DAY, 10)).toBe(7);
    expect(await ledger.consumeCredits("idt_unknown", 1, null, null)).toBeNull();
    expect(await ledger.peekCredits("idt_unknown", null, null)).toBeNull();
  },
});

export const roleChecks = checks({
  "stores a role and reads it back by id and by name, field for field": async (ctx) => {
    const { project } = await projectWithKeys(ctx, []);
    const now = ctx.clock.now();
    const billing = roleRecord(project.id, now);
    const support = roleRecord(project.id, now + 1, { name: "support", scopes: [] });
    await seed(ctx, async (tx) => {
      await tx.roles.insert(billing);
      await tx.roles.insert(support);
    });
    expect(await ctx.store.roles.get(billing.id)).toEqual(billing);
    expect(await ctx.store.roles.get("role_unknown")).toBeNull();
    expect(await ctx.store.roles.getByNames(project.id, ["support", "billing", "nope"])).toEqual([
      billing,
      support,
    ]);
    expect(await ctx.store.roles.getByNames(project.id, [])).toEqual([]);
    expect(await ctx.store.roles.getByNames("proj_other", ["billing"])).toEqual([]);
  },
  "updates a role's name and scopes, and refuses a duplicate name as a unique violation": async (ctx) => {
    const { project } = await projectWithKeys(ctx, []);
    const role = roleRecord(project.id, ctx.clock.now());
    await seed(ctx, (tx) => tx.roles.insert(role));
    const next = { ...role, name: "renamed", scopes: ["a:b"], updatedAt: role.updatedAt + 5 };
    await seed(ctx, (tx) => tx.roles.update(next));
    expect(await ctx.store.roles.get(role.id)).toEqual(next);
    const error = await seed(ctx, (tx) =>
      tx.roles.insert(roleRecord(project.id, ctx.clock.now() + 1, { name: "renamed" })),
    ).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
  },
  "lists newest first in pages, within the given projects": async (ctx) => {
    const { project } = await projectWithKeys(ctx, []);
    const now = ctx.clock.now();
    const roles = [0, 1, 2].map((i) => roleRecord(project.id, now + i, { name: `r${i}` }));
    await seed(ctx, async (tx) => {
      for (const r of roles) await tx.roles.insert(r);
    });
    const first = await ctx.store.roles.list([project.id], null, 2);
    expect(first.items.map((r) => r.id)).toEqual([roles[2]?.id, roles[1]?.id]);
    expect(await ctx.store.roles.list([project.id], first.next, 2)).toEqual({
      items: [roles[0]],
      next: null,
    });
    expect((await ctx.store.roles.list(["proj_other"], null, 10)).items).toEqual([]);
    expect((await ctx.store.roles.list(null, null, 10)).items).toHaveLength(3);
  },
  "links keys to roles exactly as set, and a deleted role leaves every key": async (ctx) => {
    const { project, keys } = await projectWithKeys(ctx, [{}, {}, {}]);
    const [a, b, c] = keys.map((k) => k.id) as [string, string, string];
    const now = ctx.clock.now();
    const billing = roleRecord(project.id, now, { name: "billing" });
    const admin = roleRecord(project.id, now + 1, { name: "admin" });
    await seed(ctx, async (tx) => {
      await tx.roles.insert(billing);
      await tx.roles.insert(admin);
      await tx.roles.setKeyRoles(a, [billing.id, admin.id, billing.id]);
      await tx.roles.setKeyRoles(b, [billing.id]);
    });
    expect(await ctx.store.roles.ofKey(a)).toEqual([admin, billing]);
    expect(await ctx.store.roles.ofKey(c)).toEqual([]);
    expect(await ctx.store.roles.namesOfKeys([a, b, c])).toEqual(
      new Map([
        [a, ["admin", "billing"]],
        [b, ["billing"]],
      ]),
    );
    expect(await ctx.store.roles.namesOfKeys([])).toEqual(new Map());
    await seed(ctx, (tx) => tx.roles.setKeyRoles(a, [admin.id]));
    expect(await ctx.store.roles.ofKey(a)).toEqual([admin]);
    await seed(ctx, (tx) => tx.roles.delete(admin.id));
    expect(await ctx.store.roles.get(admin.id)).toBeNull();
    expect(await ctx.store.roles.ofKey(a)).toEqual([]);
    expect(await ctx.store.roles.ofKey(b)).toEqual([billing]);
  },
});
