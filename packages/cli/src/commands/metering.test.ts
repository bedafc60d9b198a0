import type { Key, Project, VerifyResponse } from "@keysmith/sdk";
import { describe, expect, it } from "vitest";
import { expectUsageErrors, jsonOf, useProjectServer } from "../test-support/cli.js";

const server = useProjectServer();

async function getKey(id: string): Promise<Key> {
  return jsonOf<Key>(await server.cli(["keys", "get", id, "--json"]));
}

describe("keysmith keys create with metering", () => {
  it("sets rate limits, credits and a budget, and shows them", async () => {
    const result = await server.cli([
      "keys",
      "create",
      "--project",
      server.projectId,
      "--ratelimit",
      "burst=50/1s",
      "--ratelimit",
      "daily=10000/1d",
      "--credits",
      "1000",
      "--refill",
      "1000/month",
      "--budget",
      "500/day",
      "--soft-cap",
      "--thresholds",
      "0.5,0.8,1",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ratelimits:\s+burst=50\/1s,daily=10000\/1d$/m);
    expect(result.stdout).toMatch(/^credits:\s+1000 left, refilled to 1000 each month$/m);
    expect(result.stdout).toMatch(/^budget:\s+500 per day, alerts at 50%,80%,100%, soft cap$/m);

    const id = /^id:\s+(key_\S+)$/m.exec(result.stdout)?.[1] ?? "";
    expect(await getKey(id)).toMatchObject({
      ratelimits: [
        { name: "burst", limit: 50, duration: "1s" },
        { name: "daily", limit: 10000, duration: "1d" },
      ],
      credits: { remaining: 1000, refill: { amount: 1000, interval: "month" } },
      budget: { limit: 500, period: "day", thresholds: [0.5, 0.8, 1], hardCap: false },
    });
  });

  it("defaults the budget to a monthly hard cap at 80% and 100%; unset settings are null", async () => {
    const issued = await server.createKey("--budget", "25", "--meta", "null");
    expect(issued).toMatchObject({
      meta: null,
      budget: { limit: 25, period: "month", thresholds: [0.8, 1], hardCap: true },
      ratelimits: null,
      credits: null,
    });
  });

  it("answers bad metering values with a one-line usage error and exit 2, before any request", async () => {
    const cases: [string[], RegExp][] = [
      [["--ratelimit", "burst"], /option '--ratelimit <name=limit\/duration>' argument 'burst' is invalid/],
      [["--ratelimit", "burst=0/1s"], /argument 'burst=0\/1s' is invalid/],
      [["--ratelimit", "burst=5/500ms"], /a window lasts from 1s to 31d/],
      [["--ratelimit", "a=1/1s", "--ratelimit", "a=2/1m"], /the window name "a" is given twice/],
      [["--credits", "-1"], /option '--credits <n>' argument '-1' is invalid/],
      [["--credits", "5", "--refill", "5/week"], /option '--refill <amount\/interval>' argument '5\/week'/],
      [["--budget", "0"], /option '--budget <limit\[\/period\]>' argument '0' is invalid/],
      [["--budget", "10/year"], /argument '10\/year' is invalid/],
      [["--budget", "10", "--thresholds", "0.5,2"], /option '--thresholds <fractions>' argument '0.5,2'/],
      [["--refill", "100/day"], /^keysmith: --refill goes with --credits N/],
      [["--soft-cap"], /^keysmith: --soft-cap and --thresholds go with --budget/],
    ];
    // No server needed: every one fails before a request.
    await expectUsageErrors(cases, (flags) =>
      server.cli(["keys", "create", "--project", server.projectId, ...flags], {
        env: { KEYSMITH_URL: "http://127.0.0.1:1" },
      }),
    );
  });
});

describe("keysmith keys update", () => {
  it("changes only the fields given: enabled, credits, then the rest", async () => {
    const issued = await server.createKey("--owner", "cust_1", "--credits", "5", "--refill", "100/month");

    const disabled = await server.cli(["keys", "update", issued.id, "--disable"]);
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toMatch(new RegExp(`^Updated key ${issued.id}\\.`));
    expect(disabled.stdout).toMatch(/^status:\s+disabled$/m);
    const verifyDisabled = await server.cli(["keys", "verify"], { stdin: issued.key });
    expect(verifyDisabled.code).toBe(1);
    expect(verifyDisabled.stdout).toMatch(/code:\s+DISABLED/);

    // --credits without --refill keeps the key's refill.
    const enabled = await server.cli(["keys", "update", issued.id, "--enable", "--credits", "10", "--json"]);
    expect(enabled.code).toBe(0);
    expect(JSON.parse(enabled.stdout) as Key).toMatchObject({
      enabled: true,
      status: "active",
      ownerId: "cust_1",
      credits: { remaining: 10, refill: { amount: 100, interval: "month" } },
    });
    const verified = await server.cli(["keys", "verify", "--json"], { stdin: issued.key });
    expect(verified.code).toBe(0);
    expect((JSON.parse(verified.stdout) as VerifyResponse).credits).toEqual({ remaining: 9 });

    const rest = await server.cli([
      "keys",
      "update",
      issued.id,
      "--name",
      "renamed",
      "--scopes",
      "invoices:read",
      "--meta",
      '{"plan":"team"}',
      "--expires-at",
      "2031-01-01",
      "--ratelimit",
      "minute=60/1m",
      "--credits",
      "3",
      "--refill",
      "none",
      "--budget",
      "9/day",
      "--json",
    ]);
    expect(rest.stderr).toBe("");
    expect(JSON.parse(rest.stdout) as Key).toMatchObject({
      name: "renamed",
      ownerId: "cust_1",
      scopes: ["invoices:read"],
      meta: { plan: "team" },
      expiresAt: "2031-01-01T00:00:00.000Z",
      ratelimits: [{ name: "minute", limit: 60, duration: "1m" }],
      credits: { remaining: 3, refill: null },
      budget: { limit: 9, period: "day", hardCap: true },
    });

    const cleared = await server.cli([
      "keys",
      "update",
      issued.id,
      "--clear-expiry",
      "--clear-ratelimits",
      "--clear-credits",
      "--clear-budget",
      "--meta",
      "null",
      "--json",
    ]);
    expect(JSON.parse(cleared.stdout) as Key).toMatchObject({
      name: "renamed",
      meta: null,
      expiresAt: null,
      ratelimits: null,
      credits: null,
      budget: null,
    });
  });

  it("sets the expiry from now with --expires-in", async () => {
    const issued = await server.createKey();
    const now = Date.UTC(2030, 5, 1);
    const result = await server.cli(["keys", "update", issued.id, "--expires-in", "7d", "--json"], {
      now: () => now,
    });
    expect((JSON.parse(result.stdout) as Key).expiresAt).toBe(new Date(now + 7 * 86_400_000).toISOString());
  });

  it("refuses an empty update and conflicting flags with exit 2", async () => {
    const issued = await server.createKey();
    const cases: [string[], RegExp][] = [
      [[], /^keysmith: nothing to update/],
      [["--enable", "--disable"], /option '--disable' cannot be used with option '--enable'/],
      [["--clear-expiry", "--expires-in", "1d"], /cannot be used with/],
      [["--clear-budget", "--budget", "5"], /option '--clear-budget' cannot be used with option '--budget/],
      [
        ["--clear-credits", "--credits", "5"],
        /option '--clear-credits' cannot be used with option '--credits/,
      ],
      [["--refill", "5/day"], /^keysmith: --refill goes with --credits N/],
      [
        ["--ratelimit", "x=1/1y"],
        /option '--ratelimit <name=limit\/duration>' argument 'x=1\/1y' is invalid/,
      ],
    ];
    await expectUsageErrors(cases, (flags) => server.cli(["keys", "update", issued.id, ...flags]));
    const missing = await server.cli(["keys", "update", `key_${"0".repeat(22)}`, "--name", "x"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\(KEY_NOT_FOUND, request req_[0-9A-Za-z]+\)\n$/);
  });
});

describe("keysmith projects with metering", () => {
  it("creates a project with settings and updates only the fields given", async () => {
    const created = await server.cli([
      "projects",
      "create",
      "--name",
      "Metered",
      "--prefix",
      "meter",
      "--default-ratelimit",
      "burst=10/1s",
      "--cost",
      "reports:generate=5",
      "--cost",
      "*=1",
      "--budget",
      "100/day",
      "--anomaly-policy",
      "disable",
    ]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^default ratelimits:\s+burst=10\/1s$/m);
    expect(created.stdout).toMatch(/^cost table:\s+reports:generate=5,\*=1$/m);
    expect(created.stdout).toMatch(/^budget:\s+100 per day, alerts at 80%,100%, hard cap$/m);
    expect(created.stdout).toMatch(/^anomaly policy:\s+disable$/m);
    const id = /^Created project (proj_\S+)\./.exec(created.stdout)?.[1] ?? "";

    const renamed = await server.cli(["projects", "update", id, "--name", "Metered API", "--json"]);
    expect(renamed.code).toBe(0);
    expect(JSON.parse(renamed.stdout) as Project).toMatchObject({
      name: "Metered API",
      prefix: "meter",
      defaultRatelimits: [{ name: "burst", limit: 10, duration: "1s" }],
      costTable: { "reports:generate": 5, "*": 1 },
      budget: { limit: 100, period: "day", hardCap: true },
      anomalyPolicy: "disable",
    });

    const changed = await server.cli([
      "projects",
      "update",
      id,
      "--publishable-scopes",
      "catalog:read",
      "--default-ratelimit",
      "minute=600/1m",
      "--default-ratelimit",
      "daily=10000/1d",
      "--budget",
      "50",
      "--soft-cap",
      "--thresholds",
      "0.9",
      "--anomaly-policy",
      "alert",
      "--clear-cost-table",
    ]);
    expect(changed.stderr).toBe("");
    expect(changed.stdout).toMatch(new RegExp(`^Updated project ${id}\\.`));
    expect(changed.stdout).toMatch(/^default ratelimits:\s+minute=600\/1m,daily=10000\/1d$/m);
    expect(changed.stdout).toMatch(/^cost table:\s+-$/m);
    expect(changed.stdout).toMatch(/^budget:\s+50 per month, alerts at 90%, soft cap$/m);
    expect(changed.stdout).toMatch(/^anomaly policy:\s+alert$/m);
    expect(changed.stdout).toMatch(/^publishable scopes:\s+catalog:read$/m);

    const cleared = await server.cli([
      "projects",
      "update",
      id,
      "--clear-budget",
      "--clear-default-ratelimits",
      "--json",
    ]);
    expect(JSON.parse(cleared.stdout) as Project).toMatchObject({ budget: null, defaultRatelimits: null });
  });

  it("answers bad project flags with exit 2 on one line", async () => {
    const cases: [string[], RegExp][] = [
      [["projects", "update", server.projectId], /^keysmith: nothing to update/],
      [
        ["projects", "update", server.projectId, "--cost", "free"],
        /option '--cost <scope=price>' argument 'free'/,
      ],
      [
        ["projects", "update", server.projectId, "--cost", "a=1", "--cost", "a=2"],
        /the scope "a" is priced twice/,
      ],
      [
        ["projects", "update", server.projectId, "--anomaly-policy", "kill"],
        /Allowed choices are alert, disable/,
      ],
      [["projects", "update", server.projectId, "--thresholds", "0.5"], /--thresholds go with --budget/],
      [["projects", "create", "--name", "X", "--prefix", "xx", "--default-ratelimit", "1/1s"], /is invalid/],
    ];
    await expectUsageErrors(cases, (argv) => server.cli(argv));
  });
});
