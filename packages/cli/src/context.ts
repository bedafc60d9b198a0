import type { Command } from "commander";
import { ApiClient } from "./client.js";
import { json } from "./format.js";
import { CliError, type Io } from "./io.js";
import { DEFAULT_URL, resolveUrl } from "./settings.js";

export { DEFAULT_URL };

/** What every command module receives. */
export interface Context {
  io: Io;
  /** Wraps an action so its returned exit code becomes `run`'s. */
  act<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
}

/** The options every client command takes. */
export interface ClientFlags {
  url?: string;
  json?: boolean;
}

/** Adds `--url` and `--json` to a command that talks to the server. */
export function clientCommand(command: Command): Command {
  return command
    .option("--url <url>", `the keysmith server (env KEYSMITH_URL, keysmith link; default ${DEFAULT_URL})`)
    .option("--json", "print the API's JSON answer");
}

/**
 * The API client for a command: `--url`, else `KEYSMITH_URL`, else the directory config
 * (`keysmith link`), else the local default; the root key only ever from `KEYSMITH_ROOT_KEY`,
 * never from argv or a file.
 */
export function clientFor(io: Io, flags: ClientFlags): ApiClient {
  const baseUrl = resolveUrl(io, flags.url).value;
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new CliError(`the server URL ${JSON.stringify(baseUrl)} is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new CliError(`the server URL must be http:// or https://, not ${parsed.protocol}`);
  }
  const rootKey = io.env.KEYSMITH_ROOT_KEY?.trim();
  if (!rootKey) {
    throw new CliError(
      "KEYSMITH_ROOT_KEY is not set; export the root key that `keysmith serve` or `keysmith init` printed",
    );
  }
  return new ApiClient({
    baseUrl,
    rootKey,
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
  });
}

/** Prints the API's JSON with `--json`, else the human rendering. */
export function print(io: Io, flags: ClientFlags, value: unknown, human: () => string): void {
  io.stdout(flags.json ? json(value) : human());
}

/** An id as a path segment. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}
