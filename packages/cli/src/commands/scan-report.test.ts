import { randomBase62 } from "@keysmith/core";
import type { IssuedKey, Project } from "@keysmith/sdk";
import { beforeAll, describe, expect, it } from "vitest";
import { createKey, useTempDir, useTestServer } from "../test-support/cli.js";
import { fakeKey, write } from "../test-support/git.js";

const server = useTestServer();
let revoking: Project;
let flagging: Project;

beforeAll(async () => {
  const created = async (...args: string[]) =>
    JSON.parse((await server.cli(["projects", "create", ...args, "--json"])).stdout) as Project;
  revoking = await created("--name", "Acme", "--prefix", "acme");
  flagging = await created("--name", "Globex", "--prefix", "globex", "--leak-policy", "flag");
});

const dir = useTempDir();

const issue = (projectId: string): Promise<IssuedKey> => createKey(server, projectId);

const verify = (key: string) => server.cli(["keys", "verify", "--json"], { stdin: `${key}\n` });

describe("keysmith scan --report", () => {
  it("sends the keysmith keys found to the server, which revokes them: REVOKED at verify", async () => {
    const key = await issue(revoking.id);
    expect((await verify(key.key)).code).toBe(0);
    write(dir.path, "src/settings.py", `KEYSMITH_KEY = "${key.key}"\n`);
    // Another provider's key is listed but not sent: the server knows only its own keys.
    write(dir.path, "src/other.py", `STRIPE = "sk_live_${randomBase62(24)}"\n`);

    const result = await server.cli(["scan", "--report", dir.path]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("src/settings.py");
    expect(result.stdout).toContain("stripe-secret-key");
    expect(result.stderr).toContain(
      `Reported 1 keysmith key to ${server.env.KEYSMITH_URL}: 1 revoked, 0 flagged, 0 not acted on (no live key this root key may manage).`,
    );
    expect(result.stdout + result.stderr).not.toContain(key.key);

    const answer = await verify(key.key);
    expect(answer.code).toBe(1);
    expect(JSON.parse(answer.stdout)).toMatchObject({ valid: false, code: "REVOKED" });
    const shown = JSON.parse((await server.cli(["keys", "get", key.id, "--json"])).stdout);
    expect(shown.status).toBe("revoked");
  });

  it("only flags a key of a project whose leak policy is flag, and counts keys the server never issued", async () => {
    const key = await issue(flagging.id);
    write(dir.path, "a.ts", `const a = "${key.key}";\nconst b = "${fakeKey("elsewhere")}";\n`);
    const result = await server.cli(["scan", "--report", "--format", "json", dir.path]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings).toHaveLength(2);
    expect(result.stderr).toContain("Reported 2 keysmith keys");
    expect(result.stderr).toContain(
      "0 revoked, 1 flagged, 1 not acted on (no live key this root key may manage).",
    );
    expect((await verify(key.key)).code).toBe(0);
    const alerts = await server.cli(["alerts", "list", "--type", "key.leaked", "--key", key.id, "--json"]);
    expect(JSON.parse(alerts.stdout).data[0].data).toMatchObject({
      action: "flagged",
      source: "keysmith scan",
    });
  });

  it("needs the root key before it scans, and reports nothing when no keysmith key is found", async () => {
    write(dir.path, "a.ts", "export {};\n");
    const missing = await server.cli(["scan", "--report", dir.path], { env: { KEYSMITH_ROOT_KEY: "" } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^keysmith: KEYSMITH_ROOT_KEY is not set/);
    expect(missing.stdout).toBe("");

    const clean = await server.cli(["scan", "--report", dir.path]);
    expect(clean.code).toBe(0);
    expect(clean.stderr).toBe("No keysmith keys to report.\n");
  });
});
