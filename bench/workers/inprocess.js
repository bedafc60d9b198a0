/**
 * In-process cached verification, measured in a child pinned to one CPU. Builds keysmith on
 * SQLite `:memory:`, creates a project and BENCH_KEYS keys through the HTTP API (inject),
 * loads them all into the verify cache, then times tight loops of `verifier.verify` against
 * the floor (`crypto.hash` SHA-256 hex + `Map.get`) in interleaved runs, so drift on a shared
 * machine hits every measure alike. Sends `{ type: "result", measures }` over IPC.
 */
import { hash } from "node:crypto";
import {
  bootstrapRootKey,
  buildApp,
  createLogger,
  openStore,
  systemClock,
} from "../../packages/server/dist/index.js";
import { failChild } from "../lib/child.js";
import { createKeys, injectJson } from "../lib/keysmith.js";

const KEYS = Number(process.env.BENCH_KEYS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 500);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1500);
const BATCH = 20_000;

/** Calls `loop(BATCH)` until `ms` have passed; returns ops/s. `loop` returns how many succeeded. */
function time(loop, ms) {
  let ops = 0;
  const start = performance.now();
  let now = start;
  do {
    const ok = loop(BATCH);
    if (ok !== BATCH) throw new Error(`${BATCH - ok} of ${BATCH} calls were not a synchronous VALID hit`);
    ops += BATCH;
    now = performance.now();
  } while (now - start < ms);
  return ops / ((now - start) / 1000);
}

async function main() {
  const store = await openStore(":memory:");
  const rootKey = await bootstrapRootKey(store, systemClock);
  const keysmith = await buildApp({ store, logger: createLogger("silent") });
  const setupStart = performance.now();
  const { projectId, keys } = await createKeys(keysmith.app, rootKey, { count: KEYS });
  const setupMs = performance.now() - setupStart;

  const { verifier } = keysmith;
  // Request objects built once, as a caller holding a parsed body would pass them.
  const requests = keys.map((key) => ({ key }));
  for (const request of requests) {
    const result = await verifier.verify(request, projectId);
    if (result.code !== "VALID") throw new Error(`setup: a fresh key verified as ${result.code}`);
  }
  const hot = requests[0];
  // One more key with scopes, for the scope checks: `scopes` (all of) and a permission query.
  const scoped = await injectJson(keysmith.app, `Bearer ${rootKey}`, "POST", "/v1/keys", {
    projectId,
    scopes: ["invoices:*", "billing:*"],
  });
  const withScopes = { key: scoped.key, scopes: ["invoices:read", "billing:write"] };
  const withQuery = { key: scoped.key, permissions: "invoices:read AND (refunds:write OR billing:*)" };
  for (const request of [withScopes, withQuery]) {
    const result = await verifier.verify(request, projectId);
    if (result.code !== "VALID") throw new Error(`setup: the scoped key verified as ${result.code}`);
  }

  // The floor: what any cached verify must do at least — hash the key, look the hash up.
  const table = new Map();
  for (const key of keys) table.set(hash("sha256", key, "hex"), { key: null });
  const hotKey = keys[0];

  // One closure per measure keeps each call site monomorphic.
  let ci = 0;
  const verifyCycled = (n) => {
    let ok = 0;
    for (let j = 0; j < n; j++) {
      if (verifier.verify(requests[ci], projectId).valid === true) ok++;
      ci = ci + 1 === requests.length ? 0 : ci + 1;
    }
    return ok;
  };
  const verifyHot = (n) => {
    let ok = 0;
    for (let j = 0; j < n; j++) if (verifier.verify(hot, projectId).valid === true) ok++;
    return ok;
  };
  const verifyScopes = (n) => {
    let ok = 0;
    for (let j = 0; j < n; j++) if (verifier.verify(withScopes, projectId).valid === true) ok++;
    return ok;
  };
  const verifyQuery = (n) => {
    let ok = 0;
    for (let j = 0; j < n; j++) if (verifier.verify(withQuery, projectId).valid === true) ok++;
    return ok;
  };
  let fi = 0;
  const floorCycled = (n) => {
    let ok = 0;
    for (let j = 0; j < n; j++) {
      if (table.get(hash("sha256", keys[fi], "hex")) !== undefined) ok++;
      fi = fi + 1 === keys.length ? 0 : fi + 1;
    }
    return ok;
  };
  const floorHot = (n) => {
    let ok = 0;
    for (let j = 0; j < n; j++) if (table.get(hash("sha256", hotKey, "hex")) !== undefined) ok++;
    return ok;
  };
  const measures = [
    { id: "verify-cycled", loop: verifyCycled, runs: [] },
    { id: "verify-hot", loop: verifyHot, runs: [] },
    { id: "verify-hot-scopes", loop: verifyScopes, runs: [] },
    { id: "verify-hot-permissions", loop: verifyQuery, runs: [] },
    { id: "floor-cycled", loop: floorCycled, runs: [] },
    { id: "floor-hot", loop: floorHot, runs: [] },
  ];

  for (const m of measures) time(m.loop, WARMUP_MS / measures.length);
  for (let run = 0; run < RUNS; run++) {
    // Rotate the order so no measure always runs first after a collection.
    for (let k = 0; k < measures.length; k++) {
      const m = measures[(k + run) % measures.length];
      m.runs.push(time(m.loop, RUN_MS));
    }
  }

  await keysmith.close();
  await store.close();
  const result = {
    type: "result",
    keys: KEYS,
    setupMs,
    measures: measures.map(({ id, runs }) => ({ id, runs })),
  };
  await new Promise((resolve) => process.send(result, resolve));
}

// Exit explicitly once the result is sent, so --cpu-prof writes its profile.
main().then(
  () => process.exit(0),
  (error) => failChild(error),
);
