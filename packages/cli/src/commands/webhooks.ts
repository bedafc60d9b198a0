import type { CreatedWebhook, Delivery, Page, Webhook } from "@keysmith/sdk";
import { type Command, InvalidArgumentError, Option } from "commander";
import { ALERT_EVENTS } from "../alert-events.js";
import {
  type ClientFlags,
  type Context,
  clientCommand,
  clientFor,
  DEFAULT_URL,
  print,
  segment,
} from "../context.js";
import { fields, table } from "../format.js";
import { EXIT } from "../io.js";
import { list, positiveInt } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";

/** `webhooks create` names the endpoint `--url`, so the server is `--server-url` there. */
interface CreateFlags {
  url: string;
  serverUrl?: string;
  json?: boolean;
  events: string[];
  project?: string;
  description?: string;
}

/** `--events a,b`: known alert types, at least one. */
function events(value: string): string[] {
  const given = list(value);
  const unknown = given.find((event) => !(ALERT_EVENTS as readonly string[]).includes(event));
  if (given.length === 0 || unknown !== undefined) {
    const what = unknown === undefined ? "no event given" : `unknown event "${unknown}"`;
    throw new InvalidArgumentError(`${what}; expected some of ${ALERT_EVENTS.join(", ")}.`);
  }
  return [...new Set(given)];
}

/** `keysmith webhooks create|list|get|delete|deliveries`: where alerts are delivered, signed. */
export function webhooksCommands(program: Command, { io, act }: Context): void {
  const webhooks = program
    .command("webhooks")
    .description("manage webhook endpoints that receive alerts, signed, and their delivery log");

  webhooks
    .command("create")
    .description("create an endpoint; its signing secret is printed this once")
    .requiredOption("--url <url>", "where to POST alerts (http or https)")
    .requiredOption("--events <events>", `alert types, comma-separated (${ALERT_EVENTS.join(", ")})`, events)
    .option("--project <id>", "only this project's alerts (default: every project your key can see)")
    .option("--description <text>", "a note on what the endpoint is for")
    .option(
      "--server-url <url>",
      `the keysmith server (env KEYSMITH_URL, default ${DEFAULT_URL}); --url names the endpoint here`,
    )
    .option("--json", "print the API's JSON answer")
    .action(
      act(async (flags: CreateFlags) => {
        const client = clientFor(io, { url: flags.serverUrl, json: flags.json });
        const created = await client.post<CreatedWebhook>("/v1/webhooks", {
          url: flags.url,
          events: flags.events,
          ...(flags.project === undefined ? {} : { projectId: flags.project }),
          ...(flags.description === undefined ? {} : { description: flags.description }),
        });
        print(io, flags, created, () =>
          [
            `Created webhook ${created.id}; its signing secret:`,
            "",
            `  ${created.secret}`,
            "",
            "Store it now: keysmith shows a signing secret once. Your receiver checks each delivery's",
            "webhook-signature with it (Standard Webhooks).",
            "",
            webhookFields(created),
          ].join("\n"),
        );
        return EXIT.OK;
      }),
    );

  clientCommand(
    webhooks
      .command("list")
      .description("list webhook endpoints, newest first")
      .option("--project <id>", "only this project's endpoints")
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(async (flags: ClientFlags & PagingFlags & { project?: string }) => {
      const query = { projectId: flags.project };
      const page = await listPages<Webhook>(clientFor(io, flags), "/v1/webhooks", query, flags);
      print(io, flags, page, () => webhookTable(page));
      return EXIT.OK;
    }),
  );

  clientCommand(
    webhooks
      .command("get")
      .description("show one webhook endpoint")
      .argument("<id>", "the endpoint's id (whk_…)"),
  ).action(
    act(async (id: string, flags: ClientFlags) => {
      const webhook = await clientFor(io, flags).get<Webhook>(`/v1/webhooks/${segment(id)}`);
      print(io, flags, webhook, () => webhookFields(webhook));
      return EXIT.OK;
    }),
  );

  clientCommand(
    webhooks
      .command("delete")
      .description("delete an endpoint; its pending deliveries are cancelled")
      .argument("<id>", "the endpoint's id (whk_…)"),
  ).action(
    act(async (id: string, flags: ClientFlags) => {
      const deleted = await clientFor(io, flags).delete<Webhook>(`/v1/webhooks/${segment(id)}`);
      print(
        io,
        flags,
        deleted,
        () => `Deleted webhook ${deleted.id} (${deleted.url}); its pending deliveries are cancelled.\n`,
      );
      return EXIT.OK;
    }),
  );

  clientCommand(
    webhooks
      .command("deliveries")
      .description("an endpoint's delivery log, newest first (also for a deleted endpoint)")
      .argument("<id>", "the endpoint's id (whk_…)")
      .addOption(
        new Option("--status <status>", "only deliveries in this status").choices([
          "pending",
          "delivered",
          "failed",
          "cancelled",
        ]),
      )
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(async (id: string, flags: ClientFlags & PagingFlags & { status?: string }) => {
      const path = `/v1/webhooks/${segment(id)}/deliveries`;
      const page = await listPages<Delivery>(clientFor(io, flags), path, { status: flags.status }, flags);
      print(io, flags, page, () => deliveryTable(id, page));
      return EXIT.OK;
    }),
  );
}

function webhookFields(webhook: Webhook): string {
  return fields([
    ["id", webhook.id],
    ["url", webhook.url],
    ["events", webhook.events],
    ["project", webhook.projectId ?? "every project"],
    ["description", webhook.description],
    ["created", webhook.createdAt],
    ["deleted", webhook.deletedAt],
  ]);
}

function webhookTable(page: Page<Webhook>): string {
  if (page.data.length === 0) {
    return "No webhook endpoints. Create one: keysmith webhooks create --url U --events budget.threshold\n";
  }
  return (
    table(page.data, [
      ["id", (w) => w.id],
      ["url", (w) => w.url],
      ["events", (w) => w.events],
      ["project", (w) => w.projectId ?? "*"],
      ["created", (w) => w.createdAt],
    ]) + nextPageHint("keysmith webhooks list", page)
  );
}

function deliveryTable(id: string, page: Page<Delivery>): string {
  if (page.data.length === 0) return "No deliveries match.\n";
  return (
    table(page.data, [
      ["id", (d) => d.id],
      ["alert", (d) => d.alertId],
      ["event", (d) => d.eventType],
      ["status", (d) => d.status],
      ["attempts", (d) => d.attempts],
      ["http", (d) => d.responseStatus],
      ["last attempt", (d) => d.lastAttemptAt],
      ["next attempt", (d) => d.nextAttemptAt],
      ["error", (d) => d.error],
    ]) + nextPageHint(`keysmith webhooks deliveries ${id}`, page)
  );
}
