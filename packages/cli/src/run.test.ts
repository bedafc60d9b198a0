import { createServer } from "node:net";
import { VERSION } from "@keysmith/server";
import { describe, expect, it } from "vitest";
import { cli } from "./test-support/cli.js";

const LEAF_COMMANDS = [
  ["serve"],
  ["init"],
  ["migrate"],
  ["projects", "create"],
  ["projects", "update"],
  ["projects", "list"],
  ["keys", "create"],
  ["keys", "update"],
  ["keys", "list"],
  ["keys", "get"],
  ["keys", "roll"],
  ["keys", "revoke"],
  ["keys", "verify"],
  ["root-keys", "create"],
  ["root-keys", "list"],
  ["root-keys", "revoke"],
  ["identities", "create"],
  ["identities", "list"],
  ["identities", "get"],
  ["identities", "update"],
  ["identities", "delete"],
  ["roles", "create"],
  ["roles", "list"],
  ["roles", "update"],
  ["roles", "delete"],
  ["usage"],
  ["webhooks", "create"],
  ["webhooks", "list"],
  ["webhooks", "get"],
  ["webhooks", "delete"],
  ["webhooks", "deliveries"],
  ["alerts", "list"],
  ["audit-log", "list"],
  ["audit-log", "verify"],
  ["scan"],
  ["hook", "install"],
  ["hook", "uninstall"],
  ["hook", "status"],
  ["audit"],
];
const GROUPS = [
  "projects",
  "keys",
  "root-keys",
  "identities",
  "roles",
  "webhooks",
  "alerts",
  "audit-log",
  "hook",
];

// A well-formed key (the checksum is irrelevant: anything key-shaped is refused).
const KEY_LIKE = "acme_sk_live_3fTzq9Lx0aBcDeFgHiJkLmNoPqRsTuVwXyZ012345";

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("keysmith (no server needed)", () => {
  it("prints help for the program, every group and every command, with exit 0", async () => {
    const top = await cli(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("Usage: keysmith");
    expect(top.stdout).toContain("Exit codes:");
    for (const group of GROUPS) {
      expect(top.stdout).toContain(group);
      const help = await cli([group, "--help"]);
      expect(help.code, group).toBe(0);
      expect(help.stdout).toContain(`Usage: keysmith ${group}`);
    }
    for (const path of LEAF_COMMANDS) {
      const help = await cli([...path, "--help"]);
      expect(help.code, path.join(" ")).toBe(0);
      expect(help.stdout).toContain(`Usage: keysmith ${path.join(" ")}`);
      expect(help.stdout, `${path.join(" ")} takes --json`).toContain("--json");
      expect(help.stderr).toBe("");
    }
  });

  it("prints the server's VERSION for --version", async () => {
    const result = await cli(["--version"]);
    expect(result).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: "" });
  });

  it("answers an unknown command or option with a one-line usage error and exit 2", async () => {
    const command = await cli(["kyes", "list"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^keysmith: unknown command 'kyes'.*keys.*\n$/);
    expect(command.stderr.trimEnd().split("\n")).toHaveLength(1);

    const option = await cli(["projects", "list", "--bogus"]);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe("keysmith: unknown option '--bogus'\n");
  });

  it("shows a group's help on stderr and exits 2 when no command is given", async () => {
    const result = await cli(["keys"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: keysmith keys");
  });

  it("rejects invalid option values as usage errors", async () => {
    const limit = await cli(["keys", "list", "--limit", "0"]);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/^keysmith: option '--limit <n>' argument '0' is invalid/);

    const env = await cli(["keys", "create", "--env", "prod"]);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("Allowed choices are live, test");

    const both = await cli(["keys", "create", "--expires-at", "2030-01-01", "--expires-in", "30d"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("cannot be used with option '--expires-at");
  });

  it("refuses a key given as an argument without echoing it", async () => {
    for (const argv of [
      ["keys", "verify", KEY_LIKE],
      ["keys", "verify", `--key=${KEY_LIKE}`],
      ["projects", "list", "--url", `http://x/${KEY_LIKE}`],
    ]) {
      const result = await cli(argv, { env: { KEYSMITH_ROOT_KEY: "unused" } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^keysmith: refusing a key given as an argument/);
      expect(result.stderr + result.stdout).not.toContain(KEY_LIKE);
    }
    // Anything else as a positional is still not a way in.
    const positional = await cli(["keys", "verify", "not-a-key-at-all"]);
    expect(positional.code).toBe(2);
    expect(positional.stderr).toMatch(/^keysmith: too many arguments/);
  });

  it("needs KEYSMITH_ROOT_KEY for client commands", async () => {
    const result = await cli(["projects", "list"], { env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^keysmith: KEYSMITH_ROOT_KEY is not set/);
  });

  it("reports an unreachable server as one line with exit 2", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await cli(["projects", "list"], { env: { KEYSMITH_URL: url, KEYSMITH_ROOT_KEY: "x" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`^keysmith: cannot reach keysmith at GET ${url}/v1/projects: .+\\n$`),
    );
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("rejects a server URL that is not http(s)", async () => {
    const result = await cli(["projects", "list", "--url", "ftp://example.com"], {
      env: { KEYSMITH_ROOT_KEY: "x" },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("keysmith: the server URL must be http:// or https://, not ftp:\n");
  });

  it("answers an invalid configuration with the one-line reason and exit 2", async () => {
    const fromEnv = await cli(["serve"], { env: { KEYSMITH_PORT: "abc" } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toMatch(/^keysmith: invalid configuration: KEYSMITH_PORT="abc": [^\n]+\n$/);
    expect(fromEnv.stdout).toBe("");

    const fromFlag = await cli(["init", "--database-url", ":memory:"], {
      env: { KEYSMITH_LOG_LEVEL: "loud" },
    });
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toMatch(/^keysmith: invalid configuration: KEYSMITH_LOG_LEVEL="loud"/);

    const flagWins = await cli(["serve", "--port", "70000"], { env: { KEYSMITH_PORT: "8787" } });
    expect(flagWins.code).toBe(2);
    expect(flagWins.stderr).toMatch(/^keysmith: invalid configuration: KEYSMITH_PORT="70000"/);
  });
});
