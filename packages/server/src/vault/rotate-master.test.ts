import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type KeysmithApp } from "../app.js";
import { createLogger } from "../logger.js";
import { testDialects } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";
import { type MasterKeySource, unlockVault } from "./master-key.js";
import { rotateMasterKey } from "./rotate-master.js";

const keySource = (key: Buffer): MasterKeySource => ({ kind: "key", key, variable: "KEYSMITH_MASTER_KEY" });

describe.each(await testDialects())("rotating the master key on %s", (dialect) => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  let h: Harness;
  const apps: KeysmithApp[] = [];
  const projects: string[] = [];

  /** An app on the harness's database with this master key, as a restarted server would be. */
  const appWith = async (masterKey: Buffer): Promise<KeysmithApp> => {
    const app = await buildApp({ store: h.store, clock: h.clock, logger: createLogger("silent"), masterKey });
    apps.push(app);
    return app;
  };
  const read = async (app: KeysmithApp, projectId: string, name: string) => {
    const res = await app.app.inject({
      method: "GET",
      url: `/v1/secrets/production/${name}?projectId=${projectId}`,
      headers: { authorization: `Bearer ${h.rootKey}` },
    });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    h = await createHarness(dialect, { masterKey: oldKey });
    for (let i = 0; i < 3; i++) {
      const projectId = (await h.project()).id;
      projects.push(projectId);
      await h.api("POST", `/v1/secrets/production/TOKEN?projectId=${projectId}`, { value: `token ${i} v1` });
      await h.api("POST", `/v1/secrets/production/TOKEN?projectId=${projectId}`, { value: `token ${i} v2` });
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await h.close();
  });

  it("re-wraps every project key without touching a value, and only the new key opens the vault", async () => {
    const versionsBefore = await h.store.database
      .selectFrom("secret_versions")
      .selectAll()
      .orderBy("secret_id")
      .execute();
    const keysBefore = await h.store.database
      .selectFrom("vault_project_keys")
      .selectAll()
      .orderBy("project_id")
      .execute();

    const result = await rotateMasterKey(h.store, keySource(oldKey), keySource(newKey), h.clock.now());
    expect(result).toEqual({ projectKeys: 3 });

    // Values and data keys are untouched: nothing was decrypted or re-encrypted below the project keys.
    const versionsAfter = await h.store.database
      .selectFrom("secret_versions")
      .selectAll()
      .orderBy("secret_id")
      .execute();
    expect(versionsAfter).toEqual(versionsBefore);
    const keysAfter = await h.store.database
      .selectFrom("vault_project_keys")
      .selectAll()
      .orderBy("project_id")
      .execute();
    expect(keysAfter.map((k) => k.wrapped_key)).not.toEqual(keysBefore.map((k) => k.wrapped_key));

    expect((await unlockVault(h.store, keySource(newKey), h.clock.now())).equals(newKey)).toBe(true);
    await expect(unlockVault(h.store, keySource(oldKey), h.clock.now())).rejects.toThrow(
      "KEYSMITH_MASTER_KEY does not match the key this database's vault was created with",
    );

    const rotated = await appWith(newKey);
    for (const [i, projectId] of projects.entries()) {
      expect((await read(rotated, projectId, "TOKEN")).body.value).toBe(`token ${i} v2`);
    }
    const stale = await appWith(oldKey);
    const refused = await read(stale, projects[0] as string, "TOKEN");
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("VAULT_DECRYPT_FAILED");

    const audit = await h.api("GET", "/v1/audit?action=vault.rotate_master");
    expect(audit.body.data[0]).toMatchObject({ actorType: "system", details: { projectKeys: 3 } });
  });

  it("refuses to rotate from a key that is not the current one, changing nothing", async () => {
    const before = await h.store.database
      .selectFrom("vault_project_keys")
      .selectAll()
      .orderBy("project_id")
      .execute();
    await expect(
      rotateMasterKey(h.store, keySource(oldKey), keySource(randomBytes(32)), h.clock.now()),
    ).rejects.toThrow(/does not match/);
    const after = await h.store.database
      .selectFrom("vault_project_keys")
      .selectAll()
      .orderBy("project_id")
      .execute();
    expect(after).toEqual(before);
  });
});
