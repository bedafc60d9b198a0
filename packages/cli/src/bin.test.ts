import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { keysIn, tempDir } from "./test-support/cli.js";

// The built binary, as `npm start` and the `keysmith` bin run it.
const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

let dir: ReturnType<typeof tempDir>;
let children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
});

beforeEach(() => {
  dir = tempDir();
});

afterEach(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children = [];
  dir.remove();
});

function keysmith(args: string[], env: Record<string, string>): ChildProcess {
  const { PATH, HOME, SYSTEMROOT } = process.env;
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH, HOME, SYSTEMROOT, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    text += chunk;
  });
  return () => text;
}

/** Starts `keysmith serve` and resolves with its stdout up to the "listening on" line. */
async function serve(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; output: string; stdout: () => string; stderr: () => string }> {
  const child = keysmith(["serve"], env);
  const stderr = collect(child.stderr);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let output = "";
  let all = "";
  lines.on("line", (line) => {
    all += `${line}\n`;
  });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      output += `${line}\n`;
      const match = /^keysmith \S+ listening on (http:\/\/\S+)$/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
    child.once("exit", (code) =>
      reject(new Error(`serve exited with ${code} before listening: ${stderr()}`)),
    );
  });
  return { child, url, output, stdout: () => all, stderr };
}

describe("the keysmith binary", () => {
  it("prints a root key on stderr on the first start only, never in stdout's log lines, and exits 0 on SIGTERM", async () => {
    const env = {
      KEYSMITH_DATABASE_URL: join(dir.path, "keysmith.db"),
      KEYSMITH_PORT: "0",
      // Info: stdout carries the JSON log lines (one per request below).
      KEYSMITH_LOG_LEVEL: "info",
    };
    const first = await serve(env);
    // Written before "listening" on stdout; read once stderr has delivered it.
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (keysIn(first.stderr()).length > 0) resolve();
        else first.child.stderr?.once("data", check);
      };
      check();
    });
    const rootKeys = keysIn(first.stderr());
    expect(rootKeys).toHaveLength(1);
    expect(first.stderr()).toContain("shown once — store it now");

    // While it runs: a client command through the binary, the key to verify piped on stdin.
    const project = keysmith(["projects", "create", "--name", "Acme", "--prefix", "acme", "--json"], {
      KEYSMITH_URL: first.url,
      KEYSMITH_ROOT_KEY: rootKeys[0] as string,
    });
    const projectOut = collect(project.stdout);
    expect((await exited(project)).code).toBe(0);
    const projectId = (JSON.parse(projectOut()) as { id: string }).id;
    const create = keysmith(["keys", "create", "--project", projectId, "--json"], {
      KEYSMITH_URL: first.url,
      KEYSMITH_ROOT_KEY: rootKeys[0] as string,
    });
    const createOut = collect(create.stdout);
    expect((await exited(create)).code).toBe(0);
    const { key } = JSON.parse(createOut()) as { key: string };

    const verify = keysmith(["keys", "verify"], {
      KEYSMITH_URL: first.url,
      KEYSMITH_ROOT_KEY: rootKeys[0] as string,
    });
    const verifyOut = collect(verify.stdout);
    verify.stdin?.end(`${key}\n`);
    expect((await exited(verify)).code).toBe(0);
    expect(verifyOut()).toMatch(/code:\s+VALID/);

    const firstExit = exited(first.child);
    first.child.kill("SIGTERM");
    expect(await firstExit).toEqual({ code: 0, signal: null });
    const logLines = first
      .stdout()
      .split("\n")
      .filter((line) => line.startsWith("{"));
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(JSON.parse(line)).toHaveProperty("level");
    expect(first.stdout()).not.toContain(rootKeys[0]);
    expect(keysIn(first.stdout())).toEqual([]);
    expect(keysIn(first.stderr())).toEqual(rootKeys);

    const second = await serve(env);
    const secondExit = exited(second.child);
    second.child.kill("SIGINT");
    expect(await secondExit).toEqual({ code: 0, signal: null });
    expect(keysIn(second.stdout())).toEqual([]);
    expect(second.stderr()).toBe("");
  });

  it("writes the first root key to KEYSMITH_ROOT_KEY_FILE with mode 0600, and nowhere else", async () => {
    const file = join(dir.path, "root-key");
    const env = {
      KEYSMITH_DATABASE_URL: join(dir.path, "keysmith.db"),
      KEYSMITH_PORT: "0",
      KEYSMITH_LOG_LEVEL: "info",
      KEYSMITH_ROOT_KEY_FILE: file,
    };
    const first = await serve(env);
    const firstExit = exited(first.child);
    first.child.kill("SIGTERM");
    expect(await firstExit).toEqual({ code: 0, signal: null });
    const written = readFileSync(file, "utf8");
    expect(keysIn(written)).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keysIn(first.stdout() + first.stderr())).toEqual([]);

    const second = await serve(env);
    const secondExit = exited(second.child);
    second.child.kill("SIGTERM");
    expect(await secondExit).toEqual({ code: 0, signal: null });
    expect(readFileSync(file, "utf8")).toBe(written);
    expect(keysIn(second.stdout())).toEqual([]);
    expect(second.stderr()).toBe("");
  });

  it("exits 2 with a one-line reason on an invalid configuration", async () => {
    const child = keysmith(["serve"], {
      KEYSMITH_PORT: "not-a-port",
      KEYSMITH_DATABASE_URL: join(dir.path, "x.db"),
    });
    const stderr = collect(child.stderr);
    const stdout = collect(child.stdout);
    expect((await exited(child)).code).toBe(2);
    expect(stderr()).toMatch(/^keysmith: invalid configuration: KEYSMITH_PORT="not-a-port": [^\n]+\n$/);
    expect(stdout()).toBe("");
  });
});
