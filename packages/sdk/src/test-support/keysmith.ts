import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, type RunningServer, startServer } from "@keysmith/server";
import { Keysmith } from "../client.js";
import type { IssuedKey, KeyCreate } from "../types.js";

export interface TestKeysmith {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The bootstrap admin root key. */
  rootKey: string;
  /** An admin client with the default settings. */
  admin: Keysmith;
  projectId: string;
  running: RunningServer;
  /** Creates a key in the test project. */
  key(fields?: Omit<KeyCreate, "projectId">): Promise<IssuedKey>;
  /** Verifications the server has answered so far (its own Prometheus counter). */
  verifications(): Promise<number>;
  stop(): Promise<void>;
}

let projects = 0;

/**
 * A real keysmith server as `keysmith serve` runs it (startServer: SQLite file, migrations,
 * bootstrap root key) on a temporary database and a free port, with one project.
 */
export async function startKeysmith(): Promise<TestKeysmith> {
  const dir = mkdtempSync(join(tmpdir(), "keysmith-sdk-"));
  const loaded = loadConfig(
    {},
    {
      databaseUrl: join(dir, "keysmith.db"),
      host: "127.0.0.1",
      port: "0",
      logLevel: "silent",
      // Test webhook endpoints are on loopback, which webhooks may target only when allowed.
      webhookAllowPrivate: "true",
      masterKey: randomBytes(32).toString("base64"),
    },
  );
  if (!loaded.ok) throw new Error(loaded.error);
  const running = await startServer(loaded.config, createLogger("silent"));
  const rootKey = running.rootKey;
  if (rootKey === null) throw new Error("a fresh database did not create a root key");
  const admin = new Keysmith({ baseUrl: running.url, rootKey });
  const prefix = `sdk${(++projects).toString(36)}${process.pid.toString(36)}`.slice(0, 12);
  const project = await admin.projects.create({ name: `SDK tests ${prefix}`, prefix });
  return {
    url: running.url,
    rootKey,
    admin,
    projectId: project.id,
    running,
    key: (fields = {}) => admin.keys.create({ projectId: project.id, ...fields }),
    async verifications() {
      return running.keysmith.metrics.verificationCount();
    },
    async stop() {
      try {
        await running.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
