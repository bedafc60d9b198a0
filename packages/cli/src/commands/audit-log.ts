import type { AuditEntry, AuditVerification, Page } from "@keysmith/sdk";
import type { Command } from "commander";
import { type ClientFlags, type Context, clientCommand, clientFor, print } from "../context.js";
import { table } from "../format.js";
import { EXIT } from "../io.js";
import { positiveInt } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";

interface ListFlags extends ClientFlags, PagingFlags {
  project?: string;
  action?: string;
}

/** `keysmith audit-log list|verify`. */
export function auditLogCommands(program: Command, { io, act }: Context): void {
  const audit = program.command("audit-log").description("read and check the hash-chained audit log");

  clientCommand(
    audit
      .command("list")
      .description("list audit entries, newest first")
      .option("--project <id>", "only this project's entries")
      .option("--action <action>", "only this action (key.create, key.revoke, …)")
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(async (flags: ListFlags) => {
      const query = { projectId: flags.project, action: flags.action };
      const page = await listPages<AuditEntry>(clientFor(io, flags), "/v1/audit", query, flags);
      print(io, flags, page, () => auditTable(page));
      return EXIT.OK;
    }),
  );

  clientCommand(
    audit.command("verify").description("check the audit log's hash chain; exit 0 intact, 1 broken"),
  ).action(
    act(async (flags: ClientFlags) => {
      const result = await clientFor(io, flags).get<AuditVerification>("/v1/audit/verify");
      print(io, flags, result, () =>
        result.valid
          ? `Audit chain intact: ${result.checked} entries checked, head ${result.headHash}.\n`
          : `Audit chain BROKEN at entry ${result.brokenAt ?? "?"}: ${result.reason ?? "no reason given"} ` +
            `(${result.checked} entries checked).\n`,
      );
      return result.valid ? EXIT.OK : EXIT.NEGATIVE;
    }),
  );
}

function auditTable(page: Page<AuditEntry>): string {
  if (page.data.length === 0) return "No audit entries match.\n";
  return (
    table(page.data, [
      ["seq", (e) => e.seq],
      ["at", (e) => e.at],
      ["action", (e) => e.action],
      ["actor", (e) => e.actorId ?? e.actorType],
      ["target", (e) => e.targetId],
      ["project", (e) => e.projectId],
    ]) + nextPageHint("keysmith audit-log list", page)
  );
}
