import { expect } from "vitest";
import { SYSTEM } from "../../domain/access.js";
import { expiringAlertKey } from "../repositories/alerts.js";
import { projectWithKeys } from "./fixtures.js";
import { checks } from "./harness.js";
import { alertRecord, endpoints } from "./outbox-fixtures.js";

const DAY = 86_400_000;

export const alertChecks = checks({
  "stores an alert once per idempotency key and queues a delivery per live subscribed endpoint that sees its project":
    async (ctx) => {
      const { projectId, webhooks } = await endpoints(ctx, [
        { events: ["key.anomaly"] },
        { events: ["key.anomaly", "key.revoked"], inProject: true },
        { events: ["key.revoked"], inProject: true },
        { events: ["key.anomaly"], inProject: true, deletedAt: ctx.clock.now() },
      ]);
      const [everyProject, subscribed, otherEvent, deleted] = webhooks.map((w) => w.id);
      const alert = alertRecord(ctx.clock.now(), { projectId, keyId: "key_a" });
      expect(await ctx.store.alerts.raise(alert, "anomaly:1")).toBe(2);
      expect(
        await ctx.store.alerts.raise(alertRecord(ctx.clock.now(), { projectId }), "anomaly:1"),
      ).toBeNull();
      expect((await ctx.store.alerts.list({}, null, 10)).items).toEqual([alert]);
      const queued = async (webhookId: string | undefined) =>
        (await ctx.store.webhooks.deliveries(webhookId as string, undefined, null, 10)).items;
      expect(await queued(subscribed)).toMatchObject([
        { alertId: alert.id, eventType: "key.anomaly", status: "pending", attempts: 0 },
      ]);
      expect(await queued(everyProject)).toHaveLength(1);
      expect(await queued(otherEvent)).toEqual([]);
      expect(await queued(deleted)).toEqual([]);
      // An alert of no project reaches only the endpoints of no project.
      const global = alertRecord(ctx.clock.now() + 1);
      expect(await ctx.store.alerts.raise(global, "anomaly:global")).toBe(1);
      expect((await queued(everyProject)).map((d) => d.alertId)).toEqual([global.id, alert.id]);
      expect(await ctx.store.alerts.raise(alertRecord(ctx.clock.now(), { type: "key.rolled" }), "r:1")).toBe(
        0,
      );
    },
  "stores one of concurrent raises of the same occurrence": async (ctx) => {
    await endpoints(ctx, [{ events: ["key.anomaly"] }]);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => ctx.store.alerts.raise(alertRecord(ctx.clock.now() + i), "same")),
    );
    expect(results.filter((r) => r !== null)).toEqual([1]);
    expect((await ctx.store.alerts.list({}, null, 10)).items).toHaveLength(1);
  },
  "raises within a unit of work's transaction, and keeps nothing when it rolls back": async (ctx) => {
    const { webhooks } = await endpoints(ctx, [{ events: ["key.anomaly"] }]);
    const failed = ctx.write(SYSTEM, async (tx) => {
      expect(await tx.alerts.raise(alertRecord(tx.now), "inside")).toBe(1);
      throw new Error("boom");
    });
    await expect(failed).rejects.toThrow("boom");
    expect((await ctx.store.alerts.list({}, null, 10)).items).toEqual([]);
    expect(
      (await ctx.store.webhooks.deliveries(webhooks[0]?.id as string, undefined, null, 10)).items,
    ).toEqual([]);
  },
  "lists newest first in pages, filtered by project, type and key": async (ctx) => {
    const now = ctx.clock.now();
    const alerts = [
      alertRecord(now, { projectId: "proj_a", keyId: "key_a" }),
      alertRecord(now + 1, { projectId: "proj_a", type: "key.revoked", keyId: "key_b" }),
      alertRecord(now + 2, { projectId: "proj_b", keyId: "key_a" }),
    ];
    for (const [i, alert] of alerts.entries()) await ctx.store.alerts.raise(alert, `list:${i}`);
    const [a, b, c] = alerts.map((x) => x.id);
    const ids = (page: { items: { id: string }[] }) => page.items.map((x) => x.id);
    const first = await ctx.store.alerts.list({}, null, 2);
    expect(ids(first)).toEqual([c, b]);
    expect(first.next).toBe(b);
    expect(await ctx.store.alerts.list({}, first.next, 2)).toEqual({ items: [alerts[0]], next: null });
    expect(ids(await ctx.store.alerts.list({ projectId: "proj_a" }, null, 10))).toEqual([b, a]);
    expect(ids(await ctx.store.alerts.list({ type: "key.revoked" }, null, 10))).toEqual([b]);
    expect(ids(await ctx.store.alerts.list({ keyId: "key_a" }, null, 10))).toEqual([c, a]);
    expect(ids(await ctx.store.alerts.list({ projectId: "proj_b", keyId: "key_b" }, null, 10))).toEqual([]);
  },
  "finds the live keys expiring in a window that have no warning for it yet, soonest first": async (ctx) => {
    const now = ctx.clock.now();
    const { keys } = await projectWithKeys(ctx, [
      { expiresAt: now + 3 * DAY },
      { expiresAt: now + 2 * DAY, ownerId: "alice", name: "soon" },
      { expiresAt: now + 8 * DAY },
      { expiresAt: now + 12 * 3_600_000 },
      { expiresAt: now + 2 * DAY, revokedAt: now },
      { expiresAt: now + 2 * DAY, rolledTo: "key_next" },
      { expiresAt: now + 4 * DAY },
      { expiresAt: null },
    ]);
    const [inThree, inTwo, , , , , warned] = keys;
    const key = (k: typeof inTwo) => k as NonNullable<typeof inTwo>;
    await ctx.store.alerts.raise(
      alertRecord(now, { type: "key.expiring" }),
      expiringAlertKey(key(warned).id, "7d", key(warned).expiresAt as number),
    );
    const found = await ctx.store.alerts.keysExpiring(now + DAY, now + 7 * DAY, "7d", 10);
    expect(found).toEqual([
      {
        id: key(inTwo).id,
        projectId: key(inTwo).projectId,
        ownerId: "alice",
        name: "soon",
        expiresAt: now + 2 * DAY,
      },
      expect.objectContaining({ id: key(inThree).id, expiresAt: now + 3 * DAY }),
    ]);
    expect((await ctx.store.alerts.keysExpiring(now + DAY, now + 7 * DAY, "7d", 1)).map((k) => k.id)).toEqual(
      [key(inTwo).id],
    );
    // The warning for another threshold, or another expiry, does not count.
    expect(
      (await ctx.store.alerts.keysExpiring(now + DAY, now + 7 * DAY, "1d", 10)).map((k) => k.id),
    ).toContain(key(warned).id);
  },
});
