import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../../cli/dist/bin.js", import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: tests read response JSON freely
type Json = any;

export interface Node {
  name: string;
  url: string;
  rootKey: string | null;
  process: ChildProcess;
  /** Every log line the node wrote. */
  logs: string[];
  post(path: string, body: unknown, key: string): Promise<{ status: number; body: Json }>;
  get(path: string, key: string): Promise<{ status: number; body: Json }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts one keysmith node as its own process (the built CLI, `serve --json`), the way an
 * operator runs it, and resolves once it listens.
 */
export async function startNode(name: string, env: Record<string, string>): Promise<Node> {
  const child = spawn(process.execPath, [BIN, "serve", "--json", "--port", "0", "--log-level", "warn"], {
    env: {
      ...process.env,
      ...env,
      KEYSMITH_USAGE_FLUSH_MS: "200",
      // A loaded test machine can starve a node for a while: let Redis calls wait rather than
      // fail open, which would let extra calls through and blur what the test measures.
      KEYSMITH_REDIS_TIMEOUT_MS: "5000",
      KEYSMITH_RATE_LIMIT_FAILURE_MODE: "closed",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => logs.push(line));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // Log lines (JSON from pino) share standard output with the one line `serve --json` prints.
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on("line", (line) => {
      if (line.startsWith('{"url"')) resolve(line);
      else logs.push(line);
    });
    child.once("exit", (code) =>
      reject(new Error(`${name} exited with ${code} before listening: ${logs.join("\n")}`)),
    );
  });
  const { url, rootKey } = JSON.parse(first) as { url: string; rootKey: string | null };
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  return {
    name,
    url,
    rootKey,
    process: child,
    logs,
    post: (path, body, key) => call("POST", path, key, body),
    get: (path, key) => call("GET", path, key),
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * The nodes of deploy/Procfile as environments: the README's example is what the cluster test
 * runs (with the ports left to the system and the URLs pointed at the test's services).
 */
export function procfileNodes(text: string, values: Record<string, string>): Record<string, string>[] {
  return text
    .split("\n")
    .filter((line) => /^[a-z0-9]+:/.test(line))
    .map((line) => {
      const command = line.slice(line.indexOf(":") + 1).trim();
      if (!command.endsWith("keysmith serve"))
        throw new Error(`Procfile entry does not run keysmith serve: ${line}`);
      const env: Record<string, string> = {};
      for (const [, name, value] of command.matchAll(/([A-Z_]+)=(\S+)/g)) {
        env[name as string] = (value as string).replace(/^\$([A-Z_]+)$/, (_m, v: string) => values[v] ?? "");
      }
      env.KEYSMITH_PORT = "0";
      return env;
    });
}

export function clusterPrefix(): string {
  return `keysmith-test-${randomBytes(4).toString("hex")}:`;
}
