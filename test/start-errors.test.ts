/**
 * A bad KEYSMITH_* setting stops `keysmith serve` (the built CLI, as `npm start` runs it) with one
 * line naming the variable, the value and what is expected: exit 2, no stack, nothing on stdout.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
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
  ])("%s=%j: one line, exit 2, no stack", (variable, value, message) => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run \`npm run build\` first`);
    const result = spawnSync(process.execPath, [CLI_BIN, "serve"], {
      env: { PATH: process.env.PATH, KEYSMITH_DATABASE_URL: join(dir, "k.db"), [variable]: value },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^keysmith: /);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at |secret/);
  });
});
