import type { Page, RateLimitCheckResult, RateLimitOverride } from "@keysmith/sdk";
import { type Command, InvalidArgumentError } from "commander";
import { type ClientFlags, type Context, clientCommand, clientFor, print } from "../context.js";
import { fields, table } from "../format.js";
import { EXIT } from "../io.js";
import { positiveInt } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";

interface LimitFlags extends ClientFlags {
  namespace: string;
  identifier: string;
  limit: number;
  duration: string | number;
}

/** `--duration 1m` as sent; whole milliseconds (`60000`) as a number. The server checks the range. */
function duration(value: string): string | number {
  if (/^[0-9]{1,15}$/.test(value)) return Number(value);
  if (!/^[0-9]{1,10}(ms|s|m|h|d|w)$/.test(value)) {
    throw new InvalidArgumentError("expected a whole number and a unit (30s, 15m, 1h, 1d) or milliseconds.");
  }
  return value;
}

/** `--cost n`: a whole number from 0 up. */
function cost(value: string): number {
  const parsed = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(parsed)) {
    throw new InvalidArgumentError("expected a whole number from 0 up.");
  }
  return parsed;
}

/** `keysmith ratelimit check|overrides set|list|delete`: standalone rate limits (SPEC §10). */
export function ratelimitCommands(program: Command, { io, act }: Context): void {
  const ratelimit = program
    .command("ratelimit")
    .description("standalone rate limits for anything that is not a key (a login form per IP, a user id)");

  clientCommand(
    ratelimit
      .command("check")
      .description("count one call (or --cost) against a limit; exit 0 when it fits, 1 when over the limit")
      .requiredOption("--namespace <name>", "what is limited, e.g. login")
      .requiredOption("--identifier <id>", "who is limited, e.g. an IP address or a user id")
      .requiredOption("--limit <n>", "calls per window (an override of the identifier wins)", positiveInt)
      .requiredOption("--duration <d>", "the window, 1s to 31d (30s, 15m, 1h) or milliseconds", duration)
      .option("--cost <n>", "what this call takes from the window (default 1; 0 only reads)", cost),
  ).action(
    act(async (flags: LimitFlags & { cost?: number }) => {
      const answer = await clientFor(io, flags).post<RateLimitCheckResult>("/v1/ratelimit", {
        namespace: flags.namespace,
        identifier: flags.identifier,
        limit: flags.limit,
        duration: flags.duration,
        ...(flags.cost === undefined ? {} : { cost: flags.cost }),
      });
      print(io, flags, answer, () =>
        fields([
          ["success", answer.success ? "yes" : "no: over the limit"],
          ["limit", answer.limit],
          ["remaining", answer.remaining],
          ["reset", answer.reset],
        ]),
      );
      return answer.success ? EXIT.OK : EXIT.NEGATIVE;
    }),
  );

  const overrides = ratelimit
    .command("overrides")
    .description("per-identifier limits that replace a namespace's (an identifier ending in * is a prefix)");

  clientCommand(
    overrides
      .command("set")
      .description(
        "create or replace an override; the most specific one wins (exact, then the longest prefix*)",
      )
      .requiredOption("--namespace <name>", "the namespace, e.g. login")
      .requiredOption("--identifier <id>", "an identifier, or a prefix ending in * (quote it: 'user_*')")
      .requiredOption("--limit <n>", "calls per window", positiveInt)
      .requiredOption("--duration <d>", "the window, 1s to 31d (30s, 15m, 1h) or milliseconds", duration),
  ).action(
    act(async (flags: LimitFlags) => {
      const saved = await clientFor(io, flags).put<RateLimitOverride>("/v1/ratelimit/overrides", {
        namespace: flags.namespace,
        identifier: flags.identifier,
        limit: flags.limit,
        duration: flags.duration,
      });
      print(io, flags, saved, () => `Set override:\n${overrideFields(saved)}`);
      return EXIT.OK;
    }),
  );

  clientCommand(
    overrides
      .command("list")
      .description("list a namespace's overrides, by identifier")
      .requiredOption("--namespace <name>", "the namespace")
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(async (flags: ClientFlags & PagingFlags & { namespace: string }) => {
      const page = await listPages<RateLimitOverride>(
        clientFor(io, flags),
        "/v1/ratelimit/overrides",
        { namespace: flags.namespace },
        flags,
      );
      print(io, flags, page, () => overrideTable(flags.namespace, page));
      return EXIT.OK;
    }),
  );

  clientCommand(
    overrides
      .command("delete")
      .description("delete an override (the identifier exactly as set, a trailing * included)")
      .requiredOption("--namespace <name>", "the namespace")
      .requiredOption("--identifier <id>", "the override's identifier"),
  ).action(
    act(async (flags: ClientFlags & { namespace: string; identifier: string }) => {
      const deleted = await clientFor(io, flags).delete<RateLimitOverride>("/v1/ratelimit/overrides", {
        namespace: flags.namespace,
        identifier: flags.identifier,
      });
      print(
        io,
        flags,
        deleted,
        () => `Deleted the override of ${deleted.namespace} for ${deleted.identifier}.\n`,
      );
      return EXIT.OK;
    }),
  );
}

function overrideFields(o: RateLimitOverride): string {
  return fields([
    ["namespace", o.namespace],
    ["identifier", o.identifier],
    ["limit", o.limit],
    ["duration", o.duration],
    ["created", o.createdAt],
    ["updated", o.updatedAt],
  ]);
}

function overrideTable(namespace: string, page: Page<RateLimitOverride>): string {
  if (page.data.length === 0) {
    return `No overrides in ${namespace}. Set one: keysmith ratelimit overrides set --namespace ${namespace} --identifier 'user_*' --limit 100 --duration 1m\n`;
  }
  return (
    table(page.data, [
      ["identifier", (o) => o.identifier],
      ["limit", (o) => o.limit],
      ["duration", (o) => o.duration],
      ["updated", (o) => o.updatedAt],
    ]) + nextPageHint(`keysmith ratelimit overrides list --namespace ${namespace}`, page)
  );
}
