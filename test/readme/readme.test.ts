/**
 * README.md runs as written: every shell block (```sh, ```bash, ```console) is run, in README
 * order, against a real keysmith server started from the built CLI. The README is this test's
 * input, so the two cannot drift apart. Run `npm run build` first (the test uses dist/).
 *
 * The reader's setting, as the test plays it:
 * - One shell session: each command runs in bash with the variables (exported or not) and the
 *   working directory the earlier commands left, with `pipefail`; a command that exits non-zero
 *   fails its block. The working directory starts as an empty git repository (the reader's
 *   project); HOME is a directory of the test's own.
 * - `keysmith` and `npx keysmith` run this repository's packages/cli/dist/bin.js (a shim directory
 *   first on PATH). `curl` is the real curl, made strict: an HTTP answer of 400 or more fails the
 *   command (the README shows no command whose answer is an error).
 * - The server: a block marked `<!-- readme-test: server -->` (the README's `npm start`) is not run;
 *   the test starts `keysmith serve` itself (what `npm start` runs after building), with a fresh
 *   SQLite file, on a free port, with the session's exported KEYSMITH_* settings — again at each
 *   later server block, on the same file (a restart). `http://127.0.0.1:8787` in the blocks is
 *   replaced by the test server's address (8787 may be taken on the machine running the tests).
 * - The first start's output is checked against the README's sample (the block marked
 *   `<!-- readme-test: first-start output -->`), with the key masked, and a `read` of
 *   KEYSMITH_ROOT_KEY is answered with the key that start printed — what the reader pastes.
 * - A `# → …` line after a command: the command's output must carry the JSON field names shown;
 *   `# → exit N …` as its first such line: the command's documented exit code is N (else 0).
 * - `<!-- readme-test: skip (reason) -->` before a block: not run (what cannot run here, with why).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedFields, fencedBlocks, type ShellBlock, type Step, shellBlocks } from "./blocks.js";

const REPO = resolve(import.meta.dirname, "../..");
const README = readFileSync(join(REPO, "README.md"), "utf8");
const CLI_BIN = join(REPO, "packages/cli/dist/bin.js");
const README_URL = "http://127.0.0.1:8787";
const ROOT_KEY = /ks_root_live_[0-9A-Za-z]{36}/g;
const STARTS_SERVER = /^(npm start|(npx )?keysmith serve)\b/m;
const blocks = shellBlocks(README);

interface Output {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The longest one command may run: a step that starts a server or waits on a prompt never ends. */
const STEP_TIMEOUT_MS = 30_000;

/**
 * Runs a program to its end; answers its exit code and output. It leads a process group of its
 * own, so a command that outlives STEP_TIMEOUT_MS is killed with everything it started.
 */
function runProgram(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string },
): Promise<Output> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: "pipe", detached: true });
    const timer = setTimeout(() => {
      stderr += `\nreadme test: killed after ${STEP_TIMEOUT_MS} ms (a command that never ends?)`;
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, STEP_TIMEOUT_MS);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    // A command that reads no stdin may exit before it is written: that is no failure.
    child.stdin.on("error", () => {});
    child.stdin.end(options.stdin ?? "");
  });
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.on("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The first program found on PATH by that name, skipping the shim directory. */
function onPath(name: string, skip: string): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && dir !== skip && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`the README test needs ${name} on PATH`);
}

interface Server {
  process: ChildProcess;
  url: string;
  stdout: string;
  stderr: string;
  /**
   * Resolves once the stream matches. The banner (stderr), the listening line and the log lines
   * (stdout, some written asynchronously) come through two pipes, in no fixed order.
   */
  printed(stream: "stdout" | "stderr", pattern: RegExp): Promise<void>;
  stop(): Promise<void>;
}

/** `keysmith serve` from the built CLI, as `npm start` runs it; resolves once it listens. */
function startServer(env: NodeJS.ProcessEnv, cwd: string): Promise<Server> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI_BIN, "serve"], {
      cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const waiters: { stream: "stdout" | "stderr"; pattern: RegExp; resolve(): void }[] = [];
    const notify = (): void => {
      for (const waiter of [...waiters]) {
        if (!waiter.pattern.test(server[waiter.stream])) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    };
    const server: Server = {
      process: child,
      url: "",
      stdout: "",
      stderr: "",
      printed: (stream, pattern) =>
        new Promise((resolve) => {
          waiters.push({ stream, pattern, resolve });
          notify();
        }),
      stop: () =>
        new Promise((stopped) => {
          if (child.exitCode !== null) return stopped();
          child.once("exit", () => stopped());
          child.kill("SIGTERM");
        }),
    };
    child.stdout.on("data", (chunk) => {
      server.stdout += chunk;
      notify();
      const listening = /keysmith \S+ listening on (\S+)\n/.exec(server.stdout);
      if (listening?.[1] && server.url === "") {
        server.url = listening[1];
        done(server);
      }
    });
    child.stderr.on("data", (chunk) => {
      server.stderr += chunk;
      notify();
    });
    child.on("exit", (code) => {
      if (server.url === "")
        fail(new Error(`keysmith serve exited ${code} before listening\n${server.stdout}\n${server.stderr}`));
    });
  });
}

/** Where a step ran and what it printed, for a failure message. */
function report(block: ShellBlock, step: Step, output: Output, why: string): string {
  return [
    `README.md:${step.line} (block at line ${block.line}): ${why}`,
    step.text,
    `exit code ${output.code}`,
    "--- stdout",
    output.stdout.trimEnd(),
    "--- stderr",
    output.stderr.trimEnd(),
  ].join("\n");
}

describe("README.md", () => {
  let root = "";
  let cwd = "";
  let stateFile = "";
  let env: NodeJS.ProcessEnv = {};
  let baseline: string[] = [];
  let server: Server | null = null;
  let port = 0;
  let rootKey = "";
  let started = 0;

  beforeAll(async () => {
    if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run \`npm run build\` first`);
    // What the README's commands use besides keysmith: a missing one fails here, by name.
    for (const tool of ["bash", "curl", "jq", "openssl", "git"]) onPath(tool, "");
    started = performance.now();
    root = mkdtempSync(join(tmpdir(), "keysmith-readme-"));
    cwd = join(root, "project");
    const bin = join(root, "bin");
    const home = join(root, "home");
    for (const dir of [cwd, bin, home, join(root, "server")]) mkdirSync(dir);
    stateFile = join(root, "state.sh");
    writeFileSync(stateFile, "");
    const shim = (name: string, text: string): void => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${text}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    shim("keysmith", `exec "${process.execPath}" "${CLI_BIN}" "$@"`);
    shim(
      "npx",
      [
        'if [ "$1" = keysmith ]; then shift; exec keysmith "$@"; fi',
        'echo "readme test: npx runs only keysmith here, not $1" >&2; exit 127',
      ].join("\n"),
    );
    // Real curl, made strict: the answer's status is read from the headers it dumps.
    shim(
      "curl",
      [
        "headers=$(mktemp); trap 'rm -f \"$headers\"' EXIT",
        `"${onPath("curl", bin)}" -D "$headers" "$@" || exit $?`,
        "status=$(grep -E '^HTTP/' \"$headers\" | tail -n 1 | cut -d' ' -f2)",
        'case "$status" in [45]*) echo "readme test: curl got HTTP $status" >&2; exit 22 ;; esac',
      ].join("\n"),
    );
    env = {
      PATH: `${bin}${delimiter}${process.env.PATH ?? ""}`,
      HOME: home,
      TMPDIR: tmpdir(),
      LANG: "C.UTF-8",
      NO_COLOR: "1",
      GIT_AUTHOR_NAME: "Reader",
      GIT_AUTHOR_EMAIL: "reader@example.com",
      GIT_COMMITTER_NAME: "Reader",
      GIT_COMMITTER_EMAIL: "reader@example.com",
    };
    const git = await runProgram(
      "sh",
      ["-c", "git init -q -b main && git commit -q --allow-empty -m start"],
      {
        cwd,
        env,
      },
    );
    if (git.code !== 0) throw new Error(`git init failed: ${git.stderr}`);
    const names = await runProgram("bash", ["--noprofile", "--norc", "-c", "compgen -v"], { cwd, env });
    baseline = names.stdout.split("\n").filter(Boolean);
    writeFileSync(join(root, "baseline"), `${baseline.join("\n")}\n`);
    port = await freePort();
  });

  afterAll(async () => {
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
    if (started) console.info(`README test: ${Math.round(performance.now() - started)} ms`);
  });

  /** Runs one step in the session: the state before it is sourced, the state after it saved. */
  async function runStep(step: Step): Promise<Output> {
    const text = step.text.replaceAll(README_URL, server?.url ?? README_URL);
    const script = [
      `source ${JSON.stringify(stateFile)}`,
      `cd "$__README_CWD" 2>/dev/null || true`,
      "trap '__rc=$?; __save; exit $__rc' EXIT",
      "__save() {",
      `  { declare -p $(compgen -v | grep -vxF -f ${JSON.stringify(join(root, "baseline"))} | grep -v '^__rc$') 2>/dev/null`,
      `    printf '__README_CWD=%q\\n' "$PWD"; } > ${JSON.stringify(`${stateFile}.next`)}`,
      `  mv ${JSON.stringify(`${stateFile}.next`)} ${JSON.stringify(stateFile)}`,
      "}",
      "set -o pipefail",
      text,
    ].join("\n");
    // What the reader types into `read`: the root key the first start printed.
    const stdin = /^\s*read\b/.test(text) ? `${rootKey}\n` : "";
    return runProgram("bash", ["--noprofile", "--norc", "-c", script], { cwd, env, stdin });
  }

  /** The session's exported KEYSMITH_* settings: what a server started from it sees. */
  async function sessionSettings(): Promise<Record<string, string>> {
    const dumped = await runProgram(
      "bash",
      ["--noprofile", "--norc", "-c", `source ${JSON.stringify(stateFile)}; env -0`],
      { cwd, env },
    );
    const settings: Record<string, string> = {};
    for (const entry of dumped.stdout.split("\0")) {
      const at = entry.indexOf("=");
      const name = entry.slice(0, at);
      if (/^KEYSMITH_/.test(name)) settings[name] = entry.slice(at + 1);
    }
    return settings;
  }

  /**
   * A server block: `npm install` is not run (the test runs from an installed checkout), a
   * command that starts keysmith (`npm start`, `keysmith serve`) is the test's own (re)start, and
   * every other command runs in the session, in order.
   */
  async function serverBlock(block: ShellBlock): Promise<void> {
    expect(block.body, `README.md:${block.line}: a server block starts keysmith`).toMatch(STARTS_SERVER);
    for (const step of block.steps) {
      if (/^npm (install|ci)\b/.test(step.text)) continue;
      if (STARTS_SERVER.test(step.text)) {
        await restartServer(block);
        continue;
      }
      const output = await runStep(step);
      if (output.code !== 0) expect.fail(report(block, step, output, "the command failed"));
    }
  }

  async function restartServer(block: ShellBlock): Promise<void> {
    const first = server === null;
    await server?.stop();
    const { KEYSMITH_URL, KEYSMITH_ROOT_KEY, KEYSMITH_PROJECT, ...settings } = await sessionSettings();
    server = await startServer(
      {
        ...env,
        ...settings,
        KEYSMITH_DATABASE_URL: join(root, "server", "keysmith.db"),
        KEYSMITH_PORT: String(port),
      },
      cwd,
    );
    if (first) {
      // Everything the first start prints: the banner's closing rule, the "listening" line.
      await server.printed("stderr", /Bearer token:\n.*\n─+\n/);
      await server.printed("stdout", /keysmith \S+ listening on /);
      const keys = server.stderr.match(ROOT_KEY) ?? [];
      expect(keys, `README.md:${block.line}: the first start prints one root key`).toHaveLength(1);
      rootKey = keys[0] ?? "";
      checkFirstStart(server, block.line);
    } else {
      expect(server.stderr.match(ROOT_KEY), "a restart shows no root key").toBeNull();
    }
  }

  for (const block of blocks) {
    const title = `README.md:${block.line} (${block.lang})`;
    if (block.marker.kind === "skip") {
      it.skip(`${title}: skipped, ${block.marker.reason}`, () => {});
      continue;
    }
    if (block.marker.kind === "server") {
      it(`${title}: starts the server`, () => serverBlock(block), 120_000);
      continue;
    }
    it(`${title} runs as written`, async () => {
      for (const step of block.steps) {
        const output = await runStep(step);
        const exit = Number(/^exit (\d+)\b/.exec(step.expected[0] ?? "")?.[1] ?? 0);
        if (output.code !== exit)
          expect.fail(
            report(block, step, output, exit === 0 ? "the command failed" : `expected exit ${exit}`),
          );
        for (const expected of step.expected) {
          const printed = output.stdout;
          if (/^\s*[{[]/.test(expected)) {
            try {
              JSON.parse(printed);
            } catch {
              expect.fail(report(block, step, output, `the output is not the JSON shown: ${expected}`));
            }
          }
          for (const field of expectedFields(expected)) {
            if (!printed.includes(`"${field}":`))
              expect.fail(
                report(block, step, output, `the output has no "${field}" field, shown as: ${expected}`),
              );
          }
        }
      }
    }, 120_000);
  }

  it("serves on the documented port with `npm start`'s command", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
      scripts: { start: string };
    };
    expect(pkg.scripts.start).toMatch(/node packages\/cli\/dist\/bin\.js serve$/);
    const defaults = readFileSync(join(REPO, "packages/server/src/config.ts"), "utf8");
    expect(defaults).toMatch(/port: \{ env: "KEYSMITH_PORT", default: "8787" \}/);
    expect(README).toMatch(/`npm start` builds[^`]*then serves keysmith on\s+`http:\/\/127\.0\.0\.1:8787`/);
  });
});

/**
 * The README's sample of the first start (the block marked `first-start output`) against the real
 * one: npm's two command lines, the log lines (`[…] WARN: message`, found among the JSON log
 * lines on stdout), and the banner on stderr followed by the listening line, exactly, with the
 * key masked and the address the README's.
 */
function checkFirstStart(server: Server, serverLine: number): void {
  const sample = fencedBlocks(README).find((block) => block.markerText === "first-start output");
  if (!sample) throw new Error("README.md has no block marked <!-- readme-test: first-start output -->");
  expect(sample.line, "the sample follows the server block").toBeGreaterThan(serverLine);
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
    name: string;
    version: string;
    scripts: { start: string };
  };
  const mask = (text: string) => text.replace(ROOT_KEY, "ks_root_live_…").replaceAll(server.url, README_URL);
  const logs = server.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
  const LEVELS: Record<string, number> = { TRACE: 10, DEBUG: 20, INFO: 30, WARN: 40, ERROR: 50, FATAL: 60 };
  const printed: string[] = [];
  for (const line of sample.body.split("\n")) {
    const npm = /^> (.*)$/.exec(line);
    const log = /^\[…\] ([A-Z]+): (.*)$/.exec(line);
    if (npm) {
      expect([`${pkg.name}@${pkg.version} start`, pkg.scripts.start], "npm's own lines").toContain(npm[1]);
    } else if (log) {
      const found = logs.some((l) => l.level === LEVELS[log[1] ?? ""] && mask(l.msg) === log[2]);
      expect(found, `README sample log line "${line}" among the real ones:\n${server.stdout}`).toBe(true);
    } else if (line !== "") {
      printed.push(line);
    }
  }
  const listening = /^keysmith \S+ listening on \S+$/m.exec(server.stdout)?.[0] ?? "";
  const real = [...mask(server.stderr).split("\n"), mask(listening)].filter((line) => line !== "");
  expect(printed, "the README's first-start sample is the real banner (key masked)").toEqual(real);
}
