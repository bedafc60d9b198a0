import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type KeysmithApp } from "../app.js";
import { bootstrapRootKey } from "../bootstrap.js";
import { LocalChangeFeed } from "../changes.js";
import { ManualClock } from "../clock.js";
import { openStore } from "../database.js";
import { createLogger } from "../logger.js";
import type { Store } from "../storage/store.js";
import { createTestDatabase, type TestDatabase } from "../test-support/databases.js";

/**
 * Two nodes on one database and one change feed (what Redis gives a cluster): a role or identity
 * changed through node A reaches a key node B has cached, at B's next verification.
 */
describe("a role or identity change reaches a key cached on another node", () => {
  let database: TestDatabase;
  let store: Store;
  let rootKey: string;
  const nodes: KeysmithApp[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    store = await openStore(database.url);
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
    rootKey = (await bootstrapRootKey(store, clock)) as string;
    const changes = new LocalChangeFeed();
    for (let i = 0; i < 2; i++)
      nodes.push(await buildApp({ store, clock, changes, logger: createLogger("silent") }));
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    await store.close();
    await database.drop();
  });

  const call = async (node: number, method: string, url: string, payload?: object) => {
    const response = await (nodes[node] as KeysmithApp).app.inject({
      method: method as "POST",
      url,
      headers: { authorization: `Bearer ${rootKey}` },
      ...(payload === undefined ? {} : { payload }),
    });
    return JSON.parse(response.body);
  };

  it("drops node B's cached key when node A changes its role or identity", async () => {
    const project = await call(0, "POST", "/v1/projects", { name: "Nodes", prefix: "nodes" });
    const role = await call(0, "POST", "/v1/roles", {
      projectId: project.id,
      name: "reader",
      scopes: ["a:read"],
    });
    const identity = await call(0, "POST", "/v1/identities", { projectId: project.id, externalId: "cus_n" });
    const key = await call(0, "POST", "/v1/keys", {
      projectId: project.id,
      ownerId: "cus_n",
      scopes: [],
      roles: ["reader"],
    });
    const onB = (scopes: string[]) => call(1, "POST", "/v1/keys/verify", { key: key.key, scopes });
    expect(await onB(["a:read"])).toMatchObject({ code: "VALID", identity: { id: identity.id, meta: null } });
    expect(nodes[1]?.verifier.cacheSize).toBe(1);

    await call(0, "PATCH", `/v1/roles/${role.id}`, { scopes: ["b:read"] });
    expect((await onB(["a:read"])).code).toBe("INSUFFICIENT_SCOPE");
    expect((await onB(["b:read"])).code).toBe("VALID");

    await call(0, "PATCH", `/v1/identities/${identity.id}`, { meta: { tier: "gold" } });
    expect((await onB(["b:read"])).identity.meta).toEqual({ tier: "gold" });
  });
});
