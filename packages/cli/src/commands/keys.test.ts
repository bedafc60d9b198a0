import type { IssuedKey, Key, Page, RolledKey, VerifyResponse } from "@keysmith/sdk";
import { describe, expect, it } from "vitest";
import { keysIn, useProjectServer } from "../test-support/cli.js";

const server = useProjectServer();

describe("keysmith keys", () => {
  it("creates a key and prints its plaintext once, with a store-it-now note", async () => {
    const result = await server.cli([
      "keys",
      "create",
      "--project",
      server.projectId,
      "--owner",
      "cust_1",
      "--name",
      "checkout",
      "--scopes",
      "invoices:read, invoices:write",
      "--meta",
      '{"plan":"pro"}',
    ]);
    expect(result.code).toBe(0);
    const keys = keysIn(result.stdout);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^acme_sk_live_/);
    expect(result.stdout).toContain("Store it now");
    expect(result.stdout).toMatch(/owner:\s+cust_1/);
    expect(result.stdout).toMatch(/scopes:\s+invoices:read,invoices:write/);
    expect(result.stderr).toBe("");
  });

  it("prints the API's JSON with --json, every option mapped onto the body", async () => {
    const now = Date.UTC(2030, 0, 1);
    const result = await server.cli(
      [
        "keys",
        "create",
        "--project",
        server.projectId,
        "--type",
        "publishable",
        "--env",
        "test",
        "--scopes",
        "",
        "--allowed-origins",
        "https://shop.example",
        "--allowed-ips",
        "10.0.0.0/8,192.168.1.7",
        "--expires-in",
        "30d",
        "--disabled",
        "--json",
      ],
      { now: () => now },
    );
    expect(result.code).toBe(0);
    const issued = JSON.parse(result.stdout) as IssuedKey;
    expect(issued.key).toMatch(/^acme_pk_test_/);
    expect(issued).toMatchObject({
      type: "publishable",
      environment: "test",
      projectId: server.projectId,
      allowedOrigins: ["https://shop.example"],
      // The server normalises a single address to its /32 range.
      allowedIps: ["10.0.0.0/8", "192.168.1.7/32"],
      enabled: false,
      status: "disabled",
      expiresAt: new Date(now + 30 * 86_400_000).toISOString(),
    });
  });

  it("verifies a key read from stdin: exit 0 when valid, 1 with the code when not", async () => {
    const issued = await server.createKey("--scopes", "invoices:read");
    const valid = await server.cli(["keys", "verify", "--scopes", "invoices:read"], {
      stdin: `${issued.key}\n`,
    });
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/^valid:\s+true\ncode:\s+VALID\n/);
    expect(keysIn(valid.stdout + valid.stderr)).toEqual([]);

    const scope = await server.cli(["keys", "verify", "--scopes", "invoices:write"], { stdin: issued.key });
    expect(scope.code).toBe(1);
    expect(scope.stdout).toMatch(/code:\s+INSUFFICIENT_SCOPE/);

    const env = await server.cli(["keys", "verify", "--env", "test", "--json"], { stdin: issued.key });
    expect(env.code).toBe(1);
    expect((JSON.parse(env.stdout) as VerifyResponse).code).toBe("ENVIRONMENT_MISMATCH");
  });

  it("verifies against a permission query with --permissions; one that does not parse exits 2 with its position", async () => {
    const issued = await server.createKey("--scopes", "invoices:read,billing:*");
    const query = "invoices:read AND (refunds:write OR billing:*)";
    const valid = await server.cli(["keys", "verify", "--permissions", query], { stdin: issued.key });
    expect(valid.code).toBe(0);
    const refused = await server.cli(["keys", "verify", "--permissions", "invoices:read AND refunds:write"], {
      stdin: issued.key,
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/code:\s+INSUFFICIENT_SCOPE/);
    const bad = await server.cli(["keys", "verify", "--permissions", "invoices:read and billing:*"], {
      stdin: issued.key,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("INVALID_PERMISSION_QUERY");
    expect(bad.stderr).toContain("position 14");
    expect(keysIn(bad.stdout + bad.stderr)).toEqual([]);
  });

  it("reads only the first line of stdin, and KEYSMITH_VERIFY_KEY before stdin", async () => {
    const issued = await server.createKey();
    const firstLine = await server.cli(["keys", "verify"], { stdin: `  ${issued.key}  \nnoise\n` });
    expect(firstLine.code).toBe(0);

    const fromEnv = await server.cli(["keys", "verify", "--json"], {
      env: { KEYSMITH_VERIFY_KEY: issued.key },
    });
    expect(fromEnv.code).toBe(0);
    const answer = JSON.parse(fromEnv.stdout) as VerifyResponse;
    expect(answer).toMatchObject({ valid: true, code: "VALID", keyId: issued.id });
  });

  it("answers MALFORMED with exit 1 and a missing key with exit 2", async () => {
    const malformed = await server.cli(["keys", "verify"], { stdin: "hello\n" });
    expect(malformed.code).toBe(1);
    expect(malformed.stdout).toMatch(/code:\s+MALFORMED/);

    const empty = await server.cli(["keys", "verify"], { stdin: "\n" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^keysmith: no key to verify/);
  });

  it("rolls a key: prints the successor once, and the old key keeps working for the grace period", async () => {
    const issued = await server.createKey();
    const result = await server.cli(["keys", "roll", issued.id, "--grace", "1h"]);
    expect(result.code).toBe(0);
    const shown = keysIn(result.stdout);
    expect(shown).toHaveLength(1);
    expect(shown[0]).not.toBe(issued.key);
    expect(result.stdout).toContain("Store it now");
    expect(result.stdout).toContain(`Rolled ${issued.id} to key_`);

    for (const key of [issued.key, shown[0]]) {
      expect((await server.cli(["keys", "verify"], { stdin: key })).code).toBe(0);
    }
    const old = await server.cli(["keys", "get", issued.id, "--json"]);
    const oldKey = JSON.parse(old.stdout) as Key;
    expect(oldKey.rolledTo).toMatch(/^key_/);
    expect(Date.parse(oldKey.expiresAt ?? "")).toBeGreaterThan(Date.now() + 59 * 60_000);
  });

  it("rolls with --json into the API's answer, previous included", async () => {
    const issued = await server.createKey();
    const result = await server.cli(["keys", "roll", issued.id, "--json"]);
    expect(result.code).toBe(0);
    const rolled = JSON.parse(result.stdout) as RolledKey;
    expect(rolled.key).toMatch(/^acme_sk_live_/);
    expect(rolled.previous.id).toBe(issued.id);
    expect(rolled.rolledFrom).toBe(issued.id);
  });

  it("changes a key's credits: set, increment and decrement, with --json, and refuses a bad op", async () => {
    const issued = await server.createKey();
    const set = await server.cli(["keys", "credits", issued.id, "set", "10"]);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(`${issued.id} has 10 credits left.\n`);
    const more = await server.cli(["keys", "credits", issued.id, "increment", "5", "--json"]);
    expect(JSON.parse(more.stdout)).toEqual({ remaining: 15 });
    const bad = await server.cli(["keys", "credits", issued.id, "double", "5"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("op must be set, increment or decrement");
    const negative = await server.cli(["keys", "credits", issued.id, "decrement", "-1"]);
    expect(negative.code).toBe(2);
    const after = await server.cli(["keys", "get", issued.id, "--json"]);
    expect(JSON.parse(after.stdout).credits).toMatchObject({ remaining: 15 });
  });

  it("revokes a key at once: verify then exits 1 with REVOKED", async () => {
    const issued = await server.createKey();
    const revoked = await server.cli(["keys", "revoke", issued.id, "--reason", "leaked in a gist"]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${issued.id}`);
    expect(keysIn(revoked.stdout)).toEqual([]);

    const verify = await server.cli(["keys", "verify"], { stdin: issued.key });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/code:\s+REVOKED/);

    const again = await server.cli(["keys", "get", issued.id, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: "revoked" });
  });

  it("shows a key masked, never its plaintext", async () => {
    const issued = await server.createKey("--owner", "cust_get");
    const result = await server.cli(["keys", "get", issued.id]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`key:\\s+${issued.start}…${issued.last4}`));
    expect(result.stdout).not.toContain(issued.key);
  });

  it("lists keys as a table, filters them, and follows every page with --all", async () => {
    for (let i = 0; i < 3; i++) await server.createKey("--owner", "cust_list");
    const table = await server.cli(["keys", "list", "--owner", "cust_list"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+KEY\s+TYPE\s+ENV\s+STATUS\s+OWNER/);
    expect(lines).toHaveLength(4);
    expect(keysIn(table.stdout)).toEqual([]);

    const first = await server.cli(["keys", "list", "--owner", "cust_list", "--limit", "2", "--json"]);
    const page = JSON.parse(first.stdout) as Page<Key>;
    expect(page.data).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();

    const human = await server.cli(["keys", "list", "--owner", "cust_list", "--limit", "2"]);
    expect(human.stdout).toContain(`--cursor ${page.nextCursor}`);

    const all = await server.cli(["keys", "list", "--owner", "cust_list", "--limit", "1", "--all", "--json"]);
    const everything = JSON.parse(all.stdout) as Page<Key>;
    expect(everything.data).toHaveLength(3);
    expect(everything.nextCursor).toBeNull();
    expect(new Set(everything.data.map((k) => k.id)).size).toBe(3);

    const none = await server.cli(["keys", "list", "--owner", "nobody"]);
    expect(none.stdout).toBe("No keys match.\n");
  });

  it("reports API errors as one line with the code and request id, exit 2", async () => {
    const missing = await server.cli(["keys", "get", `key_${"0".repeat(22)}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^keysmith: [^\n]+ \(KEY_NOT_FOUND, request req_[0-9A-Za-z]+\)\n$/);
    expect(missing.stdout).toBe("");

    const unauthorized = await server.cli(["projects", "list"], { env: { KEYSMITH_ROOT_KEY: "nope" } });
    expect(unauthorized.code).toBe(2);
    expect(unauthorized.stderr).toMatch(/\(UNAUTHORIZED, request req_[0-9A-Za-z]+\)\n$/);
  });
});
