import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../test-support/cli.js";
import { startVaultServer, type VaultServer } from "../test-support/vault-server.js";

let first: VaultServer;
const secrets: Record<string, string> = {
  DATABASE_URL: "postgres://u:p@db/app",
  STRIPE_KEY: "sk_live_rotate",
};

beforeAll(async () => {
  first = await startVaultServer();
  for (const [name, value] of Object.entries(secrets)) {
    expect((await first.cli(["secrets", "set", name, "--env", "production"], { stdin: value })).code).toBe(0);
  }
  await first.stop();
});
afterAll(() => first?.close());

describe("keysmith vault rotate-master", () => {
  it("re-wraps the project keys; servers then start with the new key only", async () => {
    const newKey = randomBytes(32).toString("base64");
    const rotated = await cli(["vault", "rotate-master", "--database-url", first.databaseUrl], {
      env: { KEYSMITH_MASTER_KEY: first.masterKey, KEYSMITH_NEW_MASTER_KEY: newKey },
    });
    expect(rotated.stderr).toBe("");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(
      /^Re-wrapped 1 project key in SQLite .* under the new master key\.\nRestart every keysmith server with KEYSMITH_MASTER_KEY set to it\.\n$/,
    );
    expect(rotated.stdout).not.toContain(newKey);

    const stale = await cli(["serve", "--database-url", first.databaseUrl, "--port", "0"], {
      env: { KEYSMITH_MASTER_KEY: first.masterKey, KEYSMITH_LOG_LEVEL: "silent" },
    });
    expect(stale.code).toBe(2);
    expect(stale.stderr).toBe(
      "keysmith: could not start: KEYSMITH_MASTER_KEY does not match the key this database's vault was created with\n",
    );

    const second = await startVaultServer({
      masterKey: newKey,
      databaseUrl: first.databaseUrl,
      rootKey: first.env.KEYSMITH_ROOT_KEY as string,
      projectId: first.env.KEYSMITH_PROJECT as string,
    });
    try {
      const exported = await second.cli(["secrets", "export", "--env", "production", "--format", "json"]);
      expect(JSON.parse(exported.stdout)).toEqual(secrets);
    } finally {
      await second.stop();
    }

    // And on to a passphrase, read from stdin.
    const toPassphrase = await cli(
      [
        "vault",
        "rotate-master",
        "--database-url",
        first.databaseUrl,
        "--new-from-stdin",
        "passphrase",
        "--json",
      ],
      { env: { KEYSMITH_MASTER_KEY: newKey }, stdin: "a long enough passphrase\n" },
    );
    expect(toPassphrase.code).toBe(0);
    expect(JSON.parse(toPassphrase.stdout)).toMatchObject({ projectKeys: 1 });
  });

  it("refuses without both keys, or with a wrong current one, and never echoes a key", async () => {
    const missingNew = await cli(["vault", "rotate-master", "--database-url", first.databaseUrl], {
      env: { KEYSMITH_MASTER_PASSPHRASE: "a long enough passphrase" },
    });
    expect(missingNew.stderr).toMatch(/^keysmith: no new master key: set KEYSMITH_NEW_MASTER_KEY/);
    const wrongKey = randomBytes(32).toString("base64");
    const wrong = await cli(["vault", "rotate-master", "--database-url", first.databaseUrl], {
      env: { KEYSMITH_MASTER_KEY: wrongKey, KEYSMITH_NEW_MASTER_KEY: randomBytes(32).toString("base64") },
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe(
      "keysmith: rotation failed, nothing changed: KEYSMITH_MASTER_KEY does not match the key this database's vault was created with (it was set up with a master passphrase)\n",
    );
    expect(wrong.stderr).not.toContain(wrongKey);
    const malformed = await cli(["vault", "rotate-master", "--database-url", first.databaseUrl], {
      env: { KEYSMITH_MASTER_KEY: "c2hvcnQ=", KEYSMITH_NEW_MASTER_KEY: randomBytes(32).toString("base64") },
    });
    expect(malformed.stderr).toBe(
      "keysmith: KEYSMITH_MASTER_KEY must be 32 random bytes in base64 (openssl rand -base64 32)\n",
    );
  });
});
