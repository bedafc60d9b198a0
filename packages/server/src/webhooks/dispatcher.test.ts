import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AlertEvent } from "../alerts/alerts.js";
import { buildApp } from "../app.js";
import { openStore } from "../database.js";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness, quietLogger, testDispatcher } from "../test-support/harness.js";
import { RETRY_SCHEDULE_MS, retryDelay } from "./dispatcher.js";
import { ALLOW_PRIVATE } from "./target-policy.js";
import { startRawReceiver, startReceiver, type TestReceiver } from "./test-receiver.js";

const SECOND = 1000;
const HOUR = 3_600_000;

describe("retry schedule", () => {
  it("backs off from 5 s to 24 h with up to 20% jitter, then gives up", () => {
    expect(RETRY_SCHEDULE_MS).toEqual([5e3, 30e3, 120e3, 600e3, 3_600e3, 21_600e3, 43_200e3, 86_400e3]);
    expect(retryDelay(1, () => 0)).toBe(5_000);
    expect(retryDelay(1, () => 0.999)).toBe(5_999);
    expect(retryDelay(8, () => 0.5)).toBe(95_040_000);
    expect(retryDelay(9, () => 0)).toBeNull();
  });
});

describe.each(await testDialects())("webhook delivery on %s", (dialect) => {
  let h: Harness;
  const cleanup: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(() => h.close());

  /** A fresh project with one endpoint pointing at a fresh receiver. */
  async function setup(events: AlertEvent[] = ["key.anomaly"]) {
    const projectId = (await h.project()).id;
    const receiver = await startReceiver(() => h.clock.now());
    const created = await h.api("POST", "/v1/webhooks", { url: receiver.url, events, projectId });
    expect(created.status).toBe(201);
    receiver.secret = created.body.secret;
    const webhookId: string = created.body.id;
    cleanup.push(() => receiver.close());
    cleanup.push(() => h.api("DELETE", `/v1/webhooks/${webhookId}`));
    return { projectId, receiver, webhookId };
  }

  const raise = (projectId: string, idempotencyKey: string, type: AlertEvent = "key.anomaly") =>
    h.keysmith.alerts.raise({ type, projectId, keyId: null, data: { rate: 42 }, idempotencyKey });
  const log = async (webhookId: string) =>
    (await h.api("GET", `/v1/webhooks/${webhookId}/deliveries`)).body.data;
  const alertIds = async (projectId: string): Promise<string[]> =>
    (await h.api("GET", `/v1/alerts?projectId=${projectId}`)).body.data.map((a: { id: string }) => a.id);

  it("delivers a signed alert once, however often it is raised", async () => {
    const { projectId, receiver, webhookId } = await setup();
    expect(await raise(projectId, "spike:1")).toBe(true);
    expect(await raise(projectId, "spike:1")).toBe(false);
    expect(await h.keysmith.dispatcher.runOnce()).toBe(1);
    expect(await h.keysmith.dispatcher.runOnce()).toBe(0);
    const [alertId] = await alertIds(projectId);

    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.accepted();
    expect(delivery?.verification.valid).toBe(true);
    expect(delivery?.id).toBe(alertId);
    expect(delivery?.headers["webhook-timestamp"]).toBe(String(Math.floor(h.clock.now() / 1000)));
    expect(delivery?.headers["content-type"]).toBe("application/json");
    expect(delivery?.body).toEqual({
      type: "key.anomaly",
      timestamp: new Date(h.clock.now()).toISOString(),
      data: { projectId, keyId: null, rate: 42 },
    });
    expect(await log(webhookId)).toEqual([
      {
        id: expect.stringMatching(/^dlv_/),
        alertId,
        eventType: "key.anomaly",
        status: "delivered",
        attempts: 1,
        responseStatus: 200,
        error: null,
        createdAt: new Date(h.clock.now()).toISOString(),
        lastAttemptAt: new Date(h.clock.now()).toISOString(),
        deliveredAt: new Date(h.clock.now()).toISOString(),
        nextAttemptAt: null,
      },
    ]);
  });

  it("sends only subscribed events of the endpoint's project", async () => {
    const { projectId, receiver } = await setup(["key.retry_storm"]);
    const other = (await h.project()).id;
    await raise(projectId, "sub:1", "key.anomaly");
    await raise(other, "sub:2", "key.retry_storm");
    await raise(projectId, "sub:3", "key.retry_storm");
    await h.keysmith.dispatcher.runOnce();
    expect(receiver.accepted().map((r) => r.body.type)).toEqual(["key.retry_storm"]);
    expect(receiver.accepted()[0]?.body.data.projectId).toBe(projectId);
  });

  it("retries a failing endpoint after the backoff and logs both attempts", async () => {
    const { projectId, receiver, webhookId } = await setup();
    receiver.respond(500);
    await raise(projectId, "retry:1");
    expect(await h.keysmith.dispatcher.runOnce()).toBe(1);
    const [failed] = await log(webhookId);
    expect(failed).toMatchObject({
      status: "pending",
      attempts: 1,
      responseStatus: 500,
      error: "http_status",
    });
    const due = Date.parse(failed.nextAttemptAt) - h.clock.now();
    expect(due).toBeGreaterThanOrEqual(5 * SECOND);
    expect(due).toBeLessThan(6 * SECOND);

    h.clock.advance(due - 1);
    expect(await h.keysmith.dispatcher.runOnce()).toBe(0);
    h.clock.advance(1);
    expect(await h.keysmith.dispatcher.runOnce()).toBe(1);
    expect(receiver.received.map((r) => r.status)).toEqual([500, 200]);
    // The same webhook-id on both attempts, each freshly signed.
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    expect(receiver.received.every((r) => r.verification.valid)).toBe(true);
    const pending = await h.api("GET", `/v1/webhooks/${webhookId}/deliveries?status=pending`);
    expect(pending.body).toEqual({ data: [], nextCursor: null });
    expect(await log(webhookId)).toEqual([
      expect.objectContaining({
        status: "delivered",
        attempts: 2,
        responseStatus: 200,
        error: null,
        lastAttemptAt: new Date(h.clock.now()).toISOString(),
        deliveredAt: new Date(h.clock.now()).toISOString(),
      }),
    ]);
  });

  it("records an unreachable endpoint and gives up after the last retry", async () => {
    const { projectId, webhookId } = await setup();
    const closed = await startReceiver(() => h.clock.now());
    await closed.close();
    const dead = await h.api("POST", "/v1/webhooks", { url: closed.url, events: ["key.anomaly"], projectId });
    cleanup.push(() => h.api("DELETE", `/v1/webhooks/${dead.body.id}`));
    await raise(projectId, "dead:1");
    for (let attempt = 1; attempt <= RETRY_SCHEDULE_MS.length + 1; attempt++) {
      await h.keysmith.dispatcher.runOnce();
      const [entry] = await log(dead.body.id);
      expect(entry.attempts).toBe(attempt);
      expect(entry.error).toBe("connection_failed");
      expect(entry.responseStatus).toBeNull();
      h.clock.advance(29 * HOUR); // past the longest delay with jitter
    }
    expect((await log(dead.body.id))[0]).toMatchObject({
      status: "failed",
      attempts: 9,
      nextAttemptAt: null,
    });
    expect(await h.keysmith.dispatcher.runOnce()).toBe(0);
    // The healthy endpoint got it the first time.
    expect((await log(webhookId))[0]).toMatchObject({ status: "delivered", attempts: 1 });
  });

  it("cancels pending deliveries when the endpoint is deleted", async () => {
    const { projectId, receiver, webhookId } = await setup();
    receiver.respond(503);
    await raise(projectId, "cancel:1");
    await h.keysmith.dispatcher.runOnce();
    await h.api("DELETE", `/v1/webhooks/${webhookId}`);
    expect((await log(webhookId))[0]).toMatchObject({
      status: "cancelled",
      attempts: 1,
      nextAttemptAt: null,
    });
    h.clock.advance(HOUR);
    expect(await h.keysmith.dispatcher.runOnce()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it("treats a slow endpoint as a failed attempt of class timeout", async () => {
    const projectId = (await h.project()).id;
    // An endpoint that never answers: the attempt is cut at the timeout.
    const silent = await startRawReceiver(() => {});
    cleanup.push(() => silent.close());
    const created = await h.api("POST", "/v1/webhooks", {
      url: silent.url,
      events: ["key.anomaly"],
      projectId,
    });
    cleanup.push(() => h.api("DELETE", `/v1/webhooks/${created.body.id}`));
    const stall = testDispatcher(h, { timeoutMs: 50 });
    await raise(projectId, "slow:1");
    expect(await stall.runOnce()).toBe(1);
    expect(silent.requests).toHaveLength(1);
    expect((await log(created.body.id))[0]).toMatchObject({
      status: "pending",
      attempts: 1,
      responseStatus: null,
      error: "timeout",
    });
  });

  it("never sends a delivery another node has claimed until its claim lapses", async () => {
    const { projectId, receiver } = await setup();
    for (let i = 0; i < 6; i++) await raise(projectId, `claim:${i}`);
    const second = testDispatcher(h, { batchSize: 4 });
    // Rounds of passes racing on two nodes (at most 4 per endpoint a pass) until none is left.
    let attempted = 0;
    for (let round = 0; round < 4; round++) {
      const counts = await Promise.all([h.keysmith.dispatcher.runOnce(), second.runOnce(), second.runOnce()]);
      attempted += counts.reduce((x, y) => x + y, 0);
    }
    expect(attempted).toBe(6);
    expect(receiver.received).toHaveLength(6);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(6);

    // A node that claimed a delivery and died: nobody sends it until the lease runs out.
    await raise(projectId, "claim:crashed");
    const crashed = await h.store.webhooks.claimDue({
      now: h.clock.now(),
      lease: h.clock.now() + 40 * SECOND,
      limit: 50,
      perEndpoint: 50,
      skipEndpoints: [],
    });
    expect(crashed).toHaveLength(1);
    expect(await h.keysmith.dispatcher.runOnce()).toBe(0);
    h.clock.advance(40 * SECOND);
    expect(await h.keysmith.dispatcher.runOnce()).toBe(1);
    expect(receiver.accepted()).toHaveLength(7);
  });

  it("starts sending when the app listens and sends right after an alert is raised", async () => {
    const { projectId, receiver } = await setup();
    const serving = await buildApp({
      store: h.store,
      clock: h.clock,
      logger: quietLogger(),
      webhookTargets: ALLOW_PRIVATE,
      webhookSecrets: h.webhookSecrets,
      webhookIntervalMs: 60_000,
    });
    try {
      await serving.app.listen({ host: "127.0.0.1", port: 0 });
      const arrived = receiver.next();
      await serving.alerts.raise({
        type: "key.anomaly",
        projectId,
        keyId: null,
        data: {},
        idempotencyKey: "live:1",
      });
      // No runOnce here: the raise nudges the running loop instead of waiting out the 60 s interval.
      expect((await arrived).verification.valid).toBe(true);
    } finally {
      await serving.close();
    }
    expect(receiver.accepted()).toHaveLength(1);
  });

  it("alerts on key revocation and rolls, without any plaintext", async () => {
    const { projectId, receiver } = await setup(["key.revoked", "key.rolled"]);
    const key = await h.key(projectId, { name: "ci" });
    const rolled = await h.api("POST", `/v1/keys/${key.id}/roll`, { gracePeriod: "1h" });
    await h.api("POST", `/v1/keys/${rolled.body.id}/revoke`);
    await h.api("POST", `/v1/keys/${rolled.body.id}/revoke`);
    await h.keysmith.alerts.drain();
    await h.keysmith.dispatcher.runOnce();
    const bodies = receiver.accepted().map((r) => r.body);
    expect(bodies.map((b) => b.type).sort()).toEqual(["key.revoked", "key.rolled"]);
    expect(bodies.find((b) => b.type === "key.rolled").data).toMatchObject({
      keyId: key.id,
      successorId: rolled.body.id,
      name: "ci",
      expiresAt: new Date(h.clock.now() + HOUR).toISOString(),
    });
    expect(bodies.find((b) => b.type === "key.revoked").data).toMatchObject({
      keyId: rolled.body.id,
      revokedAt: new Date(h.clock.now()).toISOString(),
    });
    const raw = receiver.received.map((r) => r.raw).join("\n");
    for (const plaintext of [key.key, rolled.body.key]) expect(raw).not.toContain(plaintext.slice(-20));
  });
});

describe.each(await testDialects())("webhook delivery across a restart on %s", (dialect) => {
  let receiver: TestReceiver;
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(dialect);
    receiver = await startReceiver(() => h.clock.now());
  });
  afterAll(() => receiver.close());

  it("delivers after a restart what was due before it, each alert exactly once", async () => {
    const projectId = (await h.project()).id;
    const created = await h.api("POST", "/v1/webhooks", {
      url: receiver.url,
      events: ["budget.threshold"],
      projectId,
    });
    receiver.secret = created.body.secret;
    const raise = (n: number) =>
      h.keysmith.alerts.raise({
        type: "budget.threshold",
        projectId,
        keyId: null,
        data: { threshold: n },
        idempotencyKey: `budget:${n}`,
      });
    // Alert 1 fails once before the restart; alert 2 is never attempted before it.
    receiver.respond(500);
    await raise(1);
    await h.keysmith.dispatcher.runOnce();
    await raise(2);
    await h.keysmith.close();
    await h.store.close();

    const store = await openStore(h.database.url);
    const restarted = await buildApp({
      store,
      clock: h.clock,
      logger: quietLogger(),
      webhookTargets: ALLOW_PRIVATE,
      webhookSecrets: h.webhookSecrets,
    });
    try {
      // Raising the same occurrence again after the restart is still a duplicate.
      expect(
        await restarted.alerts.raise({
          type: "budget.threshold",
          projectId,
          keyId: null,
          data: { threshold: 2 },
          idempotencyKey: "budget:2",
        }),
      ).toBe(false);
      expect(await restarted.dispatcher.runOnce()).toBe(1);
      h.clock.advance(6 * SECOND);
      expect(await restarted.dispatcher.runOnce()).toBe(1);
      h.clock.advance(48 * HOUR);
      expect(await restarted.dispatcher.runOnce()).toBe(0);
      const accepted = receiver.accepted().map((r) => r.body.data.threshold);
      expect(accepted.sort()).toEqual([1, 2]);
      expect(new Set(receiver.accepted().map((r) => r.id)).size).toBe(2);
    } finally {
      await restarted.close();
      await store.close();
      await h.database.drop();
    }
  });
});
