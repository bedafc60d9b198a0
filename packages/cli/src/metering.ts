import type { Budget, Credits, RateLimit } from "@keysmith/sdk";
import { type Command, Option } from "commander";
import { amount } from "./format.js";
import { CliError } from "./io.js";
import {
  type BudgetSpec,
  budget,
  cost,
  nonNegativeNumber,
  type RateLimitSpec,
  type Refill,
  ratelimit,
  refill,
  thresholds,
} from "./options.js";

/**
 * The metering flags `keys create|update` and `projects create|update` share, the request body
 * they make, and how the answers show the settings.
 */

export interface BudgetFlags {
  budget?: BudgetSpec;
  softCap?: boolean;
  thresholds?: number[];
  clearBudget?: boolean;
}

export interface KeyMeteringFlags extends BudgetFlags {
  ratelimit?: RateLimitSpec[];
  clearRatelimits?: boolean;
  credits?: number;
  refill?: Refill | "none";
  clearCredits?: boolean;
}

export interface ProjectMeteringFlags extends BudgetFlags {
  defaultRatelimit?: RateLimitSpec[];
  clearDefaultRatelimits?: boolean;
  cost?: Record<string, number>;
  clearCostTable?: boolean;
  anomalyPolicy?: string;
  leakPolicy?: string;
}

interface BudgetBody extends BudgetSpec {
  thresholds?: number[];
  hardCap?: boolean;
}

/** Whether a command sets settings from nothing (create) or changes them (update: `--clear-…`). */
type Mode = "create" | "update";

const RATELIMIT_HELP = "a rate-limit window, name=LIMIT/DURATION (burst=50/1s); repeat for more";

/** `--budget`, `--soft-cap`, `--thresholds` (and `--clear-budget` on update). */
function budgetOptions(command: Command, mode: Mode, of: string): Command {
  command
    .option(
      "--budget <limit[/period]>",
      `spend limit for ${of} per day or month (100/day; the period defaults to month)`,
      budget,
    )
    .option("--soft-cap", "past the budget only alert, never refuse (hardCap false)")
    .option(
      "--thresholds <fractions>",
      "budget alert thresholds, comma-separated (default 0.8,1)",
      thresholds,
    );
  if (mode === "update") {
    command.addOption(
      new Option("--clear-budget", "remove the budget").conflicts(["budget", "softCap", "thresholds"]),
    );
  }
  return command;
}

/** Adds the key metering flags. */
export function keyMeteringOptions(command: Command, mode: Mode): Command {
  command.option("--ratelimit <name=limit/duration>", RATELIMIT_HELP, ratelimit);
  if (mode === "update") {
    command.addOption(
      new Option(
        "--clear-ratelimits",
        "remove the key's own windows (the project's defaults apply)",
      ).conflicts("ratelimit"),
    );
  }
  command
    .option("--credits <n>", "uses left; each VALID verification takes its cost", nonNegativeNumber)
    .option(
      "--refill <amount/interval>",
      `reset the credits to AMOUNT each UTC day or month (1000/month${mode === "update" ? "; none to stop" : ""})`,
      refill,
    );
  if (mode === "update") {
    command.addOption(
      new Option("--clear-credits", "remove the credit limit").conflicts(["credits", "refill"]),
    );
  }
  return budgetOptions(command, mode, "the key");
}

/** Adds the project metering flags. */
export function projectMeteringOptions(command: Command, mode: Mode): Command {
  command.option(
    "--default-ratelimit <name=limit/duration>",
    `${RATELIMIT_HELP}; applies to keys that set none`,
    ratelimit,
  );
  if (mode === "update") {
    command.addOption(
      new Option("--clear-default-ratelimits", "remove the default windows").conflicts("defaultRatelimit"),
    );
  }
  command.option(
    "--cost <scope=price>",
    "the price of a call asking for a scope (*=1 for the rest); repeat",
    cost,
  );
  if (mode === "update") {
    command.addOption(new Option("--clear-cost-table", "remove every price").conflicts("cost"));
  }
  budgetOptions(command, mode, "all the project's keys");
  return command
    .addOption(
      new Option("--anomaly-policy <policy>", "on a spike: alert, or alert and disable the key").choices([
        "alert",
        "disable",
      ]),
    )
    .addOption(
      new Option(
        "--leak-policy <policy>",
        "a key reported leaked: revoke it (default), or only flag it",
      ).choices(["revoke", "flag"]),
    );
}

/** The key metering fields of a create or patch body. */
export function keyMeteringBody(flags: KeyMeteringFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (flags.clearRatelimits) body.ratelimits = null;
  else if (flags.ratelimit) body.ratelimits = flags.ratelimit;
  if (flags.clearCredits) body.credits = null;
  else if (flags.credits !== undefined) {
    body.credits = {
      remaining: flags.credits,
      ...(flags.refill === undefined || flags.refill === "none" ? {} : { refill: flags.refill }),
    };
  } else if (flags.refill !== undefined) {
    throw new CliError("--refill goes with --credits N (the balance to start from)");
  }
  const budgetBody = budgetFields(flags);
  if (budgetBody !== undefined) body.budget = budgetBody;
  return body;
}

/** The project metering fields of a create or patch body. */
export function projectMeteringBody(flags: ProjectMeteringFlags): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (flags.clearDefaultRatelimits) body.defaultRatelimits = null;
  else if (flags.defaultRatelimit) body.defaultRatelimits = flags.defaultRatelimit;
  if (flags.clearCostTable) body.costTable = null;
  else if (flags.cost) body.costTable = flags.cost;
  const budgetBody = budgetFields(flags);
  if (budgetBody !== undefined) body.budget = budgetBody;
  if (flags.anomalyPolicy !== undefined) body.anomalyPolicy = flags.anomalyPolicy;
  if (flags.leakPolicy !== undefined) body.leakPolicy = flags.leakPolicy;
  return body;
}

function budgetFields(flags: BudgetFlags): BudgetBody | null | undefined {
  if (flags.clearBudget) return null;
  if (flags.budget === undefined) {
    if (flags.softCap || flags.thresholds) {
      throw new CliError("--soft-cap and --thresholds go with --budget LIMIT[/day|month]");
    }
    return undefined;
  }
  return {
    ...flags.budget,
    ...(flags.thresholds ? { thresholds: flags.thresholds } : {}),
    ...(flags.softCap ? { hardCap: false } : {}),
  };
}

/** `burst=50/1s`, the way `--ratelimit` takes it. */
export function ratelimitsCell(windows: readonly RateLimit[] | null | undefined): string[] | null {
  if (!windows) return null;
  return windows.map(
    (w) => `${w.name}=${w.limit}/${typeof w.duration === "number" ? `${w.duration}ms` : w.duration}`,
  );
}

export function creditsCell(credits: Credits | null | undefined): string | null {
  if (!credits) return null;
  const refills = credits.refill
    ? `, refilled to ${amount(credits.refill.amount)} each ${credits.refill.interval}`
    : "";
  return `${amount(credits.remaining)} left${refills}`;
}

export function budgetCell(budgetValue: Budget | null | undefined): string | null {
  if (!budgetValue) return null;
  const at = budgetValue.thresholds.map((t) => `${amount(t * 100)}%`).join(",");
  const cap = budgetValue.hardCap ? "hard cap" : "soft cap";
  return `${amount(budgetValue.limit)} per ${budgetValue.period}, alerts at ${at}, ${cap}`;
}

export function costTableCell(table: Record<string, number> | null | undefined): string[] | null {
  if (!table) return null;
  return Object.entries(table).map(([scope, price]) => `${scope}=${amount(price)}`);
}
