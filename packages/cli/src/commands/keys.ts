// The subpath loads no node:crypto: `--help` and client commands start faster.
import { parseDuration } from "@keysmith/core/duration";
import type { IssuedKey, Key, Page, RolledKey } from "@keysmith/sdk";
import { type Command, Option } from "commander";
import { type ClientFlags, type Context, clientCommand, clientFor, print, segment } from "../context.js";
import { cell, fields, masked, table } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import {
  budgetCell,
  creditsCell,
  type KeyMeteringFlags,
  keyMeteringBody,
  keyMeteringOptions,
  ratelimitsCell,
} from "../metering.js";
import { duration, jsonObject, list, type NULL, nullable, positiveInt, timestamp } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";
import { projectOf } from "../settings.js";
import { keysImportCommand } from "./keys-import.js";
import { keysVerifyCommand } from "./keys-verify.js";

interface CreateFlags extends ClientFlags, KeyMeteringFlags {
  project?: string;
  type?: string;
  env?: string;
  owner?: string;
  name?: string;
  scopes?: string[];
  meta?: Record<string, unknown> | typeof NULL;
  expiresAt?: string;
  expiresIn?: string;
  allowedOrigins?: string[];
  allowedIps?: string[];
  disabled?: boolean;
  role?: string[];
}

interface UpdateFlags extends ClientFlags, KeyMeteringFlags {
  owner?: string;
  name?: string;
  scopes?: string[];
  meta?: Record<string, unknown> | typeof NULL;
  expiresAt?: string;
  expiresIn?: string;
  clearExpiry?: boolean;
  allowedOrigins?: string[];
  allowedIps?: string[];
  enable?: boolean;
  disable?: boolean;
  role?: string[];
  clearRoles?: boolean;
}

interface ListFlags extends ClientFlags, PagingFlags {
  project?: string;
  owner?: string;
  env?: string;
  type?: string;
  status?: string;
}

const STORE_IT_NOW = "Store it now: keysmith shows a key once and keeps only its hash.";

const METERING_EXAMPLE = `
Metering:
  keysmith keys create --project proj_… --ratelimit burst=50/1s --ratelimit daily=10000/1d \\
    --credits 1000 --refill 1000/month --budget 500/month --thresholds 0.5,0.8,1`;

/** The help of each key setting a create sets and an update replaces. */
const SETTING_HELP = {
  create: {
    scopes: "scopes, comma-separated (invoices:read,invoices:*)",
    meta: "a JSON object returned on every verification",
    expiresIn: "expire after this long (30m, 24h, 30d)",
    allowedOrigins: "browser origins allowed, comma-separated",
    allowedIps: "IPs or CIDR ranges allowed, comma-separated",
  },
  update: {
    scopes: "replace the scopes, comma-separated",
    meta: "replace the meta JSON object (null removes it)",
    expiresIn: "expire this long from now (30m, 24h, 30d)",
    allowedOrigins: "replace the allowed browser origins, comma-separated",
    allowedIps: "replace the allowed IPs or CIDR ranges, comma-separated",
  },
};

/** `--owner` … `--allowed-ips` (and `--clear-expiry` on update), in the order `--help` lists them. */
function keySettingOptions(command: Command, mode: keyof typeof SETTING_HELP): Command {
  const help = SETTING_HELP[mode];
  command
    .option("--owner <id>", "your customer's id, returned on every verification")
    .option("--name <name>", "a display name")
    .option("--scopes <scopes>", help.scopes, list)
    .option("--meta <json>", help.meta, jsonObject)
    .option("--expires-at <time>", "expire at this ISO 8601 time", timestamp)
    .addOption(
      new Option("--expires-in <duration>", help.expiresIn).argParser(duration).conflicts("expiresAt"),
    );
  if (mode === "update") {
    command.addOption(new Option("--clear-expiry", "never expire").conflicts(["expiresAt", "expiresIn"]));
  }
  return command
    .option("--allowed-origins <origins>", help.allowedOrigins, list)
    .option("--allowed-ips <ips>", help.allowedIps, list);
}

const envOption = (description: string) => new Option("--env <env>", description).choices(["live", "test"]);
const typeOption = (description: string) =>
  new Option("--type <type>", description).choices(["secret", "publishable", "restricted"]);

/** `keysmith keys create|update|list|get|roll|revoke|verify`. */
export function keysCommands(program: Command, context: Context): void {
  const { io, act } = context;
  const keys = program.command("keys").description("issue, list, roll, revoke and verify API keys");

  clientCommand(
    keyMeteringOptions(
      keySettingOptions(
        keys
          .command("create")
          .description("issue a key; its plaintext is printed this once")
          .option(
            "--project <id>",
            "the project (env KEYSMITH_PROJECT, keysmith link; needed unless the root key is bound to one)",
          )
          .addOption(typeOption("the key type (default secret)"))
          .addOption(envOption("the environment (default live)")),
        "create",
      )
        .option("--disabled", "create the key disabled")
        .option("--role <name>", "a role the key holds (keysmith roles create); repeat for more", repeated),
      "create",
    ).addHelpText("after", METERING_EXAMPLE),
  ).action(
    act(async (flags: CreateFlags) => {
      const issued = await clientFor(io, flags).post<IssuedKey>("/v1/keys", createBody(io, flags));
      print(io, flags, issued, () =>
        [
          `Created ${issued.type} key ${issued.id} (${issued.environment}) in project ${issued.projectId}.`,
          "",
          `  ${issued.key}`,
          "",
          STORE_IT_NOW,
          "",
          keyFields(issued),
        ].join("\n"),
      );
      return EXIT.OK;
    }),
  );

  clientCommand(
    keyMeteringOptions(
      keySettingOptions(
        keys
          .command("update")
          .description("change a key's settings; only the flags given change")
          .argument("<id>", "the key's id (key_…)"),
        "update",
      )
        .option("--enable", "enable the key")
        .addOption(
          new Option("--disable", "disable the key: it answers DISABLED until enabled again").conflicts(
            "enable",
          ),
        )
        .option("--role <name>", "replace the key's roles with these; repeat for more", repeated)
        .addOption(new Option("--clear-roles", "remove every role from the key").conflicts("role")),
      "update",
    ).addHelpText(
      "after",
      "\n--ratelimit, --credits and --budget each replace that whole setting. --credits without\n" +
        "--refill keeps the key's current refill; --budget without --soft-cap sets a hard cap.",
    ),
  ).action(
    act(async (id: string, flags: UpdateFlags) => {
      const client = clientFor(io, flags);
      const body = updateBody(io, flags);
      if (flags.credits !== undefined && flags.refill === undefined) {
        // A new balance keeps the refill the key has.
        const current = await client.get<Key>(`/v1/keys/${segment(id)}`);
        const refill = current.credits?.refill;
        if (refill) body.credits = { remaining: flags.credits, refill };
      }
      const key = await client.patch<Key>(`/v1/keys/${segment(id)}`, body);
      print(io, flags, key, () => `Updated key ${key.id}.\n${keyFields(key)}`);
      return EXIT.OK;
    }),
  );

  clientCommand(
    keys
      .command("list")
      .description("list keys, newest first")
      .option("--project <id>", "only this project's keys")
      .option("--owner <id>", "only this owner's keys")
      .addOption(envOption("only this environment"))
      .addOption(typeOption("only this type"))
      .addOption(
        new Option("--status <status>", "only keys in this status").choices([
          "active",
          "revoked",
          "expired",
          "disabled",
        ]),
      )
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(async (flags: ListFlags) => {
      const query = {
        projectId: flags.project,
        ownerId: flags.owner,
        environment: flags.env,
        type: flags.type,
        status: flags.status,
      };
      const page = await listPages<Key>(clientFor(io, flags), "/v1/keys", query, flags);
      print(io, flags, page, () => keyTable(page));
      return EXIT.OK;
    }),
  );

  clientCommand(
    keys.command("get").description("show one key").argument("<id>", "the key's id (key_…)"),
  ).action(
    act(async (id: string, flags: ClientFlags) => {
      const key = await clientFor(io, flags).get<Key>(`/v1/keys/${segment(id)}`);
      print(io, flags, key, () => keyFields(key));
      return EXIT.OK;
    }),
  );

  clientCommand(
    keys
      .command("roll")
      .description("issue a successor; the old key keeps working for the grace period, then expires")
      .argument("<id>", "the key's id (key_…)")
      .option("--grace <duration>", "how long the old key keeps working (server default 24h)", duration),
  ).action(
    act(async (id: string, flags: ClientFlags & { grace?: string }) => {
      const body = flags.grace === undefined ? {} : { gracePeriod: flags.grace };
      const rolled = await clientFor(io, flags).post<RolledKey>(`/v1/keys/${segment(id)}/roll`, body);
      print(io, flags, rolled, () =>
        [
          `Rolled ${rolled.previous.id} to ${rolled.id}.`,
          "",
          `  ${rolled.key}`,
          "",
          STORE_IT_NOW,
          `The old key ${masked(rolled.previous)} keeps working until ${cell(rolled.previous.expiresAt)}.`,
          "",
        ].join("\n"),
      );
      return EXIT.OK;
    }),
  );

  clientCommand(
    keys
      .command("credits")
      .description(
        "set, add to or take from a key's credits, atomically with verifications (a decrement stops at 0)",
      )
      .argument("<id>", "the key's id (key_…)")
      .argument("<op>", "set, increment or decrement")
      .argument("<amount>", "a number of credits, 0 or more")
      .addHelpText(
        "after",
        "\nExamples:\n  keysmith keys credits key_… increment 100\n  keysmith keys credits key_… set 0 --json\n",
      ),
  ).action(
    act(async (id: string, op: string, amount: string, flags: ClientFlags) => {
      if (!["set", "increment", "decrement"].includes(op)) {
        throw new CliError(`op must be set, increment or decrement (got "${op}")`);
      }
      const value = Number(amount);
      if (amount.trim() === "" || !Number.isFinite(value) || value < 0) {
        throw new CliError(`amount must be a number, 0 or more (got "${amount}")`);
      }
      const balance = await clientFor(io, flags).post<{ remaining: number }>(
        `/v1/keys/${segment(id)}/credits`,
        {
          op,
          amount: value,
        },
      );
      print(io, flags, balance, () => `${id} has ${balance.remaining} credits left.\n`);
      return EXIT.OK;
    }),
  );

  clientCommand(
    keys
      .command("revoke")
      .description("revoke a key at once")
      .argument("<id>", "the key's id (key_…)")
      .option("--reason <text>", "why, for the audit log"),
  ).action(
    act(async (id: string, flags: ClientFlags & { reason?: string }) => {
      const body = flags.reason === undefined ? {} : { reason: flags.reason };
      const key = await clientFor(io, flags).post<Key>(`/v1/keys/${segment(id)}/revoke`, body);
      print(io, flags, key, () => `Revoked ${key.id} (${masked(key)}) at ${cell(key.revokedAt)}.\n`);
      return EXIT.OK;
    }),
  );

  keysVerifyCommand(keys, context);
  keysImportCommand(keys, context);
}

function createBody(io: Io, flags: CreateFlags): Record<string, unknown> {
  return settingsBody(flags, {
    // The flag, else KEYSMITH_PROJECT, else the directory config (keysmith link).
    projectId: projectOf(io, flags),
    type: flags.type,
    environment: flags.env,
    expiresAt: expiry(io, flags),
    enabled: flags.disabled ? false : undefined,
    roles: flags.role,
  });
}

/** The PATCH body: only the fields a flag names. */
function updateBody(io: Io, flags: UpdateFlags): Record<string, unknown> {
  const patch = settingsBody(flags, {
    expiresAt: flags.clearExpiry ? null : expiry(io, flags),
    enabled: flags.enable ? true : flags.disable ? false : undefined,
    roles: flags.clearRoles ? [] : flags.role,
  });
  if (Object.keys(patch).length === 0) {
    throw new CliError("nothing to update: give at least one setting (see keysmith keys update --help)");
  }
  return patch;
}

/** The settings both bodies share, with `own` fields; a field no flag gave is left out. */
function settingsBody(
  flags: CreateFlags | UpdateFlags,
  own: Record<string, unknown>,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...own,
    ownerId: flags.owner,
    name: flags.name,
    scopes: flags.scopes,
    meta: nullable(flags.meta),
    allowedOrigins: flags.allowedOrigins,
    allowedIps: flags.allowedIps,
    ...keyMeteringBody(flags),
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

/** A flag given several times (`--role a --role b`), in order, without repeats. */
function repeated(value: string, previous: string[] = []): string[] {
  return previous.includes(value) ? previous : [...previous, value];
}

/** `--expires-at`, or `--expires-in` from now. */
function expiry(io: Io, flags: { expiresAt?: string; expiresIn?: string }): string | undefined {
  if (flags.expiresIn === undefined) return flags.expiresAt;
  const now = io.now?.() ?? Date.now();
  return new Date(now + (parseDuration(flags.expiresIn) ?? 0)).toISOString();
}

function keyFields(key: Key): string {
  return fields([
    ["id", key.id],
    ["key", masked(key)],
    ["project", key.projectId],
    ["type", key.type],
    ["environment", key.environment],
    ["status", key.status],
    ["owner", key.ownerId],
    ["name", key.name],
    ["scopes", key.scopes],
    ["roles", key.roles],
    ["meta", key.meta === null ? null : JSON.stringify(key.meta)],
    ["allowed origins", key.allowedOrigins],
    ["allowed ips", key.allowedIps],
    ["ratelimits", ratelimitsCell(key.ratelimits)],
    ["credits", creditsCell(key.credits)],
    ["budget", budgetCell(key.budget)],
    ["enabled", key.enabled],
    ["expires", key.expiresAt],
    ["created", key.createdAt],
    ["last used", key.lastUsedAt],
    ["revoked", key.revokedAt],
    ["rolled from", key.rolledFrom],
    ["rolled to", key.rolledTo],
  ]);
}

function keyTable(page: Page<Key>): string {
  if (page.data.length === 0) return "No keys match.\n";
  return (
    table(page.data, [
      ["id", (k) => k.id],
      ["key", (k) => masked(k)],
      ["type", (k) => k.type],
      ["env", (k) => k.environment],
      ["status", (k) => k.status],
      ["owner", (k) => k.ownerId],
      ["name", (k) => k.name],
      ["expires", (k) => k.expiresAt],
      ["last used", (k) => k.lastUsedAt],
    ]) + nextPageHint("keysmith keys list", page)
  );
}
