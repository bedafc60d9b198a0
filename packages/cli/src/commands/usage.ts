import type { UsageSeries as Usage, UsageBucket } from "@keysmith/sdk";
import { type Command, Option } from "commander";

/** A bucket, or the totals of several, read by outcome name (a newer server may count more). */
type Counts = Omit<UsageBucket, "outcomes"> & { outcomes: Record<string, number> };

import { type ClientFlags, type Context, clientCommand, clientFor, print, segment } from "../context.js";
import { amount, fields, sparkline, table } from "../format.js";
import { EXIT } from "../io.js";
import { timestamp } from "../options.js";

interface UsageFlags extends ClientFlags {
  key?: string;
  project?: string;
  owner?: string;
  granularity?: Usage["granularity"];
  from?: string;
  to?: string;
}

const STEP_MS: Record<Usage["granularity"], number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** `keysmith usage`: verifications by outcome, and spend, as a table and a sparkline. */
export function usageCommand(program: Command, { io, act }: Context): void {
  clientCommand(
    program
      .command("usage")
      .description("show verifications by outcome, and spend, per minute, hour or day")
      .option("--key <id>", "one key's usage (key_…)")
      .addOption(new Option("--project <id>", "only this project's keys").conflicts("key"))
      .addOption(new Option("--owner <id>", "only this owner's keys").conflicts("key"))
      .addOption(
        new Option("--granularity <unit>", "bucket size (default hour)").choices(["minute", "hour", "day"]),
      )
      .option("--from <time>", "from this ISO 8601 time (default: an hour, a day or 30 days back)", timestamp)
      .option("--to <time>", "up to this ISO 8601 time (default now)", timestamp)
      .addHelpText(
        "after",
        "\nWithout --key, --project or --owner: every key the root key can see. Every bucket of the\n" +
          "range is shown, empty ones too; a range holds at most 2,000 buckets.",
      ),
  ).action(
    act(async (flags: UsageFlags) => {
      const client = clientFor(io, flags);
      const range = { granularity: flags.granularity, from: flags.from, to: flags.to };
      const usage =
        flags.key === undefined
          ? await client.get<Usage>("/v1/usage", { projectId: flags.project, ownerId: flags.owner, ...range })
          : await client.get<Usage>(`/v1/keys/${segment(flags.key)}/usage`, range);
      print(io, flags, usage, () => usageReport(usage, subject(flags)));
      return EXIT.OK;
    }),
  );
}

function subject(flags: UsageFlags): string {
  if (flags.key !== undefined) return `key ${flags.key}`;
  const parts = [
    ...(flags.project === undefined ? [] : [`project ${flags.project}`]),
    ...(flags.owner === undefined ? [] : [`owner ${flags.owner}`]),
  ];
  return parts.length === 0 ? "every key" : parts.join(", ");
}

function usageReport(usage: Usage, of: string): string {
  const buckets = usage.data;
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  if (first === undefined || last === undefined) return `No usage buckets for ${of}.\n`;
  const end = new Date(Date.parse(last.start) + STEP_MS[usage.granularity]).toISOString();
  const valid = buckets.map((b) => b.outcomes.VALID ?? 0);
  const totals: Counts = { start: first.start, outcomes: {}, spend: 0 };
  for (const bucket of buckets) {
    totals.spend += bucket.spend;
    for (const [code, count] of Object.entries(bucket.outcomes)) {
      totals.outcomes[code] = (totals.outcomes[code] ?? 0) + count;
    }
  }
  return [
    `Usage of ${of} per ${usage.granularity}, ${first.start} to ${end}:`,
    "",
    table(buckets, [
      ["start", (b) => b.start],
      ["valid", (b) => b.outcomes.VALID ?? 0],
      ["rejected", rejectedTotal],
      ["rejections", rejections],
      ["spend", (b) => amount(b.spend)],
    ]),
    `VALID per ${usage.granularity} (max ${Math.max(...valid)}): ${sparkline(valid)}`,
    "",
    fields([
      ["total valid", totals.outcomes.VALID ?? 0],
      ["total rejected", rejectedTotal(totals)],
      ["rejections", rejections(totals)],
      ["total spend", amount(totals.spend)],
    ]),
  ].join("\n");
}

/** The non-zero outcomes other than VALID, as `CODE=n`, in the API's order. */
function rejections(bucket: Counts): string[] {
  return Object.entries(bucket.outcomes)
    .filter(([code, n]) => code !== "VALID" && n > 0)
    .map(([code, n]) => `${code}=${n}`);
}

function rejectedTotal(bucket: Counts): number {
  return Object.entries(bucket.outcomes).reduce((sum, [code, n]) => (code === "VALID" ? sum : sum + n), 0);
}
