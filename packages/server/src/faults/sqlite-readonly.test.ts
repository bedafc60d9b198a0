import SQLite from "better-sqlite3";
import { sql } from "kysely";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp, type KeysmithApp } from "../app.js";
import { bootstrapRootKey } from "../bootstrap.js";
import { systemClock } from "../clock.js";
import { openStore } from "../database.js";
import { connect, parseDatabaseUrl } from "../storage/connect.js";
import { Store } from "../storage/store.js";
import { createTestDatabase, type TestDatabase } from "../test-support/databases.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read response JSON freely
type Json = any;

interface Node {
  keysmith: KeysmithApp;
  store: Store;
  logs: Json[];
  call(method: string, url: string, body?: unknown): Promise<{ status: number; headers: Json; body: Json }>;
}

async function node(store: Store, rootKey: string): Promise<Node> {
  const logs: Json[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const keysmith = await buildApp({ store, logger, clock: systemClock });
  return {
    keysmith,
    store,
    logs,
    async call(method, url, body) {
      const response = await keysmith.app.inject({
        method: method as "GET",
        url,
        headers: { authorization: `Bearer ${rootKey}` },
        ...(body === undefined ? {} : { payload: body as object }),
      });
      return { status: response.statusCode, headers: response.headers, body: response.json() };
    },
  };
}

/** What every write route answers while the file refuses writes. */
async function writesRefused(n: Node, projectId: string, keyId: string): Promise<void> {
  const writes: [string, string, unknown?][] = [
    ["POST", "/v1/projects", { name: "Another", prefix: "another" }],
    ["POST", "/v1/keys", { projectId }],
    ["PATCH", `/v1/keys/${keyId}`, { name: "renamed" }],
    ["POST", `/v1/keys/${keyId}/revoke`],
    ["POST", "/v1/root-keys", { scopes: ["keys:read"] }],
  ];
  for (const [method, url, body] of writes) {
    const answer = await n.call(method, url, body);
    expect({ route: `${method} ${url}`, status: answer.status, code: answer.body.error?.code }).toEqual({
      route: `${method} ${url}`,
      status: 503,
      code: "STORE_UNAVAILABLE",
    });
    expect(answer.headers["retry-after"]).toBe("2");
  }
}

/** Reads, including verifying a key the node has not cached yet, still answer. */
async function readsWork(n: Node, projectId: string, key: { id: string; key: string }): Promise<void> {
  expect((await n.call("GET", `/v1/projects/${projectId}`)).status).toBe(200);
  expect((await n.call("GET", `/v1/keys/${key.id}`)).status).toBe(200);
  expect((await n.call("GET", "/v1/audit")).status).toBe(200);
  const verified = await n.call("POST", "/v1/keys/verify", { key: key.key });
  expect(verified.status).toBe(200);
  expect(verified.body.code).toBe("VALID");
}

/**
 * A SQLite file that refuses writes — made read-only under a running node, and opened
 * read-only by a fresh one: writes answer 503 STORE_UNAVAILABLE, reads and verification work,
 * usage counted meanwhile is written once the file takes writes again, and the file is intact.
 */
describe("a SQLite database that refuses writes", () => {
  let database: TestDatabase;
  let rootKey: string;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    const store = await openStore(database.url);
    rootKey = (await bootstrapRootKey(store, systemClock)) as string;
    await store.close();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("answers writes 503 and reads 200 while read-only, then writes the buffered usage", async () => {
    const store = await openStore(database.url);
    const n = await node(store, rootKey);
    const projectId = (await n.call("POST", "/v1/projects", { name: "Faults", prefix: "fsq" })).body.id;
    const key = (await n.call("POST", "/v1/keys", { projectId })).body;
    const fresh = (await n.call("POST", "/v1/keys", { projectId })).body;
    let valid = 0;
    const verify = async (k: { key: string }) => {
      const answer = await n.call("POST", "/v1/keys/verify", { key: k.key });
      if (answer.body.code === "VALID") valid++;
      return answer;
    };
    await verify(key);
    await n.keysmith.flushMetering();

    // The file stops taking writes under the running node (what a read-only remount does):
    // SQLite answers SQLITE_READONLY to every write from here on.
    await sql`pragma query_only = 1`.execute(store.database);
    await writesRefused(n, projectId, key.id);
    for (let i = 0; i < 20; i++) expect((await verify(key)).body.code).toBe("VALID");
    await readsWork(n, projectId, fresh);
    valid++;
    // The usage counted meanwhile cannot be written, and is kept.
    await expect(n.keysmith.flushMetering()).rejects.toMatchObject({ code: "SQLITE_READONLY" });
    await expect(n.keysmith.flushLastUsed()).rejects.toMatchObject({ code: "SQLITE_READONLY" });
    expect(n.keysmith.usage.buffered).toBeGreaterThan(0);
    const metrics = await n.keysmith.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toMatch(/^keysmith_usage_rows_buffered [1-9]/m);
    expect((await n.call("GET", "/readyz")).status).toBe(200); // it still reads

    // Writable again: no restart, the buffered usage and last use are written.
    await sql`pragma query_only = 0`.execute(store.database);
    await n.keysmith.flushMetering();
    await n.keysmith.flushLastUsed();
    expect(n.keysmith.usage.buffered).toBe(0);
    const usage = await n.call("GET", `/v1/usage?projectId=${projectId}&granularity=day`);
    expect(usage.status).toBe(200);
    const total = (usage.body.data as { outcomes: Record<string, number> }[]).reduce(
      (sum, bucket) => sum + (bucket.outcomes.VALID ?? 0),
      0,
    );
    expect(total).toBe(valid);
    const stored = await n.call("GET", `/v1/keys/${key.id}`);
    expect(stored.body.lastUsedAt).not.toBeNull();
    expect((await n.call("POST", "/v1/keys", { projectId })).status).toBe(201);

    expect(n.logs.filter((line) => line.level >= 50)).toEqual([]);
    expect(n.logs.some((line) => line.code === "STORE_UNAVAILABLE" && line.cause === "SQLITE_READONLY")).toBe(
      true,
    );
    await n.keysmith.close();
    await store.close();
  });

  it("serves reads from a file opened read-only and refuses its writes, leaving it intact", async () => {
    const target = parseDatabaseUrl(database.url);
    // A second, writable connection keeps the WAL index in place, as a node sharing the file would.
    const other = new SQLite(target.location);
    const keysBefore = (other.prepare("select count(*) as n from keys").get() as { n: number }).n;
    const store = new Store(connect(target, { readonly: true }), "sqlite");
    const n = await node(store, rootKey);
    const projectId = (await n.call("GET", "/v1/projects")).body.data[0].id;
    const key = (await n.call("GET", `/v1/keys?projectId=${projectId}`)).body.data[0];
    await writesRefused(n, projectId, key.id);
    expect((await n.call("GET", `/v1/keys/${key.id}`)).status).toBe(200);
    expect((await n.call("GET", "/v1/audit")).status).toBe(200);
    // close() tries to flush; on a read-only file that fails, is logged, and the app still closes.
    await n.keysmith.close();
    await store.close();

    expect(other.pragma("integrity_check", { simple: true })).toBe("ok");
    expect((other.prepare("select count(*) as n from keys").get() as { n: number }).n).toBe(keysBefore);
    other.close();
  });
});
