import type { Alert, Page } from "@keysmith/sdk";
import { type Command, Option } from "commander";
import { ALERT_EVENTS } from "../alert-events.js";
import { type ClientFlags, type Context, clientCommand, clientFor, print } from "../context.js";
import { table } from "../format.js";
import { EXIT } from "../io.js";
import { positiveInt } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";

interface ListFlags extends ClientFlags, PagingFlags {
  project?: string;
  type?: string;
  key?: string;
}

/** `keysmith alerts list`: the alerts keysmith raised, whether or not a webhook carried them. */
export function alertsCommands(program: Command, { io, act }: Context): void {
  const alerts = program.command("alerts").description("read the alerts keysmith raised");

  clientCommand(
    alerts
      .command("list")
      .description("list alerts, newest first")
      .option("--project <id>", "only this project's alerts")
      .addOption(new Option("--type <type>", "only this alert type").choices(ALERT_EVENTS))
      .option("--key <id>", "only this key's alerts (key_…)")
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(async (flags: ListFlags) => {
      const query = { projectId: flags.project, type: flags.type, keyId: flags.key };
      const page = await listPages<Alert>(clientFor(io, flags), "/v1/alerts", query, flags);
      print(io, flags, page, () => alertTable(page));
      return EXIT.OK;
    }),
  );
}

function alertTable(page: Page<Alert>): string {
  if (page.data.length === 0) return "No alerts match.\n";
  return (
    table(page.data, [
      ["id", (a) => a.id],
      ["type", (a) => a.type],
      ["key", (a) => a.keyId],
      ["project", (a) => a.projectId],
      ["created", (a) => a.createdAt],
      ["details", (a) => details(a.data)],
    ]) + nextPageHint("keysmith alerts list", page)
  );
}

/** The alert's data as `name=value` pairs, without the ids the other columns show. */
function details(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([name]) => name !== "projectId" && name !== "keyId")
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
}
