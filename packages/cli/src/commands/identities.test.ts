import type { Identity, IssuedKey, Page, Role, VerifyResponse } from "@keysmith/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey, createProject, startTestServer, type TestServer } from "../test-support/cli.js";

let server: TestServer;
let projectId: string;

beforeAll(async () => {
  server = await startTestServer();
  projectId = await createProject(server);
});
afterAll(async () => {
  await server?.close();
});

const json = async <T>(argv: string[]): Promise<T> => {
  const result = await server.cli([...argv, "--json"]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
};

const verify = async (key: IssuedKey, scopes: string) => {
  const res = await fetch(`${server.running.url}/v1/keys/verify`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.rootKey}`, "content-type": "application/json" },
    body: JSON.stringify({ key: key.key, scopes: [scopes] }),
  });
  return (await res.json()) as VerifyResponse;
};

describe("keysmith identities", () => {
  it("creates, lists, shows, updates and deletes an identity", async () => {
    const created = await json<Identity>([
      "identities",
      "create",
      "--project",
      projectId,
      "--external-id",
      "cus_cli",
      "--meta",
      '{"plan":"team"}',
      "--ratelimit",
      "org=100/1m",
      "--credits",
      "500",
      "--refill",
      "500/month",
    ]);
    expect(created).toMatchObject({
      externalId: "cus_cli",
      meta: { plan: "team" },
      ratelimits: [{ name: "org", limit: 100, duration: "1m" }],
      credits: { remaining: 500, refill: { amount: 500, interval: "month" } },
    });
    const listed = await json<Page<Identity>>(["identities", "list", "--project", projectId]);
    expect(listed.data.map((i) => i.id)).toContain(created.id);
    const human = await server.cli(["identities", "get", created.id]);
    expect(human.stdout).toMatch(/external id:\s+cus_cli/);
    expect(human.stdout).toMatch(/ratelimits:\s+org=100\/1m/);
    const updated = await json<Identity>([
      "identities",
      "update",
      created.id,
      "--clear-credits",
      "--meta",
      "null",
    ]);
    expect(updated).toMatchObject({ credits: null, meta: null, ratelimits: created.ratelimits });
    const nothing = await server.cli(["identities", "update", created.id]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("nothing to update");
    expect((await json<Identity>(["identities", "delete", created.id])).id).toBe(created.id);
    const gone = await server.cli(["identities", "get", created.id]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("IDENTITY_NOT_FOUND");
  });
});

describe("keysmith roles and keys create --role", () => {
  it("creates roles, gives them to keys, and a role change reaches the key", async () => {
    const role = await json<Role>([
      "roles",
      "create",
      "--project",
      projectId,
      "--name",
      "billing",
      "--scopes",
      "invoices:read,refunds:write",
    ]);
    expect(role).toMatchObject({ name: "billing", scopes: ["invoices:read", "refunds:write"] });
    expect(
      (await json<Page<Role>>(["roles", "list", "--project", projectId])).data.map((r) => r.id),
    ).toContain(role.id);
    const key = await createKey(server, projectId, "--scopes", "own:read", "--role", "billing");
    expect(key.roles).toEqual(["billing"]);
    expect((await verify(key, "invoices:read")).code).toBe("VALID");
    const unknown = await server.cli(["keys", "create", "--project", projectId, "--role", "ghost"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("UNKNOWN_ROLES");
    await json<Role>(["roles", "update", role.id, "--scopes", "refunds:write"]);
    expect((await verify(key, "invoices:read")).code).toBe("INSUFFICIENT_SCOPE");
    const cleared = await json<IssuedKey>(["keys", "update", key.id, "--clear-roles"]);
    expect(cleared.roles).toEqual([]);
    expect((await json<Role>(["roles", "delete", role.id])).name).toBe("billing");
  });
});
