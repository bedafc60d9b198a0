import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type IoOptions, useTempDir } from "../test-support/cli.js";
import { startVaultServer, useVaultServer } from "../test-support/vault-server.js";
import { parseRunArgv } from "./run.js";

const NODE = process.execPath;
const BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));

const server = useVaultServer();
const dir = useTempDir("all");

beforeAll(async () => {
  for (const [name, value] of [
    ["GREETING", "hello from the vault"],
    ["API_TOKEN", "tok_0123456789abcdef"],
    ["MULTI_LINE", "first line\nsecond line"],
  ]) {
    const set = await server.cli(["secrets", "set", name as string, "--env", "ci"], {
      stdin: value as string,
    });
    expect(set.code).toBe(0);
  }
});

/** `keysmith run --env ci … -- node -e <script>`, in-process. */
const runNode = (script: string, flags: string[] = [], env: Record<string, string> = {}) =>
  server.cli(["run", "--env", "ci", ...flags, "--", NODE, "-e", script], { env });

describe("keysmith run", () => {
  it("injects every secret as an environment variable, fetched in one request", async () => {
    const exports = async (): Promise<number> =>
      JSON.parse(
        (await server.cli(["audit-log", "list", "--action", "secret.export", "--limit", "500", "--json"]))
          .stdout,
      ).data.length;
    const before = await exports();
    const script =
      "console.log(JSON.stringify([process.env.GREETING, process.env.MULTI_LINE, process.env.KEYSMITH_ROOT_KEY ?? null]))";
    const result = await runNode(script);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(["hello from the vault", "first line\nsecond line", null]);
    // One export request, audited once with every name and version.
    expect(await exports()).toBe(before + 1);
  });

  it("reads its flags without commander on the fast path, and leaves anything unusual to commander", () => {
    expect(parseRunArgv(["run", "--env", "ci", "--mask", "--", "node", "-e", "0"])).toEqual({
      flags: { env: "ci", mask: true },
      command: ["node", "-e", "0"],
    });
    expect(parseRunArgv(["run", "--env=ci", "--project", "proj_1", "node", "app.js", "--port", "3"])).toEqual(
      {
        flags: { env: "ci", project: "proj_1" },
        command: ["node", "app.js", "--port", "3"],
      },
    );
    // The environment may come from KEYSMITH_ENV or keysmith link: no --env is not unusual.
    expect(parseRunArgv(["run", "--allow-empty", "--env-file", ".env.tpl", "--", "node"])).toEqual({
      flags: { allowEmpty: true, envFile: ".env.tpl" },
      command: ["node"],
    });
    for (const argv of [
      ["run", "--help"],
      ["run", "--env", "ci"],
      ["run", "--allow-empty=yes", "node"],
      ["run", "--env", "--mask", "node"],
      ["run", "--env", "ci", "--mistyped", "node"],
      ["keys", "list"],
    ]) {
      expect(parseRunArgv(argv)).toBeNull();
    }
  });

  it("explains a missing --env (naming the flag, the variable and link) or command", async () => {
    const noEnv = await server.cli(["run", "--", NODE, "-e", "0"]);
    expect(noEnv.code).toBe(2);
    expect(noEnv.stderr).toBe(
      "keysmith: no environment: pass --env <environment>, set KEYSMITH_ENV, or run `keysmith link --env <environment>`\n",
    );
    const noCommand = await server.cli(["run", "--env", "ci"]);
    expect(noCommand.stderr).toMatch(/missing required argument 'command'/);
  });

  it("lets an existing variable win unless --override", async () => {
    const script = "console.log(process.env.GREETING)";
    expect((await runNode(script, [], { GREETING: "from the shell" })).stdout).toBe("from the shell\n");
    expect((await runNode(script, ["--override"], { GREETING: "from the shell" })).stdout).toBe(
      "hello from the vault\n",
    );
  });

  it("passes the child's exit code through, and 127 for a command that does not exist", async () => {
    expect((await runNode("process.exit(7)")).code).toBe(7);
    expect((await runNode("process.exitCode = 0")).code).toBe(0);
    const missing = await server.cli(["run", "--env", "ci", "--", "keysmith-no-such-command"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toBe("keysmith: cannot run keysmith-no-such-command: command not found\n");
  });

  it("masks secret values in the child's stdout and stderr with --mask, even split across writes", async () => {
    const script = [
      "const t = process.env.API_TOKEN;",
      "console.log('token:', t);",
      "console.error('to stderr', t, process.env.GREETING);",
      "process.stdout.write('split ' + t.slice(0, 6));",
      "setTimeout(() => process.stdout.write(t.slice(6) + ' done\\n'), 20);",
    ].join("\n");
    const masked = await runNode(script, ["--mask"]);
    expect(masked.code).toBe(0);
    expect(masked.stdout).toBe("token: ***\nsplit *** done\n");
    expect(masked.stderr).toBe("to stderr *** ***\n");
    const plain = await runNode(script);
    expect(plain.stdout).toContain("tok_0123456789abcdef");
  });

  it("keeps an encrypted snapshot with --fallback and uses it when the server is unreachable", async () => {
    const own = await startVaultServer();
    try {
      await own.cli(["secrets", "set", "OFFLINE", "--env", "prod"], { stdin: "offline value" });
      const snapshot = join(dir.path, "prod.snapshot");
      const script = "console.log(process.env.OFFLINE)";
      const withFallback = (env: string, options?: IoOptions) =>
        own.cli(["run", "--env", env, "--fallback", snapshot, "--", NODE, "-e", script], options);
      const online = await withFallback("prod");
      expect(online).toMatchObject({ code: 0, stdout: "offline value\n", stderr: "" });
      expect(readFileSync(snapshot, "utf8")).not.toContain("offline value");

      await own.stop();
      const offline = await withFallback("prod");
      expect(offline.code).toBe(0);
      expect(offline.stdout).toBe("offline value\n");
      expect(offline.stderr).toMatch(
        /^keysmith: the server did not answer \(.*\); using the fallback snapshot .*prod\.snapshot of \d{4}-/,
      );

      const without = await own.cli(["run", "--env", "prod", "--", NODE, "-e", script]);
      expect(without.code).toBe(2);
      expect(without.stderr).toMatch(/cannot reach keysmith/);
      const otherKey = await withFallback("prod", {
        env: { KEYSMITH_ROOT_KEY: "ks_root_live_000000000000000000000000000000000000" },
      });
      expect(otherKey.code).toBe(2);
      const otherEnv = await withFallback("dev");
      expect(otherEnv.stderr).toMatch(/no usable fallback: .* holds prod/);
    } finally {
      await own.close();
    }
  });
});

describe("keysmith run, the binary", () => {
  const children: ChildProcess[] = [];
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  });
  afterEach(() => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  /** Starts `keysmith run --env ci -- node <script>` and resolves once the child printed "ready". */
  async function started(script: string) {
    const file = join(dir.path, `child-${children.length}.mjs`);
    writeFileSync(file, script);
    const parent = spawn(NODE, [BIN, "run", "--env", "ci", "--", NODE, file], {
      env: { PATH: process.env.PATH, ...server.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(parent);
    let stdout = "";
    let stderr = "";
    parent.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      parent.once("exit", (code, signal) => resolve({ code, signal })),
    );
    await new Promise<void>((resolve, reject) => {
      parent.stdout?.setEncoding("utf8").on("data", (d: string) => {
        stdout += d;
        if (stdout.includes("ready")) resolve();
      });
      void exited.then(({ code }) => reject(new Error(`exited ${code} before ready: ${stderr}`)));
    });
    return { parent, exited, output: () => stdout, errors: () => stderr };
  }

  it("forwards SIGTERM to the child and exits with the child's code", async () => {
    const { parent, exited, output } = await started(
      [
        "process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(42); });",
        "console.log('ready', process.env.GREETING);",
        "setInterval(() => {}, 1000);",
      ].join("\n"),
    );
    expect(output()).toContain("ready hello from the vault");
    parent.kill("SIGTERM");
    expect(await exited).toEqual({ code: 42, signal: null });
    expect(output()).toContain("child got SIGTERM");
  });

  it("exits 128 + the signal number when the signal ends the child", async () => {
    const { parent, exited } = await started("console.log('ready'); setInterval(() => {}, 1000);");
    parent.kill("SIGTERM");
    expect(await exited).toEqual({ code: 143, signal: null });
  });

  it("forwards SIGINT and SIGHUP too", async () => {
    for (const [signal, code] of [
      ["SIGINT", 130],
      ["SIGHUP", 129],
    ] as const) {
      const { parent, exited, output } = await started(
        `process.on('${signal}', () => { console.log('got ${signal}'); process.exit(${code - 100}); }); console.log('ready'); setInterval(() => {}, 1000);`,
      );
      parent.kill(signal);
      expect(await exited).toEqual({ code: code - 100, signal: null });
      expect(output()).toContain(`got ${signal}`);
    }
  });
});
