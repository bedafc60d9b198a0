import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Page, Project } from "@keysmith/sdk";
import { type Command, Option } from "commander";
import { ApiError, NetworkError } from "../client.js";
import { type Context, clientFor, segment } from "../context.js";
import { fields, json } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { requireLazily } from "../lazy-require.js";
import {
  CONFIG_FILES,
  type ConfigKey,
  directoryConfig,
  type Resolved,
  readConfigFile,
  resolveSetting,
  resolveUrl,
} from "../settings.js";

interface LinkFlags {
  project?: string;
  env?: string;
  url?: string;
  format?: "json" | "toml";
  show?: boolean;
  json?: boolean;
}

// The server's rules for a vault environment and a project id, checked before anything is written.
const ENVIRONMENT = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const PROJECT_ID = /^proj_[0-9A-Za-z]{22}$/;

/**
 * `keysmith link`: writes this directory's `keysmith.json` (or `.keysmith/config.toml`) with the
 * server URL, project and default environment, as `vercel link` and `doppler setup` do. The
 * project is checked against the server when KEYSMITH_ROOT_KEY is set. Never a root key.
 */
export function linkCommand(program: Command, { io, act }: Context): void {
  program
    .command("link")
    .description("link this directory to a server, project and environment (writes keysmith.json)")
    .option("--project <id>", "the project commands here use (checked on the server when a root key is set)")
    .option("--env <environment>", "the vault environment secrets and run use here")
    .option("--url <url>", "the keysmith server commands here talk to")
    .addOption(
      new Option(
        "--format <format>",
        "keysmith.json (json, default) or .keysmith/config.toml (toml)",
      ).choices(["json", "toml"]),
    )
    .option("--show", "print the settings that apply here and where each comes from (as keysmith config)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  keysmith link --project proj_… --env development\n" +
        "  keysmith link --env production --format toml      # .keysmith/config.toml\n" +
        "  keysmith link --show\n\n" +
        "keysmith.json or .keysmith/config.toml is found from the current directory upward (like .git);\n" +
        "the nearest wins. Flags win over KEYSMITH_URL, KEYSMITH_PROJECT and KEYSMITH_ENV, which win\n" +
        "over the file. The file never holds the root key: it stays in KEYSMITH_ROOT_KEY.",
    )
    .action(act((flags: LinkFlags) => (flags.show ? show(io, flags) : link(io, flags))));
}

/** `keysmith config`: the settings that apply here and where each comes from. */
export function configCommand(program: Command, { io, act }: Context): void {
  program
    .command("config")
    .description("print the server URL, project and environment that apply here, and where each comes from")
    .option("--project <id>", "as a command given --project would see it")
    .option("--env <environment>", "as a command given --env would see it")
    .option("--url <url>", "as a command given --url would see it")
    .option("--json", "print { url, project, env, rootKey, file } as JSON")
    .action(act((flags: LinkFlags) => show(io, flags)));
}

async function link(io: Io, flags: LinkFlags): Promise<number> {
  const cwd = resolve(io.cwd ?? process.cwd());
  const existing = CONFIG_FILES.map((name) => join(cwd, name)).find((file) => existsSync(file));
  const format = flags.format ?? (existing?.endsWith(".toml") ? "toml" : "json");
  const file = join(cwd, format === "toml" ? ".keysmith/config.toml" : "keysmith.json");
  if (existing && existing !== file) {
    throw new CliError(
      `${existing} already links this directory: remove it first to switch to --format ${format}`,
    );
  }
  const values: Partial<Record<ConfigKey, string>> = existing ? readConfigFile(existing) : {};
  if (flags.url !== undefined) values.url = checkUrl(flags.url);
  if (flags.env !== undefined) values.env = checkEnvironment(flags.env);
  const url = flags.url ?? io.env.KEYSMITH_URL?.trim() ?? values.url;
  if (flags.project !== undefined && !PROJECT_ID.test(flags.project)) {
    throw new CliError(
      `--project ${JSON.stringify(flags.project)} is not a project id: proj_ and 22 letters or digits (\`keysmith projects list\` shows them)`,
    );
  }
  const project = await checkedProject(io, url, flags.project ?? values.project);
  if (project) values.project = project.id;
  if (Object.keys(values).length === 0) {
    throw new CliError(
      "nothing to link: pass --project <id>, --env <environment> or --url <url> (KEYSMITH_ROOT_KEY lets link pick a lone project)",
    );
  }
  const ordered = Object.fromEntries(
    (["url", "project", "env"] as const).filter((k) => values[k] !== undefined).map((k) => [k, values[k]]),
  );
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, format === "toml" ? toml(ordered) : json(ordered));
  if (flags.json) io.stdout(json({ file, ...ordered }));
  else {
    io.stdout(
      `Linked ${cwd} in ${file}:\n` +
        fields([
          ["url", values.url ?? null],
          ["project", project?.name ? `${values.project} (${project.name})` : (values.project ?? null)],
          ["env", values.env ?? null],
        ]) +
        "It holds no secret: commit it or not, as you like. `keysmith config` shows what applies.\n",
    );
  }
  return EXIT.OK;
}

/**
 * The project to link, checked on the server when a root key is set: the one given, else the
 * root key's only project. A project the server does not know is refused; an unreachable server
 * only warns.
 */
async function checkedProject(
  io: Io,
  url: string | undefined,
  given: string | undefined,
): Promise<{ id: string; name?: string } | null> {
  if (!io.env.KEYSMITH_ROOT_KEY?.trim()) {
    if (given)
      io.stderr(`keysmith: KEYSMITH_ROOT_KEY is not set: linking ${given} without checking it exists\n`);
    return given ? { id: given } : null;
  }
  const client = clientFor(io, url === undefined ? {} : { url });
  try {
    if (given) {
      const project = await client.get<Project>(`/v1/projects/${segment(given)}`);
      return { id: project.id, name: project.name };
    }
    const page = await client.get<Page<Project>>("/v1/projects", { limit: 2 });
    const [only, other] = page.data;
    if (only && !other) return { id: only.id, name: only.name };
    if (only) {
      const all = await client.get<Page<Project>>("/v1/projects", { limit: 20 });
      const names = all.data.map((p) => `${p.id} (${p.name})`).join(", ");
      throw new CliError(`this root key sees several projects: pass --project <id> (${names})`);
    }
    return null;
  } catch (error) {
    if (
      error instanceof ApiError &&
      (error.code === "PROJECT_NOT_FOUND" || error.code === "VALIDATION_ERROR")
    ) {
      throw new CliError(
        `no project ${given} on ${client.baseUrl} that this root key can see; \`keysmith projects list\` shows the ones it can`,
        EXIT.ERROR,
        { code: "PROJECT_NOT_FOUND" },
      );
    }
    if (error instanceof NetworkError && given) {
      io.stderr(`keysmith: could not check the project (${error.message}); linking it unchecked\n`);
      return { id: given };
    }
    throw error;
  }
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new CliError(`--url must be http:// or https://, not ${parsed.protocol}`);
  }
  if (parsed.username || parsed.password) throw new CliError("--url must not carry credentials");
  return url;
}

function checkEnvironment(env: string): string {
  if (!ENVIRONMENT.test(env)) {
    throw new CliError(
      `--env ${JSON.stringify(env)} is not an environment name: lower-case letters, digits, _ . - (production, pr-142)`,
    );
  }
  return env;
}

function toml(values: Record<string, unknown>): string {
  const { stringify } = requireLazily("smol-toml") as typeof import("smol-toml");
  return `# keysmith link: this directory's server, project and environment (never a root key)\n${stringify(values)}\n`;
}

async function show(io: Io, flags: LinkFlags): Promise<number> {
  const config = directoryConfig(io);
  const settings = {
    url: resolveUrl(io, flags.url),
    project: resolveSetting(io, "project", flags.project),
    env: resolveSetting(io, "env", flags.env),
  };
  const rootKeySet = Boolean(io.env.KEYSMITH_ROOT_KEY?.trim());
  if (flags.json) {
    io.stdout(
      json({
        ...settings,
        rootKey: { set: rootKeySet, from: rootKeySet ? "KEYSMITH_ROOT_KEY" : null },
        file: config?.file ?? null,
      }),
    );
    return EXIT.OK;
  }
  const line = (resolved: Resolved | null): string =>
    resolved
      ? `${resolved.value}  (${resolved.from === "default" ? "default" : `from ${resolved.from}`})`
      : "-";
  io.stdout(
    fields([
      ["url", line(settings.url)],
      ["project", line(settings.project)],
      ["env", line(settings.env)],
      ["root key", rootKeySet ? "set (from KEYSMITH_ROOT_KEY)" : "not set (export KEYSMITH_ROOT_KEY)"],
      ["config file", config?.file ?? "none (keysmith link writes one)"],
    ]),
  );
  return EXIT.OK;
}
