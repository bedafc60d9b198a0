import type { UsageSeries as Usage } from "@keysmith/sdk";
import { describe, expect, it } from "vitest";
import { useProjectServer } from "../test-support/cli.js";

const server = useProjectServer();

async function verify(key: string, scopes: string, expected: number): Promise<void> {
  const result = await server.cli(["keys", "verify", "--scopes", scopes], { stdin: key });
  expect(result.code).toBe(expected);
}

function total(usage: Usage, code: keyof Usage["data"][number]["outcomes"]): number {
  return usage.data.reduce((sum, bucket) => sum + (bucket.outcomes[code] ?? 0), 0);
}

describe("keysmith usage", () => {
  it("shows a key's verifications per minute as a table, a sparkline and totals", async () => {
    const issued = await server.createKey("--scopes", "invoices:read", "--owner", "cust_usage");
    for (let i = 0; i < 3; i++) await verify(issued.key, "invoices:read", 0);
    await verify(issued.key, "invoices:write", 1);

    const result = await server.cli(["usage", "--key", issued.id, "--granularity", "minute"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^Usage of key ${issued.id} per minute, \\S+Z to \\S+Z:$`));
    expect(lines[2]).toMatch(/^START\s+VALID\s+REJECTED\s+REJECTIONS\s+SPEND$/);
    const rows = lines.filter((line) => /^\d{4}-\d{2}-\d{2}T/.test(line));
    // The default range is the last hour, every minute of it present.
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(rows.filter((row) => row.includes("INSUFFICIENT_SCOPE=1"))).toHaveLength(1);

    const spark = /^VALID per minute \(max ([0-3])\): ([▁▂▃▄▅▆▇█]+)$/m.exec(result.stdout);
    expect(spark).not.toBeNull();
    const bars = spark?.[2] ?? "";
    expect(bars).toHaveLength(rows.length);
    expect(bars).toContain("█");
    // Three calls land in one minute, or two when a minute turns between them.
    expect(bars.replace(/▁/g, "").length).toBeLessThanOrEqual(2);

    expect(result.stdout).toMatch(/^total valid:\s+3$/m);
    expect(result.stdout).toMatch(/^total rejected:\s+1$/m);
    expect(result.stdout).toMatch(/^rejections:\s+INSUFFICIENT_SCOPE=1$/m);
    // A refused call spends nothing.
    expect(result.stdout).toMatch(/^total spend:\s+3$/m);
  });

  it("prints the API's answer with --json, by key, project and owner", async () => {
    const issued = await server.createKey("--owner", "cust_json");
    for (let i = 0; i < 2; i++) await verify(issued.key, "anything:read", 0);

    const byKey = await server.cli(["usage", "--key", issued.id, "--granularity", "minute", "--json"]);
    expect(byKey.code).toBe(0);
    const usage = JSON.parse(byKey.stdout) as Usage;
    expect(usage.granularity).toBe("minute");
    expect(total(usage, "VALID")).toBe(2);
    expect(usage.data[0]).toMatchObject({ outcomes: { VALID: 0, INSUFFICIENT_SCOPE: 0 }, spend: 0 });

    const byOwner = await server.cli(["usage", "--owner", "cust_json", "--granularity", "day", "--json"]);
    expect(total(JSON.parse(byOwner.stdout) as Usage, "VALID")).toBe(2);

    const byProject = await server.cli(["usage", "--project", server.projectId, "--json"]);
    const projectUsage = JSON.parse(byProject.stdout) as Usage;
    expect(projectUsage.granularity).toBe("hour");
    expect(total(projectUsage, "VALID")).toBeGreaterThanOrEqual(5);
  });

  it("draws a flat sparkline for a key nobody has used", async () => {
    const issued = await server.createKey();
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const result = await server.cli(["usage", "--key", issued.id, "--granularity", "day", "--from", from]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^VALID per day \(max 0\): ▁{4}$/m);
    expect(result.stdout).toMatch(/^rejections:\s+-$/m);
  });

  it("answers bad flags with a one-line usage error and exit 2", async () => {
    for (const argv of [
      ["usage", "--granularity", "week"],
      ["usage", "--from", "yesterday"],
      ["usage", "--key", `key_${"0".repeat(22)}`, "--project", server.projectId],
    ]) {
      const result = await server.cli(argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/^keysmith: [^\n]+\n$/);
      expect(result.stdout).toBe("");
    }
    const reversed = await server.cli([
      "usage",
      "--from",
      "2030-01-02T00:00:00Z",
      "--to",
      "2030-01-01T00:00:00Z",
    ]);
    expect(reversed.code).toBe(2);
    expect(reversed.stderr).toMatch(/\(UNPROCESSABLE, request req_[0-9A-Za-z]+\)\n$/);
  });
});
