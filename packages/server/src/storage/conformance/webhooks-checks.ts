import { expect } from "vitest";
import type { DeliveryAttempt } from "../../domain/records.js";
import { seed } from "./fixtures.js";
import { checks, type RepositoryContext } from "./harness.js";
import { endpoints, raised, sealedFor } from "./outbox-fixtures.js";

const SECOND = 1000;

const claimAll = (ctx: RepositoryContext, lease: number, perEndpoint = 10) =>
  ctx.store.webhooks.claimDue({ now: ctx.clock.now(), lease, limit: 50, perEndpoint, skipEndpoints: [] });

const delivered = (now: number): DeliveryAttempt => ({
  status: "delivered",
  attempts: 1,
  lastAttemptAt: now,
  responseStatus: 204,
  error: null,
  nextAttemptAt: now,
  deliveredAt: now,
});

const log = async (ctx: RepositoryContext, webhookId: string | undefined) =>
  (await ctx.store.webhooks.deliveries(webhookId as string, undefined, null, 50)).items;

export const webhookChecks = checks({
  "stores an endpoint and reads it back, field for field; lists the live ones newest first in pages": async (
    ctx,
  ) => {
    const { projectId, webhooks } = await endpoints(ctx, [
      { inProject: true },
      {},
      { inProject: true, description: null, events: ["budget.threshold"] },
      { inProject: true, deletedAt: 5 },
    ]);
    const [a, b, c, gone] = webhooks;
    for (const webhook of webhooks) expect(await ctx.store.webhooks.get(webhook.id)).toEqual(webhook);
    expect(await ctx.store.webhooks.get("whk_unknown")).toBeNull();
    const first = await ctx.store.webhooks.list(undefined, null, 2);
    expect(first).toEqual({ items: [c, b], next: b?.id });
    expect(await ctx.store.webhooks.list(undefined, first.next, 2)).toEqual({ items: [a], next: null });
    expect((await ctx.store.webhooks.list(projectId, null, 10)).items).toEqual([c, a]);
    expect((await ctx.store.webhooks.list("proj_other", null, 10)).items).toEqual([]);
    expect(gone?.deletedAt).toBe(5);
  },
  "deletes an endpoint softly, cancelling its pending deliveries and no other": async (ctx) => {
    const { webhooks } = await endpoints(ctx, [{}, {}]);
    const [doomed, kept] = webhooks.map((w) => w.id);
    await raised(ctx, "key.anomaly", null, "a:1");
    const lease = ctx.clock.now() + 40 * SECOND;
    const [done] = (await claimAll(ctx, lease)).filter((d) => d.webhook.id === doomed);
    await ctx.store.webhooks.recordAttempt(done?.id as string, lease, delivered(ctx.clock.now()));
    // Delivery ids sort by time: the second alert a millisecond later.
    ctx.clock.advance(1);
    await raised(ctx, "key.anomaly", null, "a:2");
    ctx.clock.advance(SECOND);
    await seed(ctx, (tx) => tx.webhooks.remove(doomed as string, ctx.clock.now()));
    expect((await ctx.store.webhooks.get(doomed as string))?.deletedAt).toBe(ctx.clock.now());
    expect((await ctx.store.webhooks.list(undefined, null, 10)).items.map((w) => w.id)).toEqual([kept]);
    expect((await log(ctx, doomed)).map((d) => [d.status, d.nextAttemptAt])).toEqual([
      ["cancelled", null],
      ["delivered", null],
    ]);
    expect((await log(ctx, kept)).map((d) => d.status)).toEqual(["pending", "pending"]);
  },
  "claims each due delivery once, oldest first, at most so many per endpoint, none of a busy endpoint":
    async (ctx) => {
      const { webhooks } = await endpoints(ctx, [{}, {}]);
      const [first, second] = webhooks.map((w) => w.id);
      const alertIds: string[] = [];
      for (let i = 0; i < 3; i++) {
        alertIds.push(await raised(ctx, "key.anomaly", null, `claim:${i}`));
        ctx.clock.advance(1);
      }
      const now = ctx.clock.now();
      const lease = now + 40 * SECOND;
      const skipping = await ctx.store.webhooks.claimDue({
        now,
        lease,
        limit: 10,
        perEndpoint: 2,
        skipEndpoints: [second as string],
      });
      expect(skipping.map((d) => [d.webhook.id, d.alert.id]).sort()).toEqual([
        [first, alertIds[0]],
        [first, alertIds[1]],
      ]);
      const claimed = skipping[0];
      expect(claimed).toMatchObject({
        attempts: 0,
        alert: {
          type: "key.anomaly",
          projectId: null,
          keyId: null,
          data: { rate: 12.5, nested: { list: [1, 2] } },
        },
        webhook: {
          url: "https://hooks.example.com/in?token=t",
          secret: sealedFor(first as string),
          deletedAt: null,
        },
      });
      // Racing claimers share what is due without overlap; a claimed delivery waits for its lease.
      const racing = await Promise.all([
        ctx.store.webhooks.claimDue({ now, lease, limit: 10, perEndpoint: 10, skipEndpoints: [] }),
        ctx.store.webhooks.claimDue({ now, lease, limit: 10, perEndpoint: 10, skipEndpoints: [] }),
      ]);
      const ids = racing.flat().map((d) => d.id);
      expect(ids).toHaveLength(4);
      expect(new Set(ids).size).toBe(4);
      expect(await claimAll(ctx, lease)).toEqual([]);
      ctx.clock.advance(40 * SECOND);
      expect(await claimAll(ctx, ctx.clock.now() + 40 * SECOND, 1)).toHaveLength(2);
      const oldest = await claimAll(ctx, ctx.clock.now() + 80 * SECOND);
      expect(oldest).toHaveLength(4);
      const limited = await ctx.store.webhooks.claimDue({
        now: ctx.clock.now() + 80 * SECOND,
        lease: ctx.clock.now() + 120 * SECOND,
        limit: 1,
        perEndpoint: 10,
        skipEndpoints: [],
      });
      expect(limited.map((d) => d.alert.id)).toEqual([alertIds[0]]);
    },
  "records an attempt only while the claim holds; a retry is due when it says": async (ctx) => {
    const { webhooks } = await endpoints(ctx, [{}]);
    await raised(ctx, "key.anomaly", null, "attempt:1");
    const lease = ctx.clock.now() + 40 * SECOND;
    const [claimed] = await claimAll(ctx, lease);
    const id = claimed?.id as string;
    const retry: DeliveryAttempt = {
      status: "pending",
      attempts: 1,
      lastAttemptAt: ctx.clock.now(),
      responseStatus: 500,
      error: "http_status",
      nextAttemptAt: ctx.clock.now() + 5 * SECOND,
      deliveredAt: null,
    };
    expect(await ctx.store.webhooks.recordAttempt(id, lease + 1, retry)).toBe(false);
    expect((await log(ctx, webhooks[0]?.id))[0]).toMatchObject({ attempts: 0, error: null });
    expect(await ctx.store.webhooks.recordAttempt(id, lease, retry)).toBe(true);
    expect((await log(ctx, webhooks[0]?.id))[0]).toMatchObject({
      status: "pending",
      attempts: 1,
      responseStatus: 500,
      error: "http_status",
      lastAttemptAt: ctx.clock.now(),
      nextAttemptAt: ctx.clock.now() + 5 * SECOND,
      deliveredAt: null,
    });
    // Recorded: the claim is released, so the same lease records nothing more.
    expect(await ctx.store.webhooks.recordAttempt(id, lease, delivered(ctx.clock.now()))).toBe(false);
    expect(await claimAll(ctx, lease)).toEqual([]);
    ctx.clock.advance(5 * SECOND);
    const [again] = await claimAll(ctx, ctx.clock.now() + 40 * SECOND);
    expect(again).toMatchObject({ id, attempts: 1 });
    const finished = { ...delivered(ctx.clock.now()), attempts: 2 };
    expect(await ctx.store.webhooks.recordAttempt(id, ctx.clock.now() + 40 * SECOND, finished)).toBe(true);
    expect((await log(ctx, webhooks[0]?.id))[0]).toMatchObject({
      status: "delivered",
      attempts: 2,
      deliveredAt: ctx.clock.now(),
      nextAttemptAt: null,
    });
  },
  "cancels a pending delivery, never a finished one": async (ctx) => {
    const { webhooks } = await endpoints(ctx, [{}]);
    const webhookId = webhooks[0]?.id;
    await raised(ctx, "key.anomaly", null, "cancel:1");
    await raised(ctx, "key.anomaly", null, "cancel:2");
    const lease = ctx.clock.now() + 40 * SECOND;
    const [first, second] = await claimAll(ctx, lease);
    await ctx.store.webhooks.recordAttempt(first?.id as string, lease, delivered(ctx.clock.now()));
    for (const d of [first, second])
      await ctx.store.webhooks.cancelDelivery(d?.id as string, ctx.clock.now());
    const statuses = new Map((await log(ctx, webhookId)).map((d) => [d.id, d.status]));
    expect(statuses.get(first?.id as string)).toBe("delivered");
    expect(statuses.get(second?.id as string)).toBe("cancelled");
    // Cancelled while claimed: the sender's outcome is not recorded over it.
    expect(
      await ctx.store.webhooks.recordAttempt(second?.id as string, lease, delivered(ctx.clock.now())),
    ).toBe(false);
  },
  "lists an endpoint's deliveries newest first in pages, by status": async (ctx) => {
    const { webhooks } = await endpoints(ctx, [{}]);
    const webhookId = webhooks[0]?.id as string;
    for (let i = 0; i < 3; i++) {
      await raised(ctx, "key.anomaly", null, `page:${i}`);
      ctx.clock.advance(1);
    }
    const all = await log(ctx, webhookId);
    const lease = ctx.clock.now() + 40 * SECOND;
    const [oldest] = await ctx.store.webhooks.claimDue({
      now: ctx.clock.now(),
      lease,
      limit: 1,
      perEndpoint: 1,
      skipEndpoints: [],
    });
    await ctx.store.webhooks.recordAttempt(oldest?.id as string, lease, delivered(ctx.clock.now()));
    const first = await ctx.store.webhooks.deliveries(webhookId, undefined, null, 2);
    expect(first.items.map((d) => d.id)).toEqual([all[0]?.id, all[1]?.id]);
    expect(first.next).toBe(all[1]?.id);
    const rest = await ctx.store.webhooks.deliveries(webhookId, undefined, first.next, 2);
    expect(rest.items.map((d) => [d.id, d.status])).toEqual([[oldest?.id, "delivered"]]);
    expect(rest.next).toBeNull();
    expect(
      (await ctx.store.webhooks.deliveries(webhookId, "pending", null, 10)).items.map((d) => d.id),
    ).toEqual([all[0]?.id, all[1]?.id]);
    expect(await ctx.store.webhooks.deliveries("whk_unknown", undefined, null, 10)).toEqual({
      items: [],
      next: null,
    });
  },
  "replaces stored signing secrets only where they are still as read": async (ctx) => {
    const { webhooks } = await endpoints(ctx, [{}, {}]);
    const [a, b] = webhooks.map((w) => w.id as string) as [string, string];
    expect(await ctx.store.webhooks.secrets()).toEqual([
      { id: a, secret: sealedFor(a) },
      { id: b, secret: sealedFor(b) },
    ]);
    const replaced = await ctx.store.webhooks.replaceSecrets([
      { id: a, from: sealedFor(a), to: "sealed:1:new" },
      { id: b, from: "stale", to: "sealed:1:lost" },
    ]);
    expect(replaced).toBe(1);
    expect(await ctx.store.webhooks.secrets()).toEqual([
      { id: a, secret: "sealed:1:new" },
      { id: b, secret: sealedFor(b) },
    ]);
    expect(await ctx.store.webhooks.replaceSecrets([])).toBe(0);
  },
  "stores the signing key once, and replaces it only while it is as expected": async (ctx) => {
    expect(await ctx.store.webhooks.signingKey()).toBeNull();
    const claims = await Promise.all(["a", "b"].map((v) => ctx.store.webhooks.claimSigningKey(v, 1)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    const winner = claims[0] ? "a" : "b";
    expect(await ctx.store.webhooks.signingKey()).toBe(winner);
    expect(await ctx.store.webhooks.replaceSigningKey("c", 2, "not-it")).toBe(false);
    expect(await ctx.store.webhooks.replaceSigningKey("c", 2, winner)).toBe(true);
    expect(await ctx.store.webhooks.replaceSigningKey("d", 3)).toBe(true);
    expect(await ctx.store.webhooks.signingKey()).toBe("d");
    // Only its own row: the meta table's other settings are untouched.
    expect(await ctx.store.meta.get("webhooks.key")).toBe("d");
  },
});
