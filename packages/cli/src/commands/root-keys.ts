import type { IssuedRootKey, Page, RootKey } from "@keysmith/sdk";
import type { Command } from "commander";
import { type ClientFlags, type Context, clientCommand, clientFor, print, segment } from "../context.js";
import { fields, masked, table } from "../format.js";
import { EXIT } from "../io.js";
import { list, positiveInt, timestamp } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";

interface CreateFlags extends ClientFlags {
  scopes: string[];
  project?: string;
  name?: string;
  expiresAt?: string;
  environments?: string[];
}

const ROOT_SCOPES = "keys:read, keys:write, keys:verify, projects:write, usage:read, audit:read, admin, …";

/** `keysmith root-keys create|list|revoke`: credentials for the management API itself. */
export function rootKeysCommands(program: Command, { io, act }: Context): void {
  const rootKeys = program
    .command("root-keys")
    .description("manage root keys, the credentials for the keysmith API itself");

  clientCommand(
    rootKeys
      .command("create")
      .description("issue a root key no broader than yours; its plaintext is printed this once")
      .requiredOption("--scopes <scopes>", `management scopes, comma-separated (${ROOT_SCOPES})`, list)
      .option("--project <id>", "bind it to one project (default: all projects your key can see)")
      .option("--name <name>", "a display name")
      .option("--expires-at <time>", "expire at this ISO 8601 time", timestamp)
      .option("--environments <envs>", "limit its vault access to these environments, comma-separated", list),
  ).action(
    act(async (flags: CreateFlags) => {
      const issued = await clientFor(io, flags).post<IssuedRootKey>("/v1/root-keys", {
        scopes: flags.scopes,
        ...(flags.project === undefined ? {} : { projectId: flags.project }),
        ...(flags.name === undefined ? {} : { name: flags.name }),
        ...(flags.expiresAt === undefined ? {} : { expiresAt: flags.expiresAt }),
        ...(flags.environments === undefined ? {} : { environments: flags.environments }),
      });
      print(io, flags, issued, () =>
        [
          `Created root key ${issued.id}.`,
          "",
          `  ${issued.key}`,
          "",
          "Store it now: keysmith shows a root key once and keeps only its hash.",
          "",
          rootKeyFields(issued),
        ].join("\n"),
      );
      return EXIT.OK;
    }),
  );

  clientCommand(
    rootKeys
      .command("list")
      .description("list root keys within your key's project binding")
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(async (flags: ClientFlags & PagingFlags) => {
      const page = await listPages<RootKey>(clientFor(io, flags), "/v1/root-keys", {}, flags);
      print(io, flags, page, () => rootKeyTable(page));
      return EXIT.OK;
    }),
  );

  clientCommand(
    rootKeys
      .command("revoke")
      .description("revoke a root key at once")
      .argument("<id>", "the root key's id (root_…)"),
  ).action(
    act(async (id: string, flags: ClientFlags) => {
      const revoked = await clientFor(io, flags).post<RootKey>(`/v1/root-keys/${segment(id)}/revoke`);
      print(io, flags, revoked, () => `Revoked root key ${revoked.id} (${masked(revoked)}).\n`);
      return EXIT.OK;
    }),
  );
}

function rootKeyFields(key: RootKey): string {
  return fields([
    ["id", key.id],
    ["key", masked(key)],
    ["project", key.projectId ?? "all"],
    ["name", key.name],
    ["scopes", key.scopes],
    ["status", key.status],
    ["expires", key.expiresAt],
    ["created", key.createdAt],
  ]);
}

function rootKeyTable(page: Page<RootKey>): string {
  return (
    table(page.data, [
      ["id", (k) => k.id],
      ["key", (k) => masked(k)],
      ["project", (k) => k.projectId ?? "all"],
      ["name", (k) => k.name],
      ["scopes", (k) => k.scopes],
      ["status", (k) => k.status],
      ["expires", (k) => k.expiresAt],
      ["last used", (k) => k.lastUsedAt],
    ]) + nextPageHint("keysmith root-keys list", page)
  );
}
