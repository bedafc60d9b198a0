import type { IssuedRootKey, Page, RootKey } from "@keysmith/sdk";
import { describe, expect, it } from "vitest";
import { createKey, createProject, keysIn, useTestServer } from "../test-support/cli.js";

const server = useTestServer();

describe("keysmith root-keys", () => {
  it("creates a narrower root key, shown once, that works until it is revoked", async () => {
    const projectId = await createProject(server);
    const apiKey = await createKey(server, projectId);

    const created = await server.cli([
      "root-keys",
      "create",
      "--scopes",
      "keys:verify",
      "--project",
      projectId,
      "--name",
      "checkout-service",
    ]);
    expect(created.code).toBe(0);
    const shown = keysIn(created.stdout);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^ks_root_live_/);
    expect(created.stdout).toContain("Store it now");
    const id = /Created root key (root_[0-9A-Za-z]{22})/.exec(created.stdout)?.[1] ?? "";

    const asService = { env: { KEYSMITH_ROOT_KEY: shown[0] } };
    const verified = await server.cli(["keys", "verify"], { ...asService, stdin: apiKey.key });
    expect(verified.code).toBe(0);
    const forbidden = await server.cli(["projects", "create", "--name", "X", "--prefix", "xx"], asService);
    expect(forbidden.code).toBe(2);
    expect(forbidden.stderr).toMatch(/\(FORBIDDEN, request req_/);

    const list = await server.cli(["root-keys", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toContain("checkout-service");
    expect(keysIn(list.stdout)).toEqual([]);

    const revoked = await server.cli(["root-keys", "revoke", id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked root key ${id}`);
    const after = await server.cli(["keys", "verify"], { ...asService, stdin: apiKey.key });
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/\(UNAUTHORIZED, request req_/);
    expect(keysIn(after.stderr)).toEqual([]);
  });

  it("prints the API's JSON with --json", async () => {
    const created = await server.cli(["root-keys", "create", "--scopes", "audit:read,keys:read", "--json"]);
    const issued = JSON.parse(created.stdout) as IssuedRootKey;
    expect(issued).toMatchObject({ scopes: ["audit:read", "keys:read"], projectId: null, status: "active" });
    expect(issued.key).toMatch(/^ks_root_live_/);

    const list = JSON.parse((await server.cli(["root-keys", "list", "--json"])).stdout) as Page<RootKey>;
    expect(list.data.map((k) => k.id)).toContain(issued.id);
    expect(JSON.stringify(list)).not.toContain(issued.key);
  });

  it("requires --scopes and refuses scopes the server does not know", async () => {
    const missing = await server.cli(["root-keys", "create"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--scopes <scopes>' not specified");

    const unknown = await server.cli(["root-keys", "create", "--scopes", "everything"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/\(VALIDATION_ERROR, request req_/);
  });
});
