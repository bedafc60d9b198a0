import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { createHarness, useHarness, useProject } from "../test-support/harness.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe.each(await testDialects())("metering through POST /v1/keys/verify on %s", (dialect) => {
  const h = useHarness(dialect);
  const project = useProject(h);

  /** Moves the clock to the start of the next whole minute, so windows begin where a test starts. */
  const alignToMinute = () => h.clock.set(h.clock.now() - (h.clock.now() % MINUTE) + MINUTE);

  it("limits each named window and resets exactly at its edge", async () => {
    alignToMinute();
    const { key } = await h.key(project.id, {
      ratelimits: [
        { name: "burst", limit: 3, duration: "1s" },
        { name: "minute", limit: 5, duration: "1m" },
      ],
    });
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) codes.push((await h.verify({ key })).body.code);
    expect(codes).toEqual(["VALID", "VALID", "VALID", "RATE_LIMITED"]);
    const limited = await h.verify({ key });
    expect(limited.body.ratelimits).toEqual([
      { name: "burst", limit: 3, remaining: 0, reset: new Date(h.clock.now() + SECOND).toISOString() },
      { name: "minute", limit: 5, remaining: 2, reset: new Date(h.clock.now() + MINUTE).toISOString() },
    ]);
    expect(limited.headers["retry-after"]).toBe("1");
    expect(limited.headers["ratelimit-policy"]).toBe('"burst";q=3;w=1, "minute";q=5;w=60');
    expect(limited.headers.ratelimit).toBe('"burst";r=0;t=1');

    h.clock.advance(SECOND - 1);
    expect((await h.verify({ key })).body.code).toBe("RATE_LIMITED");
    h.clock.advance(1); // the burst window's edge
    expect((await h.verify({ key })).body.code).toBe("VALID");
    expect((await h.verify({ key })).body.code).toBe("VALID");
    // The minute window (5) is now spent although the burst window has room.
    const minuteBlocked = await h.verify({ key });
    expect(minuteBlocked.body.code).toBe("RATE_LIMITED");
    expect(minuteBlocked.body.ratelimits.map((w: { remaining: number }) => w.remaining)).toEqual([1, 0]);
    h.clock.advance(MINUTE);
    expect((await h.verify({ key })).body.code).toBe("VALID");
  });

  it("applies the project's default windows to keys that set none", async () => {
    alignToMinute();
    const project = await h.project({ defaultRatelimits: [{ name: "default", limit: 2, duration: "1m" }] });
    const plain = await h.key(project.id);
    const own = await h.key(project.id, { ratelimits: [{ name: "own", limit: 3, duration: "1m" }] });
    const run = async (key: string, n: number) => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((await h.verify({ key })).body.code);
      return out;
    };
    expect(await run(plain.key, 3)).toEqual(["VALID", "VALID", "RATE_LIMITED"]);
    expect(await run(own.key, 4)).toEqual(["VALID", "VALID", "VALID", "RATE_LIMITED"]);
  });

  it("consumes nothing for a call that fails an earlier check", async () => {
    alignToMinute();
    const created = await h.key(project.id, {
      scopes: ["a:read"],
      ratelimits: [{ name: "m", limit: 2, duration: "1m" }],
      credits: { remaining: 2 },
      budget: { limit: 2 },
    });
    for (let i = 0; i < 5; i++)
      expect((await h.verify({ key: created.key, scopes: ["b:write"] })).body.code).toBe(
        "INSUFFICIENT_SCOPE",
      );
    const ok = await h.verify({ key: created.key, scopes: ["a:read"] });
    expect(ok.body).toMatchObject({
      code: "VALID",
      credits: { remaining: 1 },
      budget: { spent: 1, limit: 2 },
    });
    expect(ok.body.ratelimits[0].remaining).toBe(1);
  });

  it("takes credits by cost, answers USAGE_EXCEEDED without taking any, and refills each period", async () => {
    h.clock.set(Date.UTC(2026, 6, 1, 10));
    const created = await h.key(project.id, {
      credits: { remaining: 10, refill: { amount: 10, interval: "day" } },
    });
    expect((await h.verify({ key: created.key, cost: 4 })).body.credits).toEqual({ remaining: 6 });
    expect((await h.verify({ key: created.key, cost: 6 })).body.credits).toEqual({ remaining: 0 });
    const empty = await h.verify({ key: created.key });
    expect(empty.body).toMatchObject({ valid: false, code: "USAGE_EXCEEDED", credits: { remaining: 0 } });
    h.clock.set(Date.UTC(2026, 6, 2, 0, 0, 0));
    expect((await h.verify({ key: created.key })).body).toMatchObject({
      code: "VALID",
      credits: { remaining: 9 },
    });
    const shown = await h.api("GET", `/v1/keys/${created.id}`);
    expect(shown.body.credits).toEqual({ remaining: 9, refill: { amount: 10, interval: "day" } });
  });

  it("never overspends credits: 200 parallel verifications against 100 credits give exactly 100 VALID", async () => {
    const created = await h.key(project.id, { credits: { remaining: 100 } });
    const results = await Promise.all(Array.from({ length: 200 }, () => h.verify({ key: created.key })));
    const codes = results.map((r) => r.body.code);
    expect(codes.filter((c) => c === "VALID")).toHaveLength(100);
    expect(codes.filter((c) => c === "USAGE_EXCEEDED")).toHaveLength(100);
    expect((await h.api("GET", `/v1/keys/${created.id}`)).body.credits.remaining).toBe(0);
  });

  it("lets PATCH reset the balance", async () => {
    const created = await h.key(project.id, { credits: { remaining: 1 } });
    await h.verify({ key: created.key });
    expect((await h.verify({ key: created.key })).body.code).toBe("USAGE_EXCEEDED");
    await h.api("PATCH", `/v1/keys/${created.id}`, { credits: { remaining: 5 } });
    expect((await h.verify({ key: created.key })).body).toMatchObject({
      code: "VALID",
      credits: { remaining: 4 },
    });
    await h.api("PATCH", `/v1/keys/${created.id}`, { credits: null });
    expect((await h.verify({ key: created.key })).body).toMatchObject({ code: "VALID", credits: null });
  });

  it("sets, increments and decrements credits atomically, audited, and a decrement stops at 0", async () => {
    const created = await h.key(project.id, { credits: { remaining: 10 } });
    const op = (body: object) => h.api("POST", `/v1/keys/${created.id}/credits`, body);
    expect((await op({ op: "decrement", amount: 3 })).body).toEqual({ remaining: 7 });
    expect((await op({ op: "increment", amount: 5 })).body).toEqual({ remaining: 12 });
    expect((await h.verify({ key: created.key, cost: 2 })).body.credits).toEqual({ remaining: 10 });
    expect((await op({ op: "decrement", amount: 50 })).body).toEqual({ remaining: 0 });
    expect((await h.verify({ key: created.key })).body.code).toBe("USAGE_EXCEEDED");
    expect((await op({ op: "set", amount: 4 })).body).toEqual({ remaining: 4 });
    // Concurrent verifications and increments: every credit is accounted for.
    const results = await Promise.all([
      ...Array.from({ length: 20 }, () => h.verify({ key: created.key })),
      ...Array.from({ length: 6 }, () => op({ op: "increment", amount: 1 })),
    ]);
    const valid = results.filter((r) => r.body.code === "VALID").length;
    expect(valid).toBeGreaterThanOrEqual(4);
    expect((await h.api("GET", `/v1/keys/${created.id}`)).body.credits.remaining).toBe(4 + 6 - valid);
    const audit = await h.api("GET", `/v1/audit?action=key.credits&targetId=${created.id}`);
    expect(audit.body.data.map((e: { details: { op: string } }) => e.details.op)).toContain("set");
  });

  it("gives an unlimited key a limit with set, which cached verifications honour at once", async () => {
    const created = await h.key(project.id);
    expect((await h.verify({ key: created.key })).body.credits).toBeNull();
    const increment = await h.api("POST", `/v1/keys/${created.id}/credits`, { op: "increment", amount: 1 });
    expect(increment.status).toBe(409);
    expect(increment.body.error.code).toBe("NO_CREDIT_LIMIT");
    await h.api("POST", `/v1/keys/${created.id}/credits`, { op: "set", amount: 1 });
    expect((await h.verify({ key: created.key })).body).toMatchObject({
      code: "VALID",
      credits: { remaining: 0 },
    });
    expect((await h.verify({ key: created.key })).body.code).toBe("USAGE_EXCEEDED");
  });

  it("refuses a malformed credits operation without changing the balance", async () => {
    const created = await h.key(project.id, { credits: { remaining: 3 } });
    for (const body of [
      { op: "multiply", amount: 2 },
      { op: "set", amount: -1 },
      { op: "set" },
      { op: "set", amount: "2" },
    ]) {
      const res = await h.api("POST", `/v1/keys/${created.id}/credits`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
    }
    expect((await h.api("GET", `/v1/keys/${created.id}`)).body.credits.remaining).toBe(3);
  });

  it("splits usage by the tags a verification carried", async () => {
    h.clock.set(Date.UTC(2026, 8, 1, 10, 0, 30));
    const created = await h.key(project.id, { scopes: ["a:read"] });
    await h.verify({ key: created.key, tags: ["beta", "eu"] });
    await h.verify({ key: created.key, tags: ["beta", "beta"] });
    await h.verify({ key: created.key });
    await h.verify({ key: created.key, tags: ["eu"], scopes: ["nope:read"] });
    const range = `granularity=day&from=2026-09-01T00:00:00.000Z&to=2026-09-02T00:00:00.000Z`;
    const usageOf = async (query: string) =>
      (await h.api("GET", `/v1/keys/${created.id}/usage?${range}${query}`)).body.data[0].outcomes;
    expect(await usageOf("")).toMatchObject({ VALID: 3, INSUFFICIENT_SCOPE: 1 });
    expect(await usageOf("&tag=beta")).toMatchObject({ VALID: 2, INSUFFICIENT_SCOPE: 0 });
    expect(await usageOf("&tag=eu")).toMatchObject({ VALID: 1, INSUFFICIENT_SCOPE: 1 });
    const projectUsage = await h.api("GET", `/v1/usage?projectId=${project.id}&tag=beta&${range}`);
    expect(projectUsage.body.data[0].outcomes.VALID).toBe(2);
    for (const tags of [Array.from({ length: 11 }, (_, i) => `t${i}`), ["x".repeat(65)], [""], "beta"]) {
      const bad = await h.verify({ key: created.key, tags });
      expect(bad.status).toBe(400);
    }
    expect((await h.api("GET", `/v1/usage?tag=${"x".repeat(65)}`)).status).toBe(400);
  });

  it("answers BUDGET_EXCEEDED past a hard cap and only counts past a soft one", async () => {
    h.clock.set(Date.UTC(2026, 7, 10));
    const hard = await h.key(project.id, { budget: { limit: 10, period: "month", hardCap: true } });
    expect((await h.verify({ key: hard.key, cost: 6 })).body.budget).toEqual({
      spent: 6,
      limit: 10,
      period: "month",
      resetAt: "2026-09-01T00:00:00.000Z",
    });
    expect((await h.verify({ key: hard.key, cost: 4 })).body.code).toBe("VALID");
    const over = await h.verify({ key: hard.key, cost: 1 });
    expect(over.body).toMatchObject({ valid: false, code: "BUDGET_EXCEEDED", budget: { spent: 10 } });

    const soft = await h.key(project.id, { budget: { limit: 10, hardCap: false } });
    await h.verify({ key: soft.key, cost: 10 });
    expect((await h.verify({ key: soft.key, cost: 5 })).body).toMatchObject({
      code: "VALID",
      budget: { spent: 15 },
    });

    h.clock.set(Date.UTC(2026, 8, 1));
    expect((await h.verify({ key: hard.key, cost: 1 })).body).toMatchObject({
      code: "VALID",
      budget: { spent: 1 },
    });
  });

  it("prices calls by the project's cost table and caps the project's budget across its keys", async () => {
    h.clock.set(Date.UTC(2026, 9, 5));
    const project = await h.project({
      costTable: { "reports:generate": 5, "*": 1 },
      budget: { limit: 12, period: "day" },
    });
    const a = await h.key(project.id);
    const b = await h.key(project.id);
    expect((await h.verify({ key: a.key, scopes: ["reports:generate"] })).body.budget.spent).toBe(5);
    expect((await h.verify({ key: b.key, scopes: ["reports:generate"] })).body.budget.spent).toBe(10);
    expect((await h.verify({ key: a.key, scopes: ["other:read"] })).body.budget.spent).toBe(11);
    expect((await h.verify({ key: b.key, scopes: ["reports:generate"] })).body.code).toBe("BUDGET_EXCEEDED");
    expect((await h.verify({ key: b.key, cost: 1 })).body.code).toBe("VALID");
  });

  it("keeps spend across a flush and a reload", async () => {
    h.clock.set(Date.UTC(2026, 10, 3));
    const created = await h.key(project.id, { budget: { limit: 100, period: "day" } });
    await h.verify({ key: created.key, cost: 30 });
    await h.keysmith.flushMetering();
    const row = await h.store.usage.getSpend(`key:${created.id}`, Date.UTC(2026, 10, 3));
    expect(row).toBe(30);
  });
});

describe.each(await testDialects())("usage series on %s", (dialect) => {
  const h = useHarness(dialect);

  it("counts every outcome per minute and sums hours, with spend", async () => {
    const start = Date.UTC(2026, 2, 3, 9, 0);
    h.clock.set(start);
    const project = await h.project();
    const created = await h.key(project.id, { scopes: ["a:read"], ownerId: "cus_9" });
    await h.verify({ key: created.key, cost: 2 });
    await h.verify({ key: created.key, scopes: ["b:read"] });
    h.clock.advance(MINUTE);
    await h.verify({ key: created.key });
    await h.api("PATCH", `/v1/keys/${created.id}`, { enabled: false });
    await h.verify({ key: created.key });
    h.clock.advance(MINUTE);

    const from = new Date(start).toISOString();
    const to = new Date(start + 3 * MINUTE).toISOString();
    const minutes = await h.api(
      "GET",
      `/v1/keys/${created.id}/usage?granularity=minute&from=${from}&to=${to}`,
    );
    expect(minutes.status).toBe(200);
    expect(minutes.body.granularity).toBe("minute");
    expect(minutes.body.data).toHaveLength(3);
    expect(minutes.body.data[0]).toMatchObject({
      start: from,
      outcomes: { VALID: 1, INSUFFICIENT_SCOPE: 1, DISABLED: 0 },
      spend: 2,
    });
    expect(minutes.body.data[1].outcomes).toMatchObject({ VALID: 1, DISABLED: 1 });
    expect(minutes.body.data[2].outcomes.VALID).toBe(0);

    const hours = await h.api(
      "GET",
      `/v1/usage?projectId=${project.id}&granularity=hour&from=${from}&to=${to}`,
    );
    expect(hours.body.data).toHaveLength(1);
    expect(hours.body.data[0]).toMatchObject({
      outcomes: { VALID: 2, INSUFFICIENT_SCOPE: 1, DISABLED: 1 },
      spend: 3,
    });
    const byOwner = await h.api("GET", `/v1/usage?ownerId=cus_9&granularity=day&from=${from}&to=${to}`);
    expect(byOwner.body.data[0].outcomes.VALID).toBe(2);
    const nobody = await h.api("GET", `/v1/usage?ownerId=nobody&granularity=day&from=${from}&to=${to}`);
    expect(nobody.body.data[0].outcomes.VALID).toBe(0);
  });

  it("refuses ranges of more than 2,000 buckets and needs usage:read", async () => {
    const res = await h.api(
      "GET",
      "/v1/usage?granularity=minute&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z",
    );
    // Every value is well-formed; together they ask for too many buckets (docs/errors.md: 422).
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "UNPROCESSABLE", details: { field: "from" } });
    const noUsage = (await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] })).body.key;
    expect((await h.api("GET", "/v1/usage", undefined, { key: noUsage })).status).toBe(403);
  });
});

describe.each(await testDialects())("budget alerts end to end on %s", (dialect) => {
  it("fires 80% and 100% once each, delivers them signed, and not again after a restart", async () => {
    const { startReceiver } = await import("../webhooks/test-receiver.js");
    const h = await createHarness(dialect);
    const receiver = await startReceiver(() => h.clock.now());
    try {
      h.clock.set(Date.UTC(2026, 3, 10));
      const project = await h.project();
      const hook = await h.api("POST", "/v1/webhooks", {
        url: receiver.url,
        events: ["budget.threshold", "budget.exhausted"],
        projectId: project.id,
      });
      expect(hook.status).toBe(201);
      receiver.secret = hook.body.secret;
      const created = await h.key(project.id, { budget: { limit: 10, period: "month", hardCap: true } });
      for (let i = 0; i < 12; i++) await h.verify({ key: created.key });
      await h.keysmith.alerts.drain();
      await h.keysmith.flushMetering();

      const listed = await h.api("GET", `/v1/alerts?keyId=${created.id}`);
      const types = listed.body.data.map(
        (a: { type: string; data: { threshold: number } }) => `${a.type}@${a.data.threshold}`,
      );
      expect(types.sort()).toEqual(["budget.exhausted@1", "budget.threshold@0.8", "budget.threshold@1"]);

      await h.keysmith.dispatcher.runOnce();
      const accepted = receiver.accepted();
      expect(accepted).toHaveLength(3);
      expect(new Set(accepted.map((d) => d.id)).size).toBe(3);
      expect(accepted.every((d) => d.verification.valid)).toBe(true);
      const exhausted = accepted.find((d) => d.body.type === "budget.exhausted");
      expect(exhausted?.body.data).toMatchObject({
        keyId: created.id,
        projectId: project.id,
        spent: 10,
        limit: 10,
      });

      // A fresh app on the same database reloads the spend and does not fire again.
      await h.keysmith.close();
      const { buildApp } = await import("../app.js");
      const { createLogger } = await import("../logger.js");
      const again = await buildApp({ store: h.store, clock: h.clock, logger: createLogger("silent") });
      const res = await again.app.inject({
        method: "POST",
        url: "/v1/keys/verify",
        headers: { authorization: `Bearer ${h.rootKey}` },
        payload: { key: created.key },
      });
      expect(res.json()).toMatchObject({ code: "BUDGET_EXCEEDED", budget: { spent: 10 } });
      await again.alerts.drain();
      await again.dispatcher.runOnce();
      expect(receiver.accepted()).toHaveLength(3);
      h.keysmith = again;
    } finally {
      await receiver.close();
      await h.close();
    }
  });
});
