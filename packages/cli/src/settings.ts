import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { looksLikeKey } from "./format.js";
import { CliError, type Io } from "./io.js";
import { requireLazily } from "./lazy-require.js";

// Loaded on every client command and on `keysmith run`'s start path: node:fs and node:path only;
// the TOML parser is required only when a `.keysmith/config.toml` is found.

export const DEFAULT_URL = "http://127.0.0.1:8787";

/** The per-directory config files, in the order one directory is searched. */
export const CONFIG_FILES = ["keysmith.json", ".keysmith/config.toml"] as const;

/** The settings a directory config may hold (never a root key). */
export const CONFIG_KEYS = ["url", "project", "env"] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export interface DirectoryConfig {
  /** The file's absolute path. */
  file: string;
  values: Partial<Record<ConfigKey, string>>;
}

/** A setting's value and where it came from: a flag, a variable, a config file or the default. */
export interface Resolved {
  value: string;
  from: string;
}

/**
 * The nearest `keysmith.json` or `.keysmith/config.toml` from `cwd` upward to the filesystem
 * root, like git finds `.git`; null when there is none. Throws a `CliError` naming the file
 * when it cannot be read or holds something other than `url`, `project` and `env` strings.
 *
 * @example findDirectoryConfig("/repo/packages/api") // { file: "/repo/keysmith.json", values: { project: "proj_…" } }
 */
export function findDirectoryConfig(cwd: string): DirectoryConfig | null {
  let dir = resolve(cwd);
  for (;;) {
    const found = CONFIG_FILES.map((name) => join(dir, name)).filter((file) => existsSync(file));
    if (found.length > 1) {
      throw new CliError(`both ${found.join(" and ")} exist: keep one of them`);
    }
    if (found[0] !== undefined) return { file: found[0], values: readConfigFile(found[0]) };
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** A config file's settings, checked. */
export function readConfigFile(file: string): Partial<Record<ConfigKey, string>> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    if (file.endsWith(".toml")) {
      const { parse } = requireLazily("smol-toml") as typeof import("smol-toml");
      parsed = parse(text);
    } else parsed = JSON.parse(text);
  } catch (error) {
    const what = file.endsWith(".toml") ? "TOML" : "JSON";
    const reason = (error as Error).message.split("\n")[0];
    throw new CliError(`${file} is not valid ${what}: ${reason}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CliError(`${file} must hold an object with ${CONFIG_KEYS.join(", ")}`);
  }
  const values: Partial<Record<ConfigKey, string>> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (/root.?key|secret|token|password/i.test(key) || (typeof value === "string" && looksLikeKey(value))) {
      throw new CliError(
        `${file} holds a credential (${key}): remove it; keysmith reads the root key only from KEYSMITH_ROOT_KEY`,
      );
    }
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new CliError(`${file}: unknown setting "${key}" (known: ${CONFIG_KEYS.join(", ")})`);
    }
    if (typeof value !== "string" || value.trim() === "") {
      throw new CliError(`${file}: "${key}" must be a non-empty string`);
    }
    values[key as ConfigKey] = value.trim();
  }
  return values;
}

const found = new WeakMap<Io, DirectoryConfig | null>();
const used = new WeakMap<Io, Partial<Record<"project" | "env", Resolved>>>();

/** The directory config for this run of the CLI, looked up once. */
export function directoryConfig(io: Io): DirectoryConfig | null {
  if (!found.has(io)) found.set(io, findDirectoryConfig(io.cwd ?? process.cwd()));
  return found.get(io) ?? null;
}

const VARIABLES = { url: "KEYSMITH_URL", project: "KEYSMITH_PROJECT", env: "KEYSMITH_ENV" } as const;
const FLAGS = { url: "--url", project: "--project", env: "--env" } as const;

/**
 * One setting by precedence: the flag, else its variable (`KEYSMITH_URL`, `KEYSMITH_PROJECT`,
 * `KEYSMITH_ENV`), else the directory config, else null.
 */
export function resolveSetting(io: Io, key: ConfigKey, flag: string | undefined): Resolved | null {
  if (flag !== undefined && flag !== "") return { value: flag, from: FLAGS[key] };
  const variable = io.env[VARIABLES[key]]?.trim();
  if (variable) return { value: variable, from: VARIABLES[key] };
  const config = directoryConfig(io);
  const value = config?.values[key];
  return config && value !== undefined ? { value, from: config.file } : null;
}

/** The server URL: `--url`, `KEYSMITH_URL`, the directory config, else the local default. */
export function resolveUrl(io: Io, flag: string | undefined): Resolved {
  return resolveSetting(io, "url", flag) ?? { value: DEFAULT_URL, from: "default" };
}

/** The project, or undefined (a root key bound to one project needs none). */
export function projectOf(io: Io, flags: { project?: string | undefined }): string | undefined {
  const resolved = resolveSetting(io, "project", flags.project);
  if (resolved) remember(io, "project", resolved);
  return resolved?.value;
}

/** The vault environment: `--env`, `KEYSMITH_ENV`, the directory config; a usage error without one. */
export function envOf(io: Io, flags: { env?: string | undefined }): string {
  const resolved = resolveSetting(io, "env", flags.env);
  if (!resolved) {
    throw new CliError(
      "no environment: pass --env <environment>, set KEYSMITH_ENV, or run `keysmith link --env <environment>`",
    );
  }
  remember(io, "env", resolved);
  return resolved.value;
}

/** Where the project or environment this run used came from, for error messages. */
export function usedSetting(io: Io, key: "project" | "env"): Resolved | undefined {
  return used.get(io)?.[key];
}

function remember(io: Io, key: "project" | "env", resolved: Resolved): void {
  used.set(io, { ...used.get(io), [key]: resolved });
}

/** How a source reads in a message: `--project`, `KEYSMITH_PROJECT`, `/repo/keysmith.json`. */
export function describeSource(resolved: Resolved): string {
  return resolved.from === "default" ? "the default" : resolved.from;
}
