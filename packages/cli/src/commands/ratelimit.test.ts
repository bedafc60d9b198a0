import type { Page, RateLimitCheckResult, RateLimitOverride } from "@keysmith/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, startTestServer, type TestServer } from "../test-support/cli.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

const check = (...extra: string[]) =>
  server.cli(["ratelimit", "check", "--namespace", "login", "--limit", "2", "--duration", "1h", ...extra]);

describe("keysmith ratelimit", () => {
  it("check: exit 0 while the call fits, 1 when over the limit, with the decision printed", async () => {
    const first = await check("--identifier", "1.2.3.4");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^success:\s+yes$/m);
    expect(first.stdout).toMatch(/^remaining:\s+1$/m);
    const second = await check("--identifier", "1.2.3.4", "--json");
    expect(second.code).toBe(0);
    const answer = JSON.parse(second.stdout) as RateLimitCheckResult;
    expect(answer).toMatchObject({ success: true, limit: 2, remaining: 0 });
    expect(answer.reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/);
    const third = await check("--identifier", "1.2.3.4");
    expect(third.code).toBe(1);
    expect(third.stdout).toMatch(/^success:\s+no: over the limit$/m);
    // --cost 0 reads without taking.
    const read = await check("--identifier", "5.6.7.8", "--cost", "0", "--json");
    expect(JSON.parse(read.stdout)).toMatchObject({ success: true, remaining: 2 });
  });

  it("overrides set, list, delete; the override applies to checks", async () => {
    const set = await server.cli([
      "ratelimit",
      "overrides",
      "set",
      "--namespace",
      "login",
      "--identifier",
      "10.0.*",
      "--limit",
      "50",
      "--duration",
      "60000",
      "--json",
    ]);
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ identifier: "10.0.*", limit: 50, duration: 60000 });
    expect(JSON.parse((await check("--identifier", "10.0.0.1", "--json")).stdout).limit).toBe(50);

    const list = await server.cli(["ratelimit", "overrides", "list", "--namespace", "login"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^10\.0\.\*\s+50\s+60000\s/m);
    const json = JSON.parse(
      (await server.cli(["ratelimit", "overrides", "list", "--namespace", "login", "--json"])).stdout,
    ) as Page<RateLimitOverride>;
    expect(json.data.map((o) => o.identifier)).toEqual(["10.0.*"]);

    const deleted = await server.cli([
      "ratelimit",
      "overrides",
      "delete",
      "--namespace",
      "login",
      "--identifier",
      "10.0.*",
    ]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain("Deleted the override of login for 10.0.*");
    const again = await server.cli([
      "ratelimit",
      "overrides",
      "delete",
      "--namespace",
      "login",
      "--identifier",
      "10.0.*",
    ]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("RATELIMIT_OVERRIDE_NOT_FOUND");
    expect((await server.cli(["ratelimit", "overrides", "list", "--namespace", "login"])).stdout).toContain(
      "No overrides in login",
    );
  });

  it("refuses bad input before or at the server with exit 2 and a code, never a stack", async () => {
    const badDuration = await check("--identifier", "x", "--duration", "soon");
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toContain("--duration");
    const tooLong = await check("--identifier", "x", "--duration", "40d");
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toContain("INVALID_DURATION");
    const zero = await check("--identifier", "x", "--limit", "0");
    expect(zero.code).toBe(2);
    const longId = await check("--identifier", "x".repeat(300));
    expect(longId.code).toBe(2);
    expect(longId.stderr).toContain("VALIDATION_ERROR");
    expect(`${badDuration.stderr}${tooLong.stderr}${longId.stderr}`).not.toMatch(/\n\s+at /);
  });

  it("documents every command in --help", async () => {
    const help = await cli(["ratelimit", "--help"]);
    expect(help.code).toBe(0);
    for (const command of ["check", "overrides"]) expect(help.stdout).toContain(command);
    const overrides = await cli(["ratelimit", "overrides", "--help"]);
    for (const command of ["set", "list", "delete"]) expect(overrides.stdout).toContain(command);
    const checkHelp = await cli(["ratelimit", "check", "--help"]);
    for (const flag of ["--namespace", "--identifier", "--limit", "--duration", "--cost", "--json"])
      expect(checkHelp.stdout).toContain(flag);
  });
});
