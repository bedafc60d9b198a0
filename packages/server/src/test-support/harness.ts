import { Writable } from "node:stream";
import { afterAll, beforeAll } from "vitest";
import { type AppOptions, buildApp, type KeysmithApp } from "../app.js";
import { bootstrapRootKey } from "../bootstrap.js";
import { ManualClock } from "../clock.js";
import { openStore } from "../database.js";
import { createLogger } from "../logger.js";
import type { Store } from "../storage/store.js";
import { unlockVault } from "../vault/master-key.js";
import { WebhookDispatcher, type WebhookDispatcherOptions } from "../webhooks/dispatcher.js";
import type { WebhookSecretBox } from "../webhooks/secret-box.js";
import { openWebhookKey, webhookKeyFile } from "../webhooks/secret-key.js";
import { ALLOW_PRIVATE } from "../webhooks/target-policy.js";
import { createTestDatabase, type TestDatabase, type TestDialect } from "./databases.js";

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response JSON freely
  body: any;
  text: string;
}

export interface Harness {
  dialect: TestDialect;
  database: TestDatabase;
  store: Store;
  keysmith: KeysmithApp;
  /** The app's webhook secret box: pass it to another app or dispatcher on the same database. */
  webhookSecrets: WebhookSecretBox;
  clock: ManualClock;
  rootKey: string;
  /** Everything the server logged. */
  logs: string[];
  /** Every plaintext key a response showed, for the no-leak checks. */
  plaintexts: string[];
  api(
    method: string,
    url: string,
    body?: unknown,
    options?: { key?: string | null; headers?: Record<string, string> },
  ): Promise<ApiResponse>;
  /** Creates a project with a fresh prefix and returns its body. */
  project(fields?: Record<string, unknown>): Promise<{ id: string; prefix: string }>;
  /** Creates a key and returns the 201 body (with `key`). */
  key(
    projectId: string,
    fields?: Record<string, unknown>,
  ): Promise<{ id: string; key: string } & Record<string, unknown>>;
  verify(body: Record<string, unknown>, rootKey?: string): Promise<ApiResponse>;
  close(): Promise<void>;
}

let prefixCounter = 0;

export interface HarnessOptions {
  /** Turns the vault on with this 32-byte master key (checked and recorded as a server start would). */
  masterKey?: Buffer;
  /** Which hops may set X-Forwarded-For (default none). */
  trustProxy?: AppOptions["trustProxy"];
  /** GitHub's secret-scanning public keys (default none). */
  githubScanningKeys?: AppOptions["githubScanningKeys"];
}

/** A keysmith app in-process on a database of its own, with a manual clock and captured logs. */
export async function createHarness(dialect: TestDialect, options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase(dialect);
  const store = await openStore(database.url);
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(String(chunk));
      callback();
    },
  });
  const rootKey = (await bootstrapRootKey(store, clock)) as string;
  const masterKey = options.masterKey
    ? await unlockVault(
        store,
        { kind: "key", key: options.masterKey, variable: "KEYSMITH_MASTER_KEY" },
        clock.now(),
      )
    : null;
  const logger = createLogger("debug", { destination });
  // SQLite: the key file beside the test database, as a server start makes it.
  const webhookSecrets = await openWebhookKey(
    store,
    { masterKey, keyFile: database.file ? webhookKeyFile(database.file) : null, now: clock.now() },
    logger,
  );
  const keysmith = await buildApp({
    store,
    clock,
    masterKey,
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    ...(options.githubScanningKeys === undefined ? {} : { githubScanningKeys: options.githubScanningKeys }),
    // Test receivers listen on loopback: allowed here explicitly, refused by default.
    webhookTargets: ALLOW_PRIVATE,
    webhookSecrets,
    logger,
  });
  const plaintexts: string[] = [rootKey];

  const api: Harness["api"] = async (method, url, body, options = {}) => {
    const key = options.key === undefined ? rootKey : options.key;
    const headers: Record<string, string> = {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...options.headers,
    };
    const response = await keysmith.app.inject({
      method: method as "GET",
      url,
      headers,
      ...(body === undefined
        ? {}
        : typeof body === "string"
          ? { payload: body }
          : { payload: body as object }),
    });
    let parsed: unknown = null;
    try {
      parsed = response.body ? JSON.parse(response.body) : null;
    } catch {
      parsed = null;
    }
    const maybeKey = (parsed as { key?: unknown } | null)?.key;
    if (typeof maybeKey === "string" && response.statusCode < 300) plaintexts.push(maybeKey);
    return { status: response.statusCode, headers: response.headers, body: parsed, text: response.body };
  };

  const harness: Harness = {
    dialect,
    database,
    store,
    keysmith,
    webhookSecrets,
    clock,
    rootKey,
    logs,
    plaintexts,
    api,
    async project(fields = {}) {
      const prefix = `p${(++prefixCounter).toString(36)}${Math.random().toString(36).slice(2, 6)}`.slice(
        0,
        12,
      );
      const response = await api("POST", "/v1/projects", { name: `Project ${prefix}`, prefix, ...fields });
      if (response.status !== 201) throw new Error(`project create failed: ${response.text}`);
      return response.body;
    },
    async key(projectId, fields = {}) {
      const response = await api("POST", "/v1/keys", { projectId, ...fields });
      if (response.status !== 201) throw new Error(`key create failed: ${response.text}`);
      return response.body;
    },
    verify(body, key) {
      return api("POST", "/v1/keys/verify", body, key === undefined ? {} : { key });
    },
    async close() {
      await keysmith.close();
      await store.close();
      await database.drop();
    },
  };
  return harness;
}

/**
 * A harness for the enclosing describe block: created before its tests, closed after. The object
 * stands for the harness once `beforeAll` has run; reading it earlier throws.
 */
export function useHarness(dialect: TestDialect, options: HarnessOptions = {}): Harness {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await createHarness(dialect, options);
  });
  afterAll(async () => {
    await harness?.close();
  });
  return late(() => harness, "the harness");
}

/** A project created through `h` before the block's tests (after `useHarness`'s hook). */
export function useProject(h: Harness, fields: Record<string, unknown> = {}): { id: string; prefix: string } {
  let project: { id: string; prefix: string } | undefined;
  beforeAll(async () => {
    project = await h.project(fields);
  });
  return late(() => project, "the project");
}

/** A key created in `project` before the block's tests. */
export function useKey(
  h: Harness,
  project: { id: string },
  fields: Record<string, unknown> = {},
): { id: string; key: string } & Record<string, unknown> {
  let key: ({ id: string; key: string } & Record<string, unknown>) | undefined;
  beforeAll(async () => {
    key = await h.key(project.id, fields);
  });
  return late(() => key, "the key");
}

/** An object a hook sets up later: reading a property before the hook has run throws. */
function late<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const value = current();
      if (value === undefined) throw new Error(`${what} is set up by a hook: use it inside a test`);
      return value[property as keyof T];
    },
  });
}

/** A logger that writes nowhere, for an app or dispatcher beside the harness's own. */
export function quietLogger() {
  return createLogger("fatal", { destination: new Writable({ write: (_c, _e, callback) => callback() }) });
}

/** A dispatcher on `h`'s database, clock and webhook secrets, loopback targets allowed; `options` on top. */
export function testDispatcher(
  h: Harness,
  options: Partial<WebhookDispatcherOptions> = {},
): WebhookDispatcher {
  return new WebhookDispatcher({
    store: h.store,
    clock: h.clock,
    logger: quietLogger(),
    policy: ALLOW_PRIVATE,
    secrets: h.webhookSecrets,
    ...options,
  });
}
