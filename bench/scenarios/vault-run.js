/**
 * `keysmith run`: what wrapping a program costs at its start. Spawns `node -e 0` bare and as
 * `keysmith run --env bench -- node -e 0` (the built CLI fetching 100 secrets from a running
 * server in one request and injecting them), alternating, each timed from spawn to exit, and
 * reports the medians and their difference. The commands run on CPU 0, the server on CPU 1.
 */
import { spawn } from "node:child_process";
import { pinned, REPO_DIR, startNode } from "../lib/child.js";
import { formatMs, median } from "../lib/stats.js";

export const name = "vault-run";
export const order = 40;
export const description = "keysmith run -- node -e 0 with 100 secrets vs a bare node -e 0";

const TARGET = { op: "<=", value: 150, unit: "ms", what: "added" };
const BIN = `${REPO_DIR}/packages/cli/dist/bin.js`;

/** Spawns the command pinned to CPU 0; resolves with its wall time in ms, or rejects on a non-zero exit. */
function timed(args, env) {
  const [command, argv] = pinned(0, process.execPath, args);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${args.slice(0, 4).join(" ")} exited ${code}: ${stderr.slice(0, 300)}`));
    });
  });
}

export async function run(options, log) {
  const runs = Number(process.env.BENCH_VAULT_RUNS ?? 21);
  const server = startNode("servers/vault.js", {
    cpu: 1,
    nodeArgs: options.profile ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [],
  });
  try {
    const ready = await server.message("ready");
    log(`server with ${ready.secrets} secrets at ${ready.url}; ${runs} runs of each command`);
    // Only what the CLI needs: a KEYSMITH_* variable in the caller's shell must not leak in.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KEYSMITH_URL: ready.url,
      KEYSMITH_ROOT_KEY: ready.rootKey,
      KEYSMITH_PROJECT: ready.projectId,
    };
    const bare = ["-e", "0"];
    const wrapped = [BIN, "run", "--env", "bench", "--", process.execPath, "-e", "0"];
    // The injection itself, checked once: the child sees every secret.
    const check = `process.exit(Object.keys(process.env).filter((k) => k.startsWith("BENCH_SECRET_")).length === ${ready.secrets} ? 0 : 3)`;
    await timed([BIN, "run", "--env", "bench", "--", process.execPath, "-e", check], env);
    for (let i = 0; i < 3; i++) {
      await timed(bare, env);
      await timed(wrapped, env);
    }
    const times = { bare: [], wrapped: [] };
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so drift in the machine's load hits both alike.
      if (i % 2 === 0) {
        times.bare.push(await timed(bare, env));
        times.wrapped.push(await timed(wrapped, env));
      } else {
        times.wrapped.push(await timed(wrapped, env));
        times.bare.push(await timed(bare, env));
      }
    }
    const bareMs = median(times.bare);
    const wrappedMs = median(times.wrapped);
    const added = wrappedMs - bareMs;
    const paired = median(times.wrapped.map((t, i) => t - times.bare[i]));
    return [
      {
        scenario: name,
        measure: "node -e 0, bare",
        value: bareMs,
        unit: "ms",
        detail: `median of ${runs}`,
        runs: times.bare,
      },
      {
        scenario: name,
        measure: `keysmith run -- node -e 0, ${ready.secrets} secrets`,
        value: wrappedMs,
        unit: "ms",
        detail: `median of ${runs}; one request, values decrypted by the server`,
        runs: times.wrapped,
      },
      {
        scenario: name,
        measure: "added by keysmith run",
        value: added,
        unit: "ms",
        detail: `difference of medians (median of paired differences ${formatMs(paired)})`,
        target: TARGET,
        met: added <= TARGET.value,
      },
    ];
  } finally {
    await server.stop();
  }
}
