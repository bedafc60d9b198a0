import { Writable } from "node:stream";
import { buildApp, type KeysmithApp } from "../app.js";
import { createLogger } from "../logger.js";
import type { Store } from "../storage/store.js";

/** An app whose every database call fails, to see what a client gets from a 500. */
export async function failingApp(): Promise<KeysmithApp> {
  const fail = async (): Promise<never> => {
    throw new Error("boom: connection refused at 10.0.0.5:5432");
  };
  const store = new Proxy({} as Store, { get: () => fail });
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return buildApp({ store, logger: createLogger("fatal", { destination: sink }) });
}
