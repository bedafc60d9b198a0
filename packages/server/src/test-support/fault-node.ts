import { Writable } from "node:stream";
import { loadConfig } from "../config.js";
import { createLogger } from "../logger.js";
import { type RunningServer, startServer } from "../server.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read response JSON freely
type Json = any;

export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
  /** How long the answer took, in ms (fetch to body read). */
  ms: number;
}

export interface FaultNode {
  server: RunningServer;
  rootKey: string;
  /** Every line the node logged, parsed. */
  logs: Json[];
  call(method: string, path: string, body?: unknown, key?: string): Promise<Answer>;
  verify(key: string, extra?: Record<string, unknown>): Promise<Answer>;
  stop(): Promise<void>;
}

/**
 * A keysmith node started the way `keysmith serve` starts one (config from the environment,
 * real timers, listening on a port), in-process so a test can read its logs, for fault tests
 * that cut its database or Redis under it.
 */
export async function startFaultNode(env: Record<string, string>): Promise<FaultNode> {
  const loaded = loadConfig({ KEYSMITH_PORT: "0", KEYSMITH_LOG_LEVEL: "info", ...env });
  if (!loaded.ok) throw new Error(loaded.error);
  const logs: Json[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n")) if (line.trim()) logs.push(JSON.parse(line));
      callback();
    },
  });
  const server = await startServer(loaded.config, createLogger(loaded.config.logLevel, { destination }));
  const rootKey = server.rootKey as string;
  const call: FaultNode["call"] = async (method, path, body, key = rootKey) => {
    const started = performance.now();
    const response = await fetch(server.url + path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: Json = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return {
      status: response.status,
      headers: response.headers,
      body: parsed,
      ms: performance.now() - started,
    };
  };
  return {
    server,
    rootKey,
    logs,
    call,
    verify: (key, extra = {}) => call("POST", "/v1/keys/verify", { key, ...extra }),
    stop: () => server.stop(),
  };
}

/** The value at quantile `q` (0–1) of `values`. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}
