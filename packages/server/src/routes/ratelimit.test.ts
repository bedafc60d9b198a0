import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

describe("standalone rate limits (POST /v1/ratelimit, /v1/ratelimit/overrides)", () => {
  let h: Harness;
  let n = 0;
  const ns = () => `ns${++n}`;
  const check = (body: Record<string, unknown>, key?: string) =>
    h.api("POST", "/v1/ratelimit", body, key === undefined ? {} : { key });

  beforeAll(async () => {
    h = await createHarness("sqlite");
  });
  afterAll(() => h.close());

  it("admits `limit` calls per window, then answers success false with 200, never 429", async () => {
    const namespace = ns();
    const results = [];
    for (let i = 0; i < 4; i++)
      results.push(await check({ namespace, identifier: "1.2.3.4", limit: 3, duration: "1m" }));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(results.map((r) => r.body.success)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.body.remaining)).toEqual([2, 1, 0, 0]);
    const now = h.clock.now();
    const end = now - (now % 60_000) + 60_000;
    for (const r of results)
      expect(r.body).toEqual({
        success: r.body.success,
        limit: 3,
        remaining: r.body.remaining,
        reset: new Date(end).toISOString(),
      });
    // Another identifier, and the same identifier in another namespace, count on their own.
    expect((await check({ namespace, identifier: "5.6.7.8", limit: 3, duration: "1m" })).body.success).toBe(
      true,
    );
    expect(
      (await check({ namespace: ns(), identifier: "1.2.3.4", limit: 3, duration: "1m" })).body.success,
    ).toBe(true);
    // The next window starts afresh.
    h.clock.advance(60_000);
    expect((await check({ namespace, identifier: "1.2.3.4", limit: 3, duration: "1m" })).body).toMatchObject({
      success: true,
      remaining: 2,
    });
  });

  it("takes `cost` from the window; cost 0 reads without taking; milliseconds work as a duration", async () => {
    const namespace = ns();
    const base = { namespace, identifier: "u1", limit: 10, duration: 1000 };
    expect((await check({ ...base, cost: 7 })).body).toMatchObject({ success: true, remaining: 3 });
    expect((await check({ ...base, cost: 4 })).body).toMatchObject({ success: false, remaining: 3 });
    expect((await check({ ...base, cost: 0 })).body).toMatchObject({ success: true, remaining: 3 });
    expect((await check({ ...base, cost: 3 })).body).toMatchObject({ success: true, remaining: 0 });
  });

  it.each([
    ["limit 0", { limit: 0 }, "VALIDATION_ERROR"],
    ["a negative limit", { limit: -1 }, "VALIDATION_ERROR"],
    ["a fractional limit", { limit: 1.5 }, "VALIDATION_ERROR"],
    ["a limit as a string", { limit: "3" }, "VALIDATION_ERROR"],
    ["a missing identifier", { identifier: undefined }, "VALIDATION_ERROR"],
    ["an empty identifier", { identifier: "" }, "VALIDATION_ERROR"],
    ["an identifier of 257 characters", { identifier: "x".repeat(257) }, "VALIDATION_ERROR"],
    ["an identifier with a NUL", { identifier: "a\u0000b" }, "VALIDATION_ERROR"],
    ["an identifier as a number", { identifier: 42 }, "VALIDATION_ERROR"],
    ["a namespace with a colon", { namespace: "a:b" }, "VALIDATION_ERROR"],
    ["a namespace of 65 characters", { namespace: "n".repeat(65) }, "VALIDATION_ERROR"],
    ["a negative cost", { cost: -1 }, "VALIDATION_ERROR"],
    ["an unknown field", { extra: true }, "VALIDATION_ERROR"],
    ["a duration that does not parse", { duration: "soon" }, "INVALID_DURATION"],
    ["a duration under a second", { duration: "500ms" }, "INVALID_DURATION"],
    ["a duration of 0", { duration: 0 }, "INVALID_DURATION"],
    ["a duration over 31 days", { duration: "32d" }, "INVALID_DURATION"],
    ["a duration over 10 years", { duration: "9999999999d" }, "INVALID_DURATION"],
  ])("refuses %s with 400 %s", async (_name, change, code) => {
    const body = { namespace: "bad", identifier: "x", limit: 3, duration: "1m", ...change };
    const res = await check(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it("applies the most specific override: exact over wildcard, a longer prefix over a shorter one", async () => {
    const namespace = ns();
    const put = (identifier: string, limit: number, duration: string | number = "1m") =>
      h.api("PUT", "/v1/ratelimit/overrides", { namespace, identifier, limit, duration });
    expect((await put("*", 1)).status).toBe(200);
    expect((await put("user_*", 2)).status).toBe(200);
    expect((await put("user_vip_*", 5, "1h")).status).toBe(200);
    const exact = await put("user_vip_42", 7);
    expect(exact.status).toBe(200);
    expect(exact.body).toMatchObject({ namespace, identifier: "user_vip_42", limit: 7, duration: "1m" });
    const applied = async (identifier: string) =>
      (await check({ namespace, identifier, limit: 100, duration: "1s" })).body.limit;
    expect(await applied("user_vip_42")).toBe(7);
    expect(await applied("user_vip_43")).toBe(5);
    expect(await applied("user_1")).toBe(2);
    expect(await applied("anyone")).toBe(1);
    // The override's window applies too: an hour.
    const now = h.clock.now();
    expect(
      (await check({ namespace, identifier: "user_vip_9", limit: 100, duration: "1s" })).body.reset,
    ).toBe(new Date(now - (now % 3_600_000) + 3_600_000).toISOString());
    // Another namespace is untouched.
    expect(
      (await check({ namespace: ns(), identifier: "user_1", limit: 100, duration: "1s" })).body.limit,
    ).toBe(100);

    const list = await h.api("GET", `/v1/ratelimit/overrides?namespace=${namespace}&limit=3`);
    expect(list.status).toBe(200);
    expect(list.body.data.map((o: { identifier: string }) => o.identifier)).toEqual([
      "*",
      "user_*",
      "user_vip_*",
    ]);
    const rest = await h.api(
      "GET",
      `/v1/ratelimit/overrides?namespace=${namespace}&cursor=${list.body.nextCursor}`,
    );
    expect(rest.body).toMatchObject({ data: [{ identifier: "user_vip_42", limit: 7 }], nextCursor: null });

    // Replacing keeps one override; deleting (by query, then by body) falls back to the next one.
    expect((await put("user_vip_42", 8)).body.limit).toBe(8);
    expect(await applied("user_vip_42")).toBe(8);
    const byQuery = await h.api(
      "DELETE",
      `/v1/ratelimit/overrides?namespace=${namespace}&identifier=user_vip_42`,
    );
    expect(byQuery.status).toBe(200);
    expect(byQuery.body).toMatchObject({ identifier: "user_vip_42", limit: 8 });
    expect(await applied("user_vip_42")).toBe(5);
    const byBody = await h.api("DELETE", "/v1/ratelimit/overrides", { namespace, identifier: "user_vip_*" });
    expect(byBody.status).toBe(200);
    expect(await applied("user_vip_42")).toBe(2);
    const again = await h.api("DELETE", "/v1/ratelimit/overrides", { namespace, identifier: "user_vip_*" });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("RATELIMIT_OVERRIDE_NOT_FOUND");

    const audit = await h.api("GET", "/v1/audit?limit=20");
    const actions = audit.body.data.map((e: { action: string }) => e.action);
    expect(actions.filter((a: string) => a === "ratelimit.override_set")).toHaveLength(5);
    expect(actions.filter((a: string) => a === "ratelimit.override_delete")).toHaveLength(2);
  });

  it("refuses bad overrides with 400 and changes nothing", async () => {
    const namespace = ns();
    const cases: [Record<string, unknown>, string][] = [
      [{ identifier: "a*b", limit: 1, duration: "1m" }, "VALIDATION_ERROR"],
      [{ identifier: "a", limit: 0, duration: "1m" }, "VALIDATION_ERROR"],
      [{ identifier: "a", limit: 1, duration: "100d" }, "INVALID_DURATION"],
      [{ identifier: "a", limit: 1 }, "VALIDATION_ERROR"],
    ];
    for (const [body, code] of cases) {
      const res = await h.api("PUT", "/v1/ratelimit/overrides", { namespace, ...body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
    }
    expect((await h.api("GET", `/v1/ratelimit/overrides?namespace=${namespace}`)).body.data).toEqual([]);
    expect((await h.api("GET", "/v1/ratelimit/overrides")).status).toBe(400);
    expect((await h.api("DELETE", `/v1/ratelimit/overrides?namespace=${namespace}`)).status).toBe(400);
    expect((await h.api("GET", `/v1/ratelimit/overrides?namespace=${namespace}&cursor=%%%`)).status).toBe(
      400,
    );
  });

  it("needs ratelimit:write; a project-bound root key checks limits but does not manage overrides", async () => {
    const project = await h.project();
    const bound = (
      await h.api("POST", "/v1/root-keys", { projectId: project.id, scopes: ["ratelimit:write"] })
    ).body.key;
    const lacking = (await h.api("POST", "/v1/root-keys", { scopes: ["keys:verify"] })).body.key;
    const body = { namespace: ns(), identifier: "x", limit: 1, duration: "1s" };
    expect((await check(body, lacking)).status).toBe(403);
    expect((await check(body, bound)).status).toBe(200);
    const put = await h.api("PUT", "/v1/ratelimit/overrides", { ...body, limit: 5 }, { key: bound });
    expect(put.status).toBe(403);
    expect((await h.api("GET", `/v1/ratelimit/overrides?namespace=${body.namespace}`)).body.data).toEqual([]);
  });
});
