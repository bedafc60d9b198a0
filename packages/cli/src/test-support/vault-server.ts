import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createLogger, loadConfig, type RunningServer, startServer } from "@keysmith/server";
import { afterAll, beforeAll } from "vitest";
import { type CliResult, cli, type IoOptions, late, tempDir } from "./cli.js";

export interface VaultServer {
  running: RunningServer;
  /** The database file, to start another server on the same data. */
  databaseUrl: string;
  masterKey: string;
  /** KEYSMITH_URL, KEYSMITH_ROOT_KEY and KEYSMITH_PROJECT for client commands. */
  env: Record<string, string>;
  cli(argv: string[], options?: IoOptions): Promise<CliResult>;
  stop(): Promise<void>;
  /** Stops the server and deletes its directory. */
  close(): Promise<void>;
}

/**
 * A real keysmith server with the vault on (a random master key), a project, and the
 * environment client commands need. `databaseUrl`/`rootKey` reuse an earlier server's data.
 */
export async function startVaultServer(
  options: { masterKey?: string; databaseUrl?: string; rootKey?: string; projectId?: string } = {},
): Promise<VaultServer> {
  const dir = options.databaseUrl ? null : tempDir();
  const databaseUrl = options.databaseUrl ?? join((dir as { path: string }).path, "keysmith.db");
  const masterKey = options.masterKey ?? randomBytes(32).toString("base64");
  const loaded = loadConfig(
    { KEYSMITH_MASTER_KEY: masterKey },
    { databaseUrl, port: "0", logLevel: "silent" },
  );
  if (!loaded.ok) throw new Error(loaded.error);
  const running = await startServer(loaded.config, createLogger("silent"));
  const rootKey = options.rootKey ?? running.rootKey;
  if (!rootKey) throw new Error("a fresh database should create a root key");
  let projectId = options.projectId;
  if (!projectId) {
    const created = await cli(["projects", "create", "--name", "Vault", "--prefix", "vault", "--json"], {
      env: { KEYSMITH_URL: running.url, KEYSMITH_ROOT_KEY: rootKey },
    });
    if (created.code !== 0) throw new Error(created.stderr);
    projectId = (JSON.parse(created.stdout) as { id: string }).id;
  }
  const env = { KEYSMITH_URL: running.url, KEYSMITH_ROOT_KEY: rootKey, KEYSMITH_PROJECT: projectId };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= running.stop();
    return stopped;
  };
  return {
    running,
    databaseUrl,
    masterKey,
    env,
    cli: (argv, io = {}) => cli(argv, { ...io, env: { ...env, ...io.env } }),
    stop,
    async close() {
      await stop();
      dir?.remove();
    },
  };
}

/** A `VaultServer` for the whole file: started before its tests, closed after. */
export function useVaultServer(): VaultServer {
  let server: VaultServer | undefined;
  beforeAll(async () => {
    server = await startVaultServer();
  });
  afterAll(async () => {
    await server?.close();
  });
  return late(() => server, "the vault server");
}
