import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useTempDir } from "../test-support/cli.js";
import { useVaultServer } from "../test-support/vault-server.js";

// Issue #19, from a newcomer's seat: the admin root key (bound to all projects), errors that name
// the CLI's flags, environments that do not exist, keysmith link, and run --env-file.

const NODE = process.execPath;
const UNKNOWN_PROJECT = `proj_${"0".repeat(22)}`;
const server = useVaultServer();
const dir = useTempDir("all");

/** The admin root key without KEYSMITH_PROJECT, as the README's first steps have it. */
const admin = () => ({ ...server.env, KEYSMITH_PROJECT: undefined });

beforeAll(async () => {
  for (const [name, env, value] of [
    ["STRIPE_KEY", "production", "sk_prod_value"],
    ["OPENAI_KEY", "development", "sk_dev_openai"],
    ["GONE", "retired", "old"],
  ] as const) {
    expect((await server.cli(["secrets", "set", name, "--env", env], { stdin: value })).code).toBe(0);
  }
  expect((await server.cli(["secrets", "rm", "GONE", "--env", "retired"])).code).toBe(0);
});

describe("errors in the CLI's words", () => {
  it("names --project, KEYSMITH_PROJECT and keysmith link when the admin key names no project", async () => {
    const hint =
      "a project is needed: this root key is bound to all projects; pass --project <id>, set KEYSMITH_PROJECT, or run `keysmith link --project <id>`";
    for (const argv of [
      ["secrets", "set", "STRIPE_KEY", "--env", "production"],
      ["secrets", "get", "STRIPE_KEY", "--env", "production"],
      ["secrets", "export", "--env", "production"],
      ["keys", "create"],
    ]) {
      const result = await server.cli(argv, { env: admin(), stdin: "sk_x" });
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stderr, argv.join(" ")).toMatch(
        new RegExp(`^keysmith: ${escapeRegExp(hint)} \\(UNPROCESSABLE, request req_\\w+\\)\\n$`),
      );
      expect(result.stderr).not.toContain("projectId");
    }
    const ran = await server.cli(["run", "--env", "production", "--", NODE, "-e", "0"], { env: admin() });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(
      new RegExp(`^keysmith: ${escapeRegExp(hint)} \\(UNPROCESSABLE, request req_\\w+\\)\\n$`),
    );
  });

  it("keeps the stable code in --json output, with the CLI's message and the server's", async () => {
    const result = await server.cli(["secrets", "get", "STRIPE_KEY", "--env", "production", "--json"], {
      env: admin(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("(UNPROCESSABLE, request ");
    const body = JSON.parse(result.stdout) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({
      code: "UNPROCESSABLE",
      message: expect.stringContaining("pass --project <id>"),
      serverMessage: "projectId is required for a root key bound to all projects.",
      requestId: expect.stringMatching(/^req_/),
      details: { field: "projectId" },
    });
  });

  it("names the flag of a field the server refuses, and where a project that does not exist came from", async () => {
    const badEnv = await server.cli(["secrets", "get", "STRIPE_KEY", "--env", "Production"]);
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(
      /^keysmith: --env: expected lower-case letters, digits, _ \. and -, starting with a letter or digit \(production, pr-142\) \(VALIDATION_ERROR, request req_\w+\)\n$/,
    );
    const malformed = await server.cli(["secrets", "list"], { env: { KEYSMITH_PROJECT: "proj_typo" } });
    expect(malformed.stderr).toMatch(
      /^keysmith: --project: expected a project id, proj_ and 22 letters or digits .* \(VALIDATION_ERROR, request req_\w+\)\n$/,
    );
    const missing = await server.cli(["secrets", "list"], { env: { KEYSMITH_PROJECT: UNKNOWN_PROJECT } });
    expect(missing.stderr).toMatch(
      /^keysmith: no project proj_0{22} \(from KEYSMITH_PROJECT\) that this root key can see; `keysmith projects list` shows the ones it can \(PROJECT_NOT_FOUND, request req_\w+\)\n$/,
    );
  });
});

describe("environments that were never created", () => {
  it("refuses run with exit 2 and lists the known environments; --allow-empty runs anyway", async () => {
    const marker = join(dir.path, "started");
    const script = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "yes")`;
    const refused = await server.cli(["run", "--env", "nope", "--", NODE, "-e", script]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `keysmith: the environment "nope" has no secrets and was never created in project ${server.env.KEYSMITH_PROJECT}; ` +
        "known environments: development, production, retired; --allow-empty runs the command anyway (UNKNOWN_ENVIRONMENT)\n",
    );
    expect(existsSync(marker)).toBe(false);
    const allowed = await server.cli(["run", "--env", "nope", "--allow-empty", "--", NODE, "-e", script]);
    expect(allowed.code).toBe(0);
    expect(readFileSync(marker, "utf8")).toBe("yes");
  });

  it("runs an environment whose secrets were all deleted: it was created", async () => {
    const result = await server.cli(["run", "--env", "retired", "--", NODE, "-e", "process.exit(3)"]);
    expect(result).toMatchObject({ code: 3, stderr: "" });
  });

  it("refuses secrets list --env and export of an unknown environment, with a code in --json", async () => {
    const list = await server.cli(["secrets", "list", "--env", "prodction"]);
    expect(list.code).toBe(2);
    expect(list.stdout).toBe("");
    expect(list.stderr).toMatch(
      /the environment "prodction" has no secrets and was never created .*known environments: development, production, retired/,
    );
    expect((await server.cli(["secrets", "list", "--env", "prodction", "--allow-empty"])).stdout).toBe(
      "No secrets.\n",
    );
    const exported = await server.cli(["secrets", "export", "--env", "prodction", "--json"]);
    expect(exported.code).toBe(2);
    expect(JSON.parse(exported.stdout)).toEqual({
      error: {
        code: "UNKNOWN_ENVIRONMENT",
        message: expect.stringContaining("known environments: development, production, retired"),
        details: { environment: "prodction", knownEnvironments: ["development", "production", "retired"] },
      },
    });
    expect((await server.cli(["secrets", "export", "--env", "prodction", "--allow-empty"])).code).toBe(0);
  });
});

describe("keysmith link and the directory config", () => {
  it("writes keysmith.json (checked against the server, never the root key) that secrets and run then use", async () => {
    const project = join(dir.path, "linked");
    const nested = join(project, "src", "deep");
    mkdirSync(nested, { recursive: true });
    const linked = await server.cli(
      ["link", "--project", server.env.KEYSMITH_PROJECT as string, "--env", "production", "--json"],
      { env: admin(), cwd: project },
    );
    expect(linked.stderr).toBe("");
    expect(linked.code).toBe(0);
    const file = join(project, "keysmith.json");
    expect(JSON.parse(linked.stdout)).toEqual({
      file,
      project: server.env.KEYSMITH_PROJECT,
      env: "production",
    });
    const text = readFileSync(file, "utf8");
    expect(JSON.parse(text)).toEqual({ project: server.env.KEYSMITH_PROJECT, env: "production" });
    expect(text).not.toContain(server.env.KEYSMITH_ROOT_KEY);
    // From a subdirectory, with the admin key and neither --project nor --env: the file supplies both.
    const got = await server.cli(["secrets", "get", "STRIPE_KEY"], { env: admin(), cwd: nested });
    expect(got).toEqual({ code: 0, stdout: "sk_prod_value", stderr: "" });
    const ran = await server.cli(["run", "--", NODE, "-e", "console.log(process.env.STRIPE_KEY)"], {
      env: admin(),
      cwd: nested,
    });
    expect(ran.stdout).toBe("sk_prod_value\n");
    // Commands that need a project take the linked one too.
    const key = await server.cli(["keys", "create", "--json"], { env: admin(), cwd: nested });
    expect(key.code).toBe(0);
    expect(JSON.parse(key.stdout).projectId).toBe(server.env.KEYSMITH_PROJECT);
    // A flag wins over the variable, the variable over the file.
    const dev = await server.cli(["secrets", "get", "OPENAI_KEY"], {
      env: { ...admin(), KEYSMITH_ENV: "development" },
      cwd: nested,
    });
    expect(dev.stdout).toBe("sk_dev_openai");
    const shown = await server.cli(["config", "--json", "--env", "staging"], {
      env: { ...admin(), KEYSMITH_ENV: "development" },
      cwd: nested,
    });
    expect(JSON.parse(shown.stdout)).toEqual({
      url: { value: server.env.KEYSMITH_URL, from: "KEYSMITH_URL" },
      project: { value: server.env.KEYSMITH_PROJECT, from: file },
      env: { value: "staging", from: "--env" },
      rootKey: { set: true, from: "KEYSMITH_ROOT_KEY" },
      file,
    });
    const human = await server.cli(["link", "--show"], { env: admin(), cwd: nested });
    expect(human.stdout).toContain(`project:     ${server.env.KEYSMITH_PROJECT}  (from ${file})`);
    expect(human.stdout).toContain("root key:    set (from KEYSMITH_ROOT_KEY)");
    expect(human.stdout).not.toContain(server.env.KEYSMITH_ROOT_KEY);
  });

  it("refuses a project the server does not know and writes nothing", async () => {
    const project = join(dir.path, "typo");
    mkdirSync(project);
    const result = await server.cli(["link", "--project", UNKNOWN_PROJECT], { env: admin(), cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^keysmith: no project proj_0{22} on http:\/\/\S+ that this root key can see/,
    );
    expect(existsSync(join(project, "keysmith.json"))).toBe(false);
    const malformed = await server.cli(["link", "--project", "proj_abc"], { cwd: project });
    expect(malformed).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'keysmith: --project "proj_abc" is not a project id: proj_ and 22 letters or digits (`keysmith projects list` shows them)\n',
    });
    expect(existsSync(join(project, "keysmith.json"))).toBe(false);
  });

  it("writes .keysmith/config.toml with --format toml, picks the only project, and updates in place", async () => {
    const project = join(dir.path, "toml");
    mkdirSync(project);
    const first = await server.cli(["link", "--format", "toml", "--env", "development"], {
      env: admin(),
      cwd: project,
    });
    expect(first.code).toBe(0);
    const file = join(project, ".keysmith", "config.toml");
    expect(readFileSync(file, "utf8")).toContain(`project = "${server.env.KEYSMITH_PROJECT}"`);
    expect((await server.cli(["link", "--env", "staging"], { env: admin(), cwd: project })).code).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).toContain('env = "staging"');
    expect(text).toContain(`project = "${server.env.KEYSMITH_PROJECT}"`);
    expect(existsSync(join(project, "keysmith.json"))).toBe(false);
  });

  it("refuses a config file that holds a root key", async () => {
    const project = join(dir.path, "leaky");
    mkdirSync(project);
    writeFileSync(join(project, "keysmith.json"), JSON.stringify({ rootKey: "whatever" }));
    const result = await server.cli(["secrets", "list"], { env: admin(), cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `keysmith: ${join(project, "keysmith.json")} holds a credential (rootKey): remove it; keysmith reads the root key only from KEYSMITH_ROOT_KEY\n`,
    );
  });
});

describe("keysmith run --env-file", () => {
  it("resolves ks:// references from the vault and passes plain values through", async () => {
    const file = join(dir.path, "app.env");
    writeFileSync(
      file,
      [
        "# the app's environment",
        "STRIPE_KEY=ks://production/STRIPE_KEY",
        "OPENAI_KEY=ks://OPENAI_KEY",
        "PORT=8080",
        'GREETING="hello world"',
      ].join("\n"),
    );
    const script =
      "console.log(JSON.stringify([process.env.STRIPE_KEY, process.env.OPENAI_KEY, process.env.PORT, process.env.GREETING]))";
    const result = await server.cli([
      "run",
      "--env",
      "development",
      "--env-file",
      file,
      "--",
      NODE,
      "-e",
      script,
    ]);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual(["sk_prod_value", "sk_dev_openai", "8080", "hello world"]);
    const masked = await server.cli([
      "run",
      "--env",
      "development",
      "--mask",
      "--env-file",
      file,
      "--",
      NODE,
      "-e",
      script,
    ]);
    expect(JSON.parse(masked.stdout)).toEqual(["***", "***", "8080", "hello world"]);
  });

  it("names the line and the reference that does not resolve, and does not start the command", async () => {
    const file = join(dir.path, "broken.env");
    writeFileSync(
      file,
      "PORT=1\nSTRIPE_KEY=ks://production/STRIPE_KEY\nMISSING=ks://staging/NOPE\nBARE=ks://OPENAI_KEY\n",
    );
    const marker = join(dir.path, "env-file-started");
    const script = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "yes")`;
    const result = await server.cli(["run", "--env-file", file, "--", NODE, "-e", script]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `keysmith: ${file}:4: BARE=ks://OPENAI_KEY names no environment (write ks://ENVIRONMENT/NAME, or pass --env); ` +
        `${file}:3: MISSING=ks://staging/NOPE: no secret NOPE in the environment staging; the command was not started (UNRESOLVED_REFERENCE)\n`,
    );
    expect(existsSync(marker)).toBe(false);
    writeFileSync(file, "BAD=ks://production/lower-case\n");
    const malformed = await server.cli(["run", "--env-file", file, "--", NODE, "-e", script]);
    expect(malformed.stderr).toBe(
      `keysmith: ${file}:1: BAD=ks://production/lower-case is not a secret reference: write ks://ENVIRONMENT/NAME or ks://NAME\n`,
    );
    expect(existsSync(marker)).toBe(false);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
