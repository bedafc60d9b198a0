import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** bench/ and the repository root, without a trailing slash. */
export const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
export const REPO_DIR = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

let tasksetAvailable;

/** Whether `taskset` can pin processes here (it can fail in some containers). */
export function canPin() {
  if (tasksetAvailable === undefined) {
    const probe = spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
    tasksetAvailable = probe.status === 0;
  }
  return tasksetAvailable;
}

/** The command and arguments to run `command args…` on one CPU, or unpinned without taskset. */
export function pinned(cpu, command, args) {
  if (cpu === null || cpu === undefined || !canPin()) return [command, args];
  return ["taskset", ["-c", String(cpu), command, ...args]];
}

/** The first executable of that name on PATH, or null. */
export function which(name) {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

/**
 * Starts a Node script in a child process, optionally pinned to one CPU, with an IPC channel.
 * Children report with `process.send({ type, … })`; `message(type)` waits for one. Secrets
 * (keys) travel over IPC or the environment, never argv or stdout.
 *
 * @example
 * const server = startNode("servers/bare.js", { cpu: 0 });
 * const { url } = await server.message("ready");
 * await server.stop();
 */
export function startNode(script, { cpu = null, env = {}, nodeArgs = [] } = {}) {
  const [command, args] = pinned(cpu, process.execPath, [...nodeArgs, `${BENCH_DIR}/${script}`]);
  const child = spawn(command, args, {
    cwd: REPO_DIR,
    // The child's stdout (a server's log lines) goes to stderr: stdout is the result table.
    stdio: ["ignore", 2, 2, "ipc"],
    env: { ...process.env, ...env },
  });
  const queue = [];
  const waiters = [];
  let exited = null;
  const deliver = () => {
    for (let w = 0; w < waiters.length; w++) {
      const waiter = waiters[w];
      const index = queue.findIndex((m) => m.type === waiter.type || m.type === "error");
      if (index >= 0) {
        const [found] = queue.splice(index, 1);
        waiters.splice(w--, 1);
        clearTimeout(waiter.timer);
        if (found.type === "error") waiter.reject(new Error(`${script}: ${found.message}`));
        else waiter.resolve(found);
      } else if (exited !== null) {
        waiters.splice(w--, 1);
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`${script} exited (${exited}) before sending "${waiter.type}"`));
      }
    }
  };
  child.on("message", (message) => {
    queue.push(message);
    deliver();
  });
  const done = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      exited = signal ?? code;
      deliver();
      resolve(exited);
    });
  });
  child.on("error", (error) => {
    queue.push({ type: "error", message: error.message });
    deliver();
  });
  return {
    child,
    done,
    /** Waits for the next message of this type (or the child's error report). */
    message(type, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const waiter = { type, resolve, reject, timer: null };
        waiter.timer = setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`${script}: no "${type}" message within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(waiter);
        deliver();
      });
    },
    send(message) {
      child.send(message);
    },
    /** Asks the child to shut down cleanly (so --cpu-prof writes its profile), then kills it. */
    async stop(graceMs = 10_000) {
      if (exited !== null) return exited;
      if (child.connected) child.send({ type: "stop" });
      else child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const result = await done;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Runs a command to completion, capturing stdout and stderr. */
export function runCommand(command, args, { env = {}, timeoutMs = 300_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_DIR,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Handles the parent's "stop" message and SIGTERM/SIGINT in a child, once. */
export function onStop(stop) {
  let stopping = false;
  const run = () => {
    if (stopping) return;
    stopping = true;
    Promise.resolve()
      .then(stop)
      .then(
        () => process.exit(0),
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
  };
  process.on("message", (message) => {
    if (message?.type === "stop") run();
  });
  process.on("SIGTERM", run);
  process.on("SIGINT", run);
  process.on("disconnect", run);
}

/** Reports a child's fatal error to the parent, then exits. */
export function failChild(error) {
  const message = error instanceof Error ? error.message : String(error);
  if (process.send) process.send({ type: "error", message }, () => process.exit(1));
  else {
    console.error(message);
    process.exit(1);
  }
}
