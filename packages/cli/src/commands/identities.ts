import type { Identity, Page, Role } from "@keysmith/sdk";
import { type Command, Option } from "commander";
import { type ClientFlags, type Context, clientCommand, clientFor, print, segment } from "../context.js";
import { fields, table } from "../format.js";
import { CliError, EXIT } from "../io.js";
import { creditsCell, ratelimitsCell } from "../metering.js";
import {
  jsonObject,
  list,
  type NULL,
  nonNegativeNumber,
  nullable,
  positiveInt,
  type RateLimitSpec,
  type Refill,
  ratelimit,
  refill,
} from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";
import { projectOf } from "../settings.js";

interface IdentityFlags extends ClientFlags {
  project?: string;
  externalId?: string;
  meta?: Record<string, unknown> | typeof NULL;
  ratelimit?: RateLimitSpec[];
  clearRatelimits?: boolean;
  credits?: number;
  refill?: Refill | "none";
  clearCredits?: boolean;
}

interface RoleFlags extends ClientFlags {
  project?: string;
  name?: string;
  scopes?: string[];
}

const listOptions = (command: Command, what: string): Command =>
  command
    .option("--project <id>", `only this project's ${what}`)
    .option("--limit <n>", "page size (1-500)", positiveInt)
    .option("--cursor <cursor>", "continue from a previous page")
    .option("--all", "follow nextCursor through every page");

/** `--meta`, `--ratelimit` and `--credits`/`--refill`, with `--clear-…` on update. */
function identitySettings(command: Command, mode: "create" | "update"): Command {
  command
    .option("--meta <json>", "a JSON object returned on every verification of its keys", jsonObject)
    .option(
      "--ratelimit <name=limit/duration>",
      "a window every key of the identity shares, name=LIMIT/DURATION (org=1000/1m); repeat for more",
      ratelimit,
    )
    .option(
      "--credits <n>",
      "a pool of uses its keys without credits of their own draw from",
      nonNegativeNumber,
    )
    .option(
      "--refill <amount/interval>",
      "reset the pool to AMOUNT each UTC day or month (1000/month)",
      refill,
    );
  if (mode === "update") {
    command
      .addOption(new Option("--clear-ratelimits", "remove the shared windows").conflicts("ratelimit"))
      .addOption(new Option("--clear-credits", "remove the credit pool").conflicts(["credits", "refill"]));
  }
  return command;
}

function identityBody(flags: IdentityFlags): Record<string, unknown> {
  if (flags.refill !== undefined && flags.credits === undefined) {
    throw new CliError("--refill goes with --credits N (the balance to start from)");
  }
  const body: Record<string, unknown> = {
    projectId: flags.project,
    externalId: flags.externalId,
    meta: nullable(flags.meta),
    ratelimits: flags.clearRatelimits ? null : flags.ratelimit,
    credits: flags.clearCredits
      ? null
      : flags.credits === undefined
        ? undefined
        : {
            remaining: flags.credits,
            ...(flags.refill === undefined || flags.refill === "none" ? {} : { refill: flags.refill }),
          },
  };
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

/** `keysmith identities create|list|get|update|delete`: the customers behind keys. */
export function identitiesCommands(program: Command, { io, act }: Context): void {
  const identities = program
    .command("identities")
    .description("manage identities: the customer behind keys, whose keys share its rate limits and credits");

  clientCommand(
    identitySettings(
      identities
        .command("create")
        .description("create an identity; keys whose owner is its external id belong to it")
        .requiredOption("--external-id <id>", "your customer's id: the ownerId of its keys")
        .option(
          "--project <id>",
          "the project (env KEYSMITH_PROJECT, keysmith link; needed unless the root key is bound to one)",
        ),
      "create",
    ),
  ).action(
    act(async (flags: IdentityFlags) => {
      const identity = await clientFor(io, flags).post<Identity>("/v1/identities", {
        ...identityBody(flags),
        // The flag, else KEYSMITH_PROJECT, else the directory config (keysmith link).
        projectId: projectOf(io, flags),
      });
      print(io, flags, identity, () => `Created identity ${identity.id}.\n${identityFields(identity)}`);
      return EXIT.OK;
    }),
  );

  clientCommand(
    listOptions(identities.command("list").description("list identities, newest first"), "identities"),
  ).action(
    act(async (flags: ClientFlags & PagingFlags & { project?: string }) => {
      const page = await listPages<Identity>(
        clientFor(io, flags),
        "/v1/identities",
        { projectId: flags.project },
        flags,
      );
      print(io, flags, page, () => identityTable(page));
      return EXIT.OK;
    }),
  );

  clientCommand(
    identities.command("get").description("show one identity").argument("<id>", "the identity's id (idt_…)"),
  ).action(
    act(async (id: string, flags: ClientFlags) => {
      const identity = await clientFor(io, flags).get<Identity>(`/v1/identities/${segment(id)}`);
      print(io, flags, identity, () => identityFields(identity));
      return EXIT.OK;
    }),
  );

  clientCommand(
    identitySettings(
      identities
        .command("update")
        .description("change an identity; only the flags given change, and its keys see it at once")
        .argument("<id>", "the identity's id (idt_…)")
        .option("--external-id <id>", "a new external id (its keys then are those with this owner)"),
      "update",
    ),
  ).action(
    act(async (id: string, flags: IdentityFlags) => {
      const body = identityBody(flags);
      if (Object.keys(body).length === 0) {
        throw new CliError(
          "nothing to update: give at least one setting (see keysmith identities update --help)",
        );
      }
      const identity = await clientFor(io, flags).patch<Identity>(`/v1/identities/${segment(id)}`, body);
      print(io, flags, identity, () => `Updated identity ${identity.id}.\n${identityFields(identity)}`);
      return EXIT.OK;
    }),
  );

  clientCommand(
    identities
      .command("delete")
      .description("delete an identity; its keys stay, without shared limits or credits")
      .argument("<id>", "the identity's id (idt_…)"),
  ).action(
    act(async (id: string, flags: ClientFlags) => {
      const deleted = await clientFor(io, flags).delete<Identity>(`/v1/identities/${segment(id)}`);
      print(io, flags, deleted, () => `Deleted identity ${deleted.id} (${deleted.externalId}).\n`);
      return EXIT.OK;
    }),
  );
}

/** `keysmith roles create|list|update|delete`: named scope sets keys hold. */
export function rolesCommands(program: Command, { io, act }: Context): void {
  const roles = program
    .command("roles")
    .description("manage roles: named sets of scopes that keys hold (keys create --role NAME)");

  clientCommand(
    roles
      .command("create")
      .description("create a role")
      .requiredOption("--name <name>", "the role's name, unique in the project")
      .requiredOption("--scopes <scopes>", "its scopes, comma-separated (invoices:read,refunds:*)", list)
      .option(
        "--project <id>",
        "the project (env KEYSMITH_PROJECT, keysmith link; needed unless the root key is bound to one)",
      ),
  ).action(
    act(async (flags: RoleFlags) => {
      const body = { projectId: projectOf(io, flags), name: flags.name, scopes: flags.scopes };
      const role = await clientFor(io, flags).post<Role>("/v1/roles", body);
      print(io, flags, role, () => `Created role ${role.name} (${role.id}).\n${roleFields(role)}`);
      return EXIT.OK;
    }),
  );

  clientCommand(listOptions(roles.command("list").description("list roles, newest first"), "roles")).action(
    act(async (flags: ClientFlags & PagingFlags & { project?: string }) => {
      const page = await listPages<Role>(
        clientFor(io, flags),
        "/v1/roles",
        { projectId: flags.project },
        flags,
      );
      print(io, flags, page, () => roleTable(page));
      return EXIT.OK;
    }),
  );

  clientCommand(
    roles
      .command("update")
      .description("rename a role or replace its scopes; every key holding it sees the change at once")
      .argument("<id>", "the role's id (role_…)")
      .option("--name <name>", "a new name")
      .option("--scopes <scopes>", "replace its scopes, comma-separated", list),
  ).action(
    act(async (id: string, flags: RoleFlags) => {
      const body = Object.fromEntries(
        Object.entries({ name: flags.name, scopes: flags.scopes }).filter(([, value]) => value !== undefined),
      );
      if (Object.keys(body).length === 0) throw new CliError("nothing to update: give --name or --scopes");
      const role = await clientFor(io, flags).patch<Role>(`/v1/roles/${segment(id)}`, body);
      print(io, flags, role, () => `Updated role ${role.name}.\n${roleFields(role)}`);
      return EXIT.OK;
    }),
  );

  clientCommand(
    roles
      .command("delete")
      .description("delete a role; the keys that held it lose its scopes")
      .argument("<id>", "the role's id (role_…)"),
  ).action(
    act(async (id: string, flags: ClientFlags) => {
      const deleted = await clientFor(io, flags).delete<Role>(`/v1/roles/${segment(id)}`);
      print(io, flags, deleted, () => `Deleted role ${deleted.name} (${deleted.id}).\n`);
      return EXIT.OK;
    }),
  );
}

function identityFields(identity: Identity): string {
  return fields([
    ["id", identity.id],
    ["project", identity.projectId],
    ["external id", identity.externalId],
    ["meta", identity.meta === null ? null : JSON.stringify(identity.meta)],
    ["ratelimits", ratelimitsCell(identity.ratelimits)],
    ["credits", creditsCell(identity.credits)],
    ["created", identity.createdAt],
    ["updated", identity.updatedAt],
  ]);
}

function identityTable(page: Page<Identity>): string {
  if (page.data.length === 0) {
    return "No identities. Create one: keysmith identities create --external-id cus_42\n";
  }
  return (
    table(page.data, [
      ["id", (i) => i.id],
      ["external id", (i) => i.externalId],
      ["ratelimits", (i) => ratelimitsCell(i.ratelimits)],
      ["credits", (i) => creditsCell(i.credits)],
      ["project", (i) => i.projectId],
    ]) + nextPageHint("keysmith identities list", page)
  );
}

function roleFields(role: Role): string {
  return fields([
    ["id", role.id],
    ["name", role.name],
    ["project", role.projectId],
    ["scopes", role.scopes],
    ["created", role.createdAt],
    ["updated", role.updatedAt],
  ]);
}

function roleTable(page: Page<Role>): string {
  if (page.data.length === 0)
    return "No roles. Create one: keysmith roles create --name billing --scopes invoices:*\n";
  return (
    table(page.data, [
      ["id", (r) => r.id],
      ["name", (r) => r.name],
      ["scopes", (r) => r.scopes],
      ["project", (r) => r.projectId],
    ]) + nextPageHint("keysmith roles list", page)
  );
}
