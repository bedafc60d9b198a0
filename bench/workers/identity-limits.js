/**
 * Verify with an identity's shared rate limit against verify with the key's own limit, in one
 * process pinned to one CPU, on keysmith's default memory rate-limit store: the same window
 * (1,000,000,000 a day, never refusing during the run), once on each key, once on the identity
 * its keys share. Keys are created through the API (inject) and cached first; the measures
 * run interleaved. Sends `{ type: "result", measures }` over IPC.
 */
import {
  bootstrapRootKey,
  buildApp,
  createLogger,
  openStore,
  systemClock,
} from "../../packages/server/dist/index.js";
import { failChild } from "../lib/child.js";
import { injectJson } from "../lib/keysmith.js";

const KEYS = Number(process.env.BENCH_KEYS ?? 1000);
const KEYS_PER_IDENTITY = 10;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 500);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1500);
const BATCH = 20_000;
const WINDOW = { name: "daily", limit: 1_000_000_000, duration: "1d" };

function time(loop, ms) {
  let ops = 0;
  const start = performance.now();
  let now = start;
  do {
    const ok = loop(BATCH);
    if (ok !== BATCH) throw new Error(`${BATCH - ok} of ${BATCH} calls were not a synchronous VALID answer`);
    ops += BATCH;
    now = performance.now();
  } while (now - start < ms);
  return ops / ((now - start) / 1000);
}

async function main() {
  const store = await openStore(":memory:");
  const rootKey = await bootstrapRootKey(store, systemClock);
  const keysmith = await buildApp({ store, logger: createLogger("silent") });
  const auth = `Bearer ${rootKey}`;
  const post = (url, body) => injectJson(keysmith.app, auth, "POST", url, body);
  const project = await post("/v1/projects", { name: "bench identities", prefix: "benchidt" });

  const own = [];
  const shared = [];
  for (let i = 0; i < KEYS; i++) {
    own.push((await post("/v1/keys", { projectId: project.id, ratelimits: [WINDOW] })).key);
    const externalId = `cus_${Math.floor(i / KEYS_PER_IDENTITY)}`;
    if (i % KEYS_PER_IDENTITY === 0)
      await post("/v1/identities", { projectId: project.id, externalId, ratelimits: [WINDOW] });
    shared.push((await post("/v1/keys", { projectId: project.id, ownerId: externalId })).key);
  }

  const { verifier } = keysmith;
  const ownRequests = own.map((key) => ({ key }));
  const sharedRequests = shared.map((key) => ({ key }));
  for (const request of [...ownRequests, ...sharedRequests]) {
    const result = await verifier.verify(request, project.id);
    if (result.code !== "VALID" || result.ratelimits.length !== 1)
      throw new Error(
        `setup: a fresh key verified as ${result.code} with ${result.ratelimits.length} windows`,
      );
  }
  const sample = await verifier.verify(sharedRequests[0], project.id);
  if (sample.identity === null) throw new Error("setup: an identity's key verified without its identity");

  const cycle = (requests) => {
    let i = 0;
    return (n) => {
      let ok = 0;
      for (let j = 0; j < n; j++) {
        const result = verifier.verify(requests[i], project.id);
        if (result.valid === true) ok++;
        i = i + 1 === requests.length ? 0 : i + 1;
      }
      return ok;
    };
  };
  const measures = [
    { id: "own", loop: cycle(ownRequests), runs: [] },
    { id: "identity", loop: cycle(sharedRequests), runs: [] },
  ];
  for (const m of measures) time(m.loop, WARMUP_MS / measures.length);
  for (let run = 0; run < RUNS; run++) {
    for (let k = 0; k < measures.length; k++) {
      const m = measures[(k + run) % measures.length];
      m.runs.push(time(m.loop, RUN_MS));
    }
  }

  await keysmith.close();
  await store.close();
  const result = { type: "result", keys: KEYS, measures: measures.map(({ id, runs }) => ({ id, runs })) };
  await new Promise((resolve) => process.send(result, resolve));
}

main().then(
  () => process.exit(0),
  (error) => failChild(error),
);
