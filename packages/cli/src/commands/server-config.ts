import type { Config } from "@keysmith/server";
import { CliError, type Io } from "../io.js";

/** The server package, loaded only by the commands that run it: client commands start faster. */
export type ServerModule = typeof import("@keysmith/server");

/** The package `serve`, `init`, `migrate` and `vault rotate-master` need; the CLI alone is a client. */
export const SERVER_PACKAGE = "@keysmith/server";

/**
 * Imports the server package on demand. The CLI does not depend on it (installing the client
 * pulls no database driver or HTTP server): when it is absent, the command fails with exit 2 and
 * names the package to install.
 */
export async function importServer(
  command: string,
  load: () => Promise<ServerModule> = () => import("@keysmith/server"),
): Promise<ServerModule> {
  try {
    return await load();
  } catch (error) {
    if (!isMissingPackage(error)) throw error;
    throw new CliError(
      `${command} needs the keysmith server package, which is not installed: ` +
        `npm install ${SERVER_PACKAGE} (next to the keysmith CLI), then run it again`,
    );
  }
}

/** True when an import failed because the server package itself cannot be found. */
function isMissingPackage(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
    typeof message === "string" &&
    message.includes(SERVER_PACKAGE)
  );
}

export interface ServerFlags {
  databaseUrl?: string;
  host?: string;
  port?: string;
  logLevel?: string;
}

export const DATABASE_URL_HELP = "SQLite path, sqlite:PATH or postgres://… (env KEYSMITH_DATABASE_URL)";

/**
 * Loads the server package and its configuration: flags over `KEYSMITH_*` variables over the
 * defaults. An invalid setting is a `CliError` with the server's one-line reason (exit 2).
 */
export async function loadServer(
  io: Io,
  flags: ServerFlags,
  command: string,
): Promise<{ server: ServerModule; config: Config }> {
  const server = await importServer(command);
  const loaded = server.loadConfig(io.env, {
    databaseUrl: flags.databaseUrl,
    host: flags.host,
    port: flags.port,
    logLevel: flags.logLevel,
  });
  if (!loaded.ok) throw new CliError(loaded.error);
  return { server, config: loaded.config };
}

/** The database as a reader may see it: the SQLite file, or the Postgres URL without its password. */
export function describeDatabase(server: ServerModule, databaseUrl: string): string {
  const target = server.parseDatabaseUrl(databaseUrl);
  if (target.dialect === "sqlite") return `SQLite ${target.location}`;
  try {
    const url = new URL(target.location);
    if (url.password) url.password = "***";
    return `Postgres ${url.toString()}`;
  } catch {
    return "Postgres";
  }
}

/** The URL a local client reaches a server configured this way at. */
export function localUrl(config: Config): string {
  const host = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.port}`;
}

/** The message of anything thrown, as one line. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]?.trim() || "unknown error";
}
