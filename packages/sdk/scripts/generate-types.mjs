/**
 * `npm run generate -w @keysmith/sdk`: builds the keysmith app in-process from the built
 * server (packages/server/dist, so run `npm run build` first) on an in-memory database, reads
 * its `/openapi.json` and writes src/generated/openapi.ts; and copies the core's rate-limit
 * scripts and duration parser (src/generated/rate-limit.ts, duration.ts), which the SDK cannot
 * import (it has no runtime dependencies). With `--check` it writes nothing and exits 1 when a
 * committed file differs.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildApp, createLogger, openStore } from "../../server/dist/index.js";
import { copiedCoreFiles } from "./core-copies.mjs";
import { openapiToTypeScript } from "./openapi-to-ts.mjs";

const TARGET = fileURLToPath(new URL("../src/generated/openapi.ts", import.meta.url));

async function openapiDocument() {
  const store = await openStore(":memory:");
  const keysmith = await buildApp({ store, logger: createLogger("silent") });
  try {
    const response = await keysmith.app.inject({ method: "GET", url: "/openapi.json" });
    if (response.statusCode !== 200) throw new Error(`/openapi.json answered ${response.statusCode}`);
    return response.json();
  } finally {
    await keysmith.close();
    await store.close();
  }
}

const outputs = [[TARGET, openapiToTypeScript(await openapiDocument())], ...copiedCoreFiles()];
for (const [target, source] of outputs) {
  if (process.argv.includes("--check")) {
    let committed = "";
    try {
      committed = readFileSync(target, "utf8");
    } catch {}
    if (committed !== source) {
      console.error(`${target} is out of date: run npm run generate -w @keysmith/sdk`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(target, source);
    console.log(`wrote ${target}`);
  }
}
