import type { Command } from "commander";
import type { Page, Project } from "../api-types.js";
import { type ClientFlags, type Context, clientCommand, clientFor, print } from "../context.js";
import { fields, table } from "../format.js";
import { EXIT } from "../io.js";
import { list, positiveInt } from "../options.js";
import { listPages, nextPageHint, type PagingFlags } from "../paging.js";

interface CreateFlags extends ClientFlags {
  name: string;
  prefix: string;
  publishableScopes?: string[];
}

/** `keysmith projects create|list`. */
export function projectsCommands(program: Command, { io, act }: Context): void {
  const projects = program
    .command("projects")
    .description("create and list projects (the APIs keysmith protects)");

  clientCommand(
    projects
      .command("create")
      .description("create a project")
      .requiredOption("--name <name>", "a display name")
      .requiredOption("--prefix <prefix>", "the key prefix, 2-12 of [a-z0-9] (ks is reserved)")
      .option("--publishable-scopes <scopes>", "scopes publishable keys may hold, comma-separated", list),
  ).action(
    act(async (flags: CreateFlags) => {
      const project = await clientFor(io, flags).post<Project>("/v1/projects", {
        name: flags.name,
        prefix: flags.prefix,
        ...(flags.publishableScopes ? { publishableScopes: flags.publishableScopes } : {}),
      });
      print(io, flags, project, () => `Created project ${project.id}.\n${projectFields(project)}`);
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
