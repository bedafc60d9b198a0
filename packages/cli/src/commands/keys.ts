import { parseDuration } from "@keysmith/core";
import { type Command, Option } from "commander";
import type { IssuedKey, Key, Page, RolledKey } from "../api-types.js";
import { type ClientFlags, type Context, clientCommand, clientFor, print, segment } from "../context.js";
import { cell, fields, masked, table } from "../format.js";
import { EXIT, type Io } from "../io.js";
import { duration, jsonObject, list, positiveInt, timestamp } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";
import { keysVerifyCommand } from "./keys-verify.js";

interface CreateFlags extends ClientFlags {
  project?: string;
  type?: string;
  env?: string;
  owner?: string;
  name?: string;
  scopes?: string[];
  meta?: Record<string, unknown> | null;
  expiresAt?: string;
  expiresIn?: string;
  allowedOrigins?: string[];
  allowedIps?: string[];
  disabled?: boolean;
}

interface ListFlags extends ClientFlags, PagingFlags {
  project?: string;
  owner?: string;
  env?: string;
  type?: string;
  status?: string;
}

const STORE_IT_NOW = "Store it now: keysmith shows a key once and keeps only its hash.";

const envOption = (description: string) => new Option("--env <env>", description).choices(["live", "test"]);
const typeOption = (description: string) =>
  new Option("--type <type>", description).choices(["secret", "publishable", "restricted"]);

/** `keysmith keys create|list|get|roll|revoke|verify`. */
export function keysCommands(program: Command, context: Context): void {
  const { io, act } = context;
  const keys = program.command("keys").description("issue, list, roll, revoke and verify API keys");

  clientCommand(
    keys
      .command("create")
      .description("issue a key; its plaintext is printed this once")
      .option("--project <id>", "the project (needed unless the root key is bound to one)")
      .addOption(typeOption("the key type (default secret)"))
      .addOption(envOption("the environment (default live)"))
      .option("--owner <id>", "your customer's id, returned on every verification")
      .option("--name <name>", "a display name")
      .option("--scopes <scopes>", "scopes, comma-separated (invoices:read,invoices:*)", list)
      .option("--meta <json>", "a JSON object returned on every verification", jsonObject)
      .option("--expires-at <time>", "expire at this ISO 8601 time", timestamp)
      .addOption(
        new Option("--expires-in <duration>", "expire after this long (30m, 24h, 30d)")
          .argParser(duration)
          .conflicts("expiresAt"),
      )
      .option("--allowed-origins <origins>", "browser origins allowed, comma-separated", list)
      .option("--allowed-ips <ips>", "IPs or CIDR ranges allowed, comma-separated", list)
      .option("--disabled", "create the key disabled"),
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
}

function createBody(io: Io, flags: CreateFlags): Record<string, unknown> {
  let expiresAt = flags.expiresAt;
  if (flags.expiresIn !== undefined) {
    const now = io.now?.() ?? Date.now();
    expiresAt = new Date(now + (parseDuration(flags.expiresIn) ?? 0)).toISOString();
  }
  const body: Record<string, unknown> = {
    projectId: flags.project,
    type: flags.type,
    environment: flags.env,
    ownerId: flags.owner,
    name: flags.name,
    scopes: flags.scopes,
    meta: flags.meta,
    expiresAt,
    allowedOrigins: flags.allowedOrigins,
    allowedIps: flags.allowedIps,
    enabled: flags.disabled ? false : undefined,
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
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
    ["meta", key.meta === null ? null : JSON.stringify(key.meta)],
    ["allowed origins", key.allowedOrigins],
    ["allowed ips", key.allowedIps],
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
