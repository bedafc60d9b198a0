import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
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
): Promise<{ child: ChildProcess; url: string; output: string }> {
  const child = keysmith(["serve"], env);
  const stderr = collect(child.stderr);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let output = "";
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
  return { child, url, output };
}

describe("the keysmith binary", () => {
  it("prints a root key on the first start only, and exits 0 on SIGTERM", async () => {
    const env = {
      KEYSMITH_DATABASE_URL: join(dir.path, "keysmith.db"),
      KEYSMITH_PORT: "0",
      KEYSMITH_LOG_LEVEL: "warn",
    };
    const first = await serve(env);
    const rootKeys = keysIn(first.output);
    expect(rootKeys).toHaveLength(1);
    expect(first.output).toContain("shown once — store it now");

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

    const second = await serve(env);
    expect(keysIn(second.output)).toEqual([]);
    const secondExit = exited(second.child);
    second.child.kill("SIGINT");
    expect(await secondExit).toEqual({ code: 0, signal: null });
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
