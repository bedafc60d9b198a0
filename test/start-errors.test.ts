/**
 * A bad KEYSMITH_* setting stops `keysmith serve` (the built CLI, as `npm start` runs it) with one
 * line naming the variable, the value and what is expected: exit 2, no stack, no error logged.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const CLI_BIN = resolve(import.meta.dirname, "../packages/cli/dist/bin.js");
const dir = mkdtempSync(join(tmpdir(), "keysmith-start-errors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("keysmith serve with a bad setting", () => {
  it.each([
    ["KEYSMITH_PORT", "abc", /KEYSMITH_PORT="abc": expected a port .*0 to 65535$/],
    ["KEYSMITH_LOG_LEVEL", "loud", /KEYSMITH_LOG_LEVEL="loud": expected fatal, error, .* or silent$/],
    ["KEYSMITH_RATE_LIMIT_FAILURE_MODE", "maybe", /="maybe": expected open or closed$/],
    ["KEYSMITH_CACHE_TTL_MS", "soon", /KEYSMITH_CACHE_TTL_MS="soon": expected auto or a whole number/],
    ["KEYSMITH_REDIS_URL", "http://u:secret@cache", /KEYSMITH_REDIS_URL="http:\/\/u:\*\*\*@cache": expected/],
    ["KEYSMITH_MASTER_KEY", "short", /KEYSMITH_MASTER_KEY must be 32 random bytes in base64/],
    [
      "KEYSMITH_HOST",
      "999.1.1.1",
      /KEYSMITH_HOST="999.1.1.1": no such address or host name: .*\(ENOTFOUND\)$/,
    ],
    [
      "KEYSMITH_GITHUB_SCANNING_KEYS",
      "keys.json",
      /KEYSMITH_GITHUB_SCANNING_KEYS="keys.json": expected .*; no such file$/,
    ],
  ])("%s=%j: one line, exit 2, no stack", (variable, value, message) => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run \`npm run build\` first`);
    const result = spawnSync(process.execPath, [CLI_BIN, "serve"], {
      cwd: dir,
      env: { PATH: process.env.PATH, KEYSMITH_DATABASE_URL: join(dir, "k.db"), [variable]: value },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    // Past the settings, the log may have said something (the vault is off): never an error.
    for (const line of result.stdout.split("\n").filter(Boolean)) {
      expect((JSON.parse(line) as { level: number }).level).toBeLessThan(50);
    }
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^keysmith: /);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at |:secret@/);
  });
});

describe("keysmith serve on a port in use", () => {
  it("names the port and what to do, and keeps the first root key for the start that succeeds", async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, "127.0.0.1", done));
    const address = busy.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const database = join(dir, "busy.db");
    const env = { PATH: process.env.PATH, KEYSMITH_DATABASE_URL: database, KEYSMITH_LOG_LEVEL: "silent" };
    const refused = spawnSync(process.execPath, [CLI_BIN, "serve"], {
      env: { ...env, KEYSMITH_PORT: String(port) },
      encoding: "utf8",
      timeout: 20_000,
    });
    busy.close();
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(
      `keysmith: could not start: KEYSMITH_PORT=${port}: the port is already in use on 127.0.0.1 (another keysmith, or another program): stop it or choose another port (KEYSMITH_PORT, or --port) (EADDRINUSE)\n`,
    );
    // The failed start created no root key: the next one, on a free port, shows it.
    const child = spawn(process.execPath, [CLI_BIN, "serve"], {
      env: { ...env, KEYSMITH_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise((done) => child.on("exit", done));
    await new Promise<void>((done) => {
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
        if (stdout.includes("listening on")) done();
      });
    });
    child.kill("SIGTERM");
    await exited;
    expect(stderr).toMatch(
      /keysmith created the first root key for this database:\n\n {4}ks_root_live_\w{36}\n/,
    );
  });
});
