import type { Page, Project } from "@keysmith/sdk";
import { describe, expect, it } from "vitest";
import { useTestServer } from "../test-support/cli.js";

const server = useTestServer();

describe("keysmith projects", () => {
  it("says how to start when there are no projects", async () => {
    const result = await server.cli(["projects", "list"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("No projects yet");
  });

  it("creates projects and lists them as a table and as the API's JSON", async () => {
    const created = await server.cli([
      "projects",
      "create",
      "--name",
      "Acme Billing",
      "--prefix",
      "acme",
      "--publishable-scopes",
      "catalog:read,prices:read",
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Created project proj_[0-9A-Za-z]{22}\./);
    expect(created.stdout).toMatch(/publishable scopes:\s+catalog:read,prices:read/);

    const json = await server.cli(["projects", "create", "--name", "Globex", "--prefix", "globex", "--json"]);
    const globex = JSON.parse(json.stdout) as Project;
    expect(globex).toMatchObject({ name: "Globex", prefix: "globex", publishableScopes: [] });

    const table = await server.cli(["projects", "list"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+PREFIX\s+NAME\s+PUBLISHABLE SCOPES\s+CREATED$/);
    expect(lines).toHaveLength(3);
    expect(table.stdout).toContain("Acme Billing");

    const list = await server.cli(["projects", "list", "--json"]);
    const page = JSON.parse(list.stdout) as Page<Project>;
    expect(page.data.map((p) => p.prefix).sort()).toEqual(["acme", "globex"]);
    expect(page.nextCursor).toBeNull();
  });

  it("requires --name and --prefix", async () => {
    const result = await server.cli(["projects", "create", "--prefix", "initech"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("keysmith: required option '--name <name>' not specified\n");
  });

  it("reports a taken prefix with the server's code", async () => {
    await server.cli(["projects", "create", "--name", "One", "--prefix", "dupe"]);
    const again = await server.cli(["projects", "create", "--name", "Two", "--prefix", "dupe"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/\(PREFIX_TAKEN, request req_[0-9A-Za-z]+\)\n$/);
  });
});
