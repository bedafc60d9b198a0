import type { Page, Project } from "@keysmith/sdk";
import type { Command } from "commander";
import { type ClientFlags, type Context, clientCommand, clientFor, print, segment } from "../context.js";
import { fields, table } from "../format.js";
import { CliError, EXIT } from "../io.js";
import {
  budgetCell,
  costTableCell,
  type ProjectMeteringFlags,
  projectMeteringBody,
  projectMeteringOptions,
  ratelimitsCell,
} from "../metering.js";
import { list, positiveInt } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";

interface CreateFlags extends ClientFlags, ProjectMeteringFlags {
  name: string;
  prefix: string;
  publishableScopes?: string[];
}

interface UpdateFlags extends ClientFlags, ProjectMeteringFlags {
  name?: string;
  publishableScopes?: string[];
}

/** `keysmith projects create|update|list`. */
export function projectsCommands(program: Command, { io, act }: Context): void {
  const projects = program
    .command("projects")
    .description("create, update and list projects (the APIs keysmith protects)");

  clientCommand(
    projectMeteringOptions(
      projects
        .command("create")
        .description("create a project")
        .requiredOption("--name <name>", "a display name")
        .requiredOption("--prefix <prefix>", "the key prefix, 2-12 of [a-z0-9] (ks is reserved)")
        .option("--publishable-scopes <scopes>", "scopes publishable keys may hold, comma-separated", list),
      "create",
    ),
  ).action(
    act(async (flags: CreateFlags) => {
      const project = await clientFor(io, flags).post<Project>("/v1/projects", {
        name: flags.name,
        prefix: flags.prefix,
        ...(flags.publishableScopes ? { publishableScopes: flags.publishableScopes } : {}),
        ...projectMeteringBody(flags),
      });
      print(io, flags, project, () => `Created project ${project.id}.\n${projectFields(project)}`);
      return EXIT.OK;
    }),
  );

  clientCommand(
    projectMeteringOptions(
      projects
        .command("update")
        .description("change a project's settings; only the flags given change")
        .argument("<id>", "the project's id (proj_…)")
        .option("--name <name>", "a display name")
        .option(
          "--publishable-scopes <scopes>",
          "replace the scopes publishable keys may hold, comma-separated",
          list,
        ),
      "update",
    ).addHelpText(
      "after",
      "\n--default-ratelimit, --cost and --budget each replace that whole setting; give every\n" +
        "window or price the project should have.",
    ),
  ).action(
    act(async (id: string, flags: UpdateFlags) => {
      const body: Record<string, unknown> = {
        ...(flags.name === undefined ? {} : { name: flags.name }),
        ...(flags.publishableScopes ? { publishableScopes: flags.publishableScopes } : {}),
        ...projectMeteringBody(flags),
      };
      if (Object.keys(body).length === 0) {
        throw new CliError(
          "nothing to update: give at least one setting (see keysmith projects update --help)",
        );
      }
      const project = await clientFor(io, flags).patch<Project>(`/v1/projects/${segment(id)}`, body);
      print(io, flags, project, () => `Updated project ${project.id}.\n${projectFields(project)}`);
      return EXIT.OK;
    }),
  );

  clientCommand(
    projects
      .command("list")
      .description("list the projects the root key can see")
      .option("--limit <n>", "page size (1-500)", positiveInt)
      .option("--cursor <cursor>", "continue from a previous page")
      .option("--all", "follow nextCursor through every page"),
  ).action(
    act(async (flags: ClientFlags & PagingFlags) => {
      const page = await listPages<Project>(clientFor(io, flags), "/v1/projects", {}, flags);
      print(io, flags, page, () => projectTable(page));
      return EXIT.OK;
    }),
  );
}

function projectFields(project: Project): string {
  return fields([
    ["id", project.id],
    ["name", project.name],
    ["prefix", project.prefix],
    ["publishable scopes", project.publishableScopes],
    ["default ratelimits", ratelimitsCell(project.defaultRatelimits)],
    ["cost table", costTableCell(project.costTable)],
    ["budget", budgetCell(project.budget)],
    ["anomaly policy", project.anomalyPolicy],
    ["leak policy", project.leakPolicy],
    ["created", project.createdAt],
  ]);
}

function projectTable(page: Page<Project>): string {
  if (page.data.length === 0)
    return "No projects yet. Create one: keysmith projects create --name N --prefix P\n";
  return (
    table(page.data, [
      ["id", (p) => p.id],
      ["prefix", (p) => p.prefix],
      ["name", (p) => p.name],
      ["publishable scopes", (p) => p.publishableScopes],
      ["created", (p) => p.createdAt],
    ]) + nextPageHint("keysmith projects list", page)
  );
}
