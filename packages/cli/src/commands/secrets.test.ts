import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Secret } from "@keysmith/sdk";
import { describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo, useTempDir } from "../test-support/cli.js";
import { TRICKY_VALUES } from "../test-support/tricky-values.js";
import { useVaultServer } from "../test-support/vault-server.js";
import { parseDotenv, serializeDotenv } from "./secrets-dotenv.js";

const server = useVaultServer();
const dir = useTempDir("all");

describe("keysmith secrets", () => {
  it("sets a value from stdin (one trailing newline dropped) and gets it back exactly", async () => {
    const set = await server.cli(["secrets", "set", "STRIPE_KEY", "--env", "production"], {
      stdin: "sk_live_first\n",
    });
    expect(set).toMatchObject({ code: 0, stderr: "" });
    expect(set.stdout).toBe("Set STRIPE_KEY in production: version 1.\n");
    expect(set.stdout).not.toContain("sk_live_first");
    await server.cli(["secrets", "set", "STRIPE_KEY", "--env", "production"], {
      stdin: "sk_live_second\n\n",
    });
    const get = await server.cli(["secrets", "get", "STRIPE_KEY", "--env", "production"]);
    expect(get).toEqual({ code: 0, stdout: "sk_live_second\n", stderr: "" });
    const first = await server.cli(["secrets", "get", "STRIPE_KEY", "--env", "production", "--version", "1"]);
    expect(first.stdout).toBe("sk_live_first");
    const missing = await server.cli(["secrets", "get", "STRIPE_KEY", "--env", "staging"]);
    expect(missing.code).toBe(2);
    // staging was never created: the server's code stays, the CLI lists the environments there are.
    expect(missing.stderr).toMatch(
      /^keysmith: No secret STRIPE_KEY in staging: the environment "staging" has no secrets and was never created in project proj_\w+; known environments: production \(SECRET_NOT_FOUND, request req_/,
    );
    const notThere = await server.cli(["secrets", "get", "OTHER_KEY", "--env", "production"]);
    expect(notThere.stderr).toMatch(
      /^keysmith: No secret OTHER_KEY in production\. \(SECRET_NOT_FOUND, request req_/,
    );
  });

  it("asks with a hidden prompt on a terminal, and never takes a value from argv", async () => {
    const captured = captureIo({ env: server.env });
    const questions: string[] = [];
    captured.io.readAllStdin = async () => null;
    captured.io.promptHidden = async (question) => {
      questions.push(question);
      return "typed secret";
    };
    expect(await run(["secrets", "set", "TYPED", "--env", "production"], captured.io)).toBe(0);
    expect(questions).toEqual(["value for TYPED (not echoed): "]);
    expect((await server.cli(["secrets", "get", "TYPED", "--env", "production"])).stdout).toBe(
      "typed secret",
    );

    const inArgv = await server.cli(["secrets", "set", "TYPED", "in-argv", "--env", "production"], {
      stdin: "",
    });
    expect(inArgv.code).toBe(2);
    expect(inArgv.stderr).toMatch(/too many arguments/);
    const badName = await server.cli(["secrets", "set", "lower-case", "--env", "production"], { stdin: "x" });
    expect(badName.stderr).toMatch(/is not a secret name/);
  });

  it("refuses an empty value from stdin unless --allow-empty", async () => {
    const empty = await server.cli(["secrets", "set", "EMPTY_ONE", "--env", "production"], { stdin: "" });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/the value is empty .* --allow-empty/);
    const allowed = await server.cli(
      ["secrets", "set", "EMPTY_ONE", "--env", "production", "--allow-empty"],
      {
        stdin: "\n",
      },
    );
    expect(allowed.code).toBe(0);
    expect((await server.cli(["secrets", "get", "EMPTY_ONE", "--env", "production"])).stdout).toBe("");
  });

  it("works with a root key limited to some environments, and only there", async () => {
    const created = await server.cli([
      "root-keys",
      "create",
      "--scopes",
      "secrets:read,secrets:write",
      "--environments",
      "development",
      "--json",
    ]);
    expect(created.code).toBe(0);
    const limited = JSON.parse(created.stdout) as { key: string; environments: string[] };
    expect(limited.environments).toEqual(["development"]);
    const env = { KEYSMITH_ROOT_KEY: limited.key };
    expect(
      (await server.cli(["secrets", "set", "DEV_ONLY", "--env", "development"], { env, stdin: "d" })).code,
    ).toBe(0);
    const denied = await server.cli(["secrets", "get", "STRIPE_KEY", "--env", "production"], { env });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/limited to the environments development\. \(FORBIDDEN/);
  });

  it("lists names, versions and rotation state, marking overdue ones", async () => {
    await server.cli(["secrets", "set", "ROTATED", "--env", "staging", "--rotate-every", "90d"], {
      stdin: "x",
    });
    const list = await server.cli(["secrets", "list", "--env", "staging"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ENV\s+NAME\s+VERSION\s+ROTATE EVERY\s+LAST ROTATED\s+STATUS\n/);
    expect(list.stdout).toMatch(/staging\s+ROTATED\s+1\s+90d\s+\S+\s+ok\n/);

    // The server decides what is overdue; the list shows it.
    const overdue: Secret = {
      id: "sec_1",
      projectId: "proj_1",
      environment: "production",
      name: "OLD_TOKEN",
      version: 4,
      rotateEvery: "30d",
      lastRotatedAt: "2026-01-01T00:00:00.000Z",
      rotationDueAt: "2026-01-31T00:00:00.000Z",
      overdue: true,
      createdAt: "2025-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      deletedAt: null,
    };
    const fetch = (async () =>
      Response.json({ data: [overdue], nextCursor: null })) as unknown as typeof globalThis.fetch;
    const stubbed = await server.cli(["secrets", "list"], { fetch });
    expect(stubbed.stdout).toMatch(
      /production\s+OLD_TOKEN\s+4\s+30d\s+2026-01-01T00:00:00.000Z\s+OVERDUE since 2026-01-31T00:00:00.000Z/,
    );
  });

  it("deletes, restores and shows the history", async () => {
    await server.cli(["secrets", "set", "GONE", "--env", "development"], { stdin: "v1" });
    await server.cli(["secrets", "set", "GONE", "--env", "development"], { stdin: "v2" });
    const rm = await server.cli(["secrets", "rm", "GONE", "--env", "development"]);
    expect(rm.stdout).toMatch(/^Deleted GONE in development/);
    expect((await server.cli(["secrets", "get", "GONE", "--env", "development"])).code).toBe(2);
    expect((await server.cli(["secrets", "list", "--env", "development"])).stdout).not.toContain("GONE");
    expect((await server.cli(["secrets", "list", "--env", "development", "--deleted"])).stdout).toMatch(
      /GONE\s+2\s+-\s+\S+\s+deleted/,
    );
    const restore = await server.cli(["secrets", "restore", "GONE", "--env", "development"]);
    expect(restore.stdout).toBe("Restored GONE in development (version 2).\n");
    const history = await server.cli(["secrets", "history", "GONE", "--env", "development"]);
    expect(history.stdout).toMatch(
      /^VERSION\s+WRITTEN\s+BY\n2 \(current\)\s+\S+\s+root_\w+\n1\s+\S+\s+root_\w+\n$/,
    );
    expect(history.stdout).not.toContain("v1");
  });

  it("imports a .env file and exports it back exactly, as dotenv and as JSON", async () => {
    const file = join(dir.path, "tricky.env");
    writeFileSync(
      file,
      `# tricky values\nexport FROM_EXPORT=1\n${serializeDotenv(Object.entries(TRICKY_VALUES))}`,
    );
    const imported = await server.cli(["secrets", "import", file, "--env", "tricky"]);
    expect(imported).toMatchObject({ code: 0, stderr: "" });
    const count = Object.keys(TRICKY_VALUES).length + 1;
    expect(imported.stdout).toBe(`Imported ${count} secrets into tricky: ${count} written, 0 unchanged.\n`);

    const exported = await server.cli(["secrets", "export", "--env", "tricky"]);
    expect(exported.code).toBe(0);
    expect(Object.fromEntries(parseDotenv(exported.stdout))).toEqual({ ...TRICKY_VALUES, FROM_EXPORT: "1" });
    const asJson = await server.cli(["secrets", "export", "--env", "tricky", "--format", "json"]);
    expect(JSON.parse(asJson.stdout)).toEqual({ ...TRICKY_VALUES, FROM_EXPORT: "1" });

    // Again: nothing changed, nothing written. Then the export file into another environment.
    const again = await server.cli(["secrets", "import", file, "--env", "tricky"]);
    expect(again.stdout).toBe(`Imported ${count} secrets into tricky: 0 written, ${count} unchanged.\n`);
    const copy = join(dir.path, "copy.env");
    expect((await server.cli(["secrets", "export", "--env", "tricky", "--output", copy])).code).toBe(0);
    await server.cli(["secrets", "import", copy, "--env", "tricky-copy"]);
    const json = join(dir.path, "copy.json");
    writeFileSync(json, asJson.stdout);
    await server.cli(["secrets", "import", json, "--env", "tricky-json"]);
    for (const env of ["tricky-copy", "tricky-json"]) {
      const back = await server.cli(["secrets", "export", "--env", env, "--format", "json"]);
      expect(JSON.parse(back.stdout)).toEqual({ ...TRICKY_VALUES, FROM_EXPORT: "1" });
    }
    const viaStdin = await server.cli(["secrets", "import", "-", "--env", "stdin"], { stdin: 'A="x\\ny"\n' });
    expect(viaStdin.code).toBe(0);
    expect((await server.cli(["secrets", "get", "A", "--env", "stdin"])).stdout).toBe("x\ny");
  });

  it("refuses a file it cannot read, naming the line, and sets nothing", async () => {
    const file = join(dir.path, "broken.env");
    writeFileSync(file, "GOOD=1\nBAD='unclosed\n");
    const result = await server.cli(["secrets", "import", file, "--env", "broken"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`keysmith: ${file}: line 2: the value of BAD has no closing '\n`);
    // Nothing was set: the environment does not even exist.
    const listed = await server.cli(["secrets", "list", "--env", "broken"]);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(/the environment "broken" has no secrets and was never created/);
  });
});
