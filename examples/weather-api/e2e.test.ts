import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKeysmith, type TestKeysmith } from "../../packages/sdk/src/test-support/keysmith.js";

const API_DIR = fileURLToPath(new URL(".", import.meta.url));
const CLIENT = fileURLToPath(new URL("../client/client.js", import.meta.url));

/** Starts `node server.js` as the README does and resolves with its URL once it listens. */
async function startWeatherApi(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["server.js"], {
    cwd: API_DIR,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`the weather API exited (${code}) before listening`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) return match[1];
    }
    throw new Error("the weather API closed its output before listening");
  })();
  const url = await Promise.race([listening, exited]);
  return { url, child };
}

async function runClient(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLIENT, ...args], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("the weather API example, end to end", () => {
  let keysmith: TestKeysmith;
  let api: { url: string; child: ChildProcess };
  let customerKey: string;
  let keyId: string;

  beforeAll(async () => {
    keysmith = await startKeysmith();
    // The API gets a root key that can only verify, bound to its project: least privilege.
    const verifier = await keysmith.admin.rootKeys.create({
      projectId: keysmith.projectId,
      scopes: ["keys:verify"],
    });
    const issued = await keysmith.key({
      type: "restricted",
      ownerId: "cus_weather",
      scopes: ["weather:read"],
      credits: { remaining: 10 },
    });
    customerKey = issued.key;
    keyId = issued.id;
    api = await startWeatherApi({ KEYSMITH_URL: keysmith.url, KEYSMITH_ROOT_KEY: verifier.key, PORT: "0" });
  });

  afterAll(async () => {
    if (api?.child.exitCode === null) {
      const exited = once(api.child, "exit");
      api.child.kill("SIGTERM");
      await exited;
    }
    await keysmith?.stop();
  });

  it("prints the forecast for a key with weather:read, and charges one credit", async () => {
    const result = await runClient(["forecast", "Paris"], {
      WEATHER_API_KEY: customerKey,
      WEATHER_API_URL: api.url,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Forecast for Paris:\n( {2}\d{4}-\d{2}-\d{2} {2}\d+–\d+ °C {2}rain \d+ mm\n){3}$/,
    );
    expect((await keysmith.admin.keys.get(keyId)).credits?.remaining).toBe(9);
  });

  it("explains a refusal: alerts need alerts:read", async () => {
    const result = await runClient(["alerts", "Paris"], {
      WEATHER_API_KEY: customerKey,
      WEATHER_API_URL: api.url,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("403 INSUFFICIENT_SCOPE: The API key lacks a scope this call needs.\n");
  });

  it("refuses to run without WEATHER_API_KEY, and never prints a key", async () => {
    const missing = await runClient(["forecast"], { WEATHER_API_URL: api.url });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("WEATHER_API_KEY");
    const wrong = await runClient(["forecast"], {
      WEATHER_API_KEY: `${customerKey.slice(0, -1)}${customerKey.endsWith("0") ? "1" : "0"}`,
      WEATHER_API_URL: api.url,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe("401 MALFORMED: The API key is not a valid key.\n");
    expect(wrong.stderr + wrong.stdout).not.toContain(customerKey.slice(0, -1));
  });
});
