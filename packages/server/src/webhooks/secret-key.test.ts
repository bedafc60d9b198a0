import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { openStore } from "../database.js";
import { SYSTEM } from "../domain/access.js";
import { createLogger } from "../logger.js";
import { startServer } from "../server.js";
import type { Store } from "../storage/store.js";
import { unitOfWork } from "../storage/unit-of-work.js";
import { postgresRows, sqliteBytes } from "../test-support/at-rest.js";
import { createTestDatabase, testDialects } from "../test-support/databases.js";
import { createHarness, type Harness } from "../test-support/harness.js";
import { rotateMasterKey } from "../vault/rotate-master.js";
import { openWebhookKey } from "./secret-key.js";
import { startReceiver } from "./test-receiver.js";

const captured = () => {
  const lines: string[] = [];
  const logger = createLogger("info", {
    destination: new Writable({
      write(chunk, _e, cb) {
        lines.push(String(chunk));
        cb();
      },
    }),
  });
  return { logger, lines };
};

/** The signing secret an endpoint's row holds, as stored. */
async function storedSecret(store: Store, webhookId: string): Promise<string | undefined> {
  return (await store.webhooks.secrets()).find((row) => row.id === webhookId)?.secret;
}

describe("webhook signing secrets at rest, on a default start (no master key)", () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "keysmith-whsec-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps no whsec_ in the SQLite file or WAL, and deliveries verify with the shown secret across a restart", async () => {
    const databaseUrl = join(dir, "data", "keysmith.db");
    const loaded = loadConfig(
      {},
      { databaseUrl, port: "0", logLevel: "silent", webhookAllowPrivate: "true" },
    );
    if (!loaded.ok) throw new Error(loaded.error);
    const receiver = await startReceiver(() => Date.now());
    let server = await startServer(loaded.config, createLogger("silent"));
    const root = server.rootKey as string;
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(server.url + path, {
        method,
        headers: { authorization: `Bearer ${root}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: tests read response JSON freely
      return { status: response.status, body: (await response.json()) as any };
    };
    try {
      const project = await call("POST", "/v1/projects", { name: "At rest", prefix: "rest" });
      const hook = await call("POST", "/v1/webhooks", {
        url: receiver.url,
        events: ["key.revoked"],
        projectId: project.body.id,
      });
      expect(hook.status).toBe(201);
      const secret: string = hook.body.secret;
      expect(secret).toMatch(/^whsec_/);
      receiver.secret = secret;

      const bytes = sqliteBytes(databaseUrl);
      expect(bytes).not.toContain("whsec_");
      expect(bytes).not.toContain(secret.slice(6));
      const keyFile = join(dir, "data", "webhook-secrets.key");
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);

      // After a restart the same key file opens the same secrets.
      await server.stop();
      server = await startServer(loaded.config, createLogger("silent"));
      const key = await call("POST", "/v1/keys", { projectId: project.body.id });
      const arrived = receiver.next();
      await call("POST", `/v1/keys/${key.body.id}/revoke`);
      const delivery = await arrived;
      expect(delivery.verification.valid).toBe(true);
      expect(delivery.body.type).toBe("key.revoked");
      expect(sqliteBytes(databaseUrl)).not.toContain(secret.slice(6));
    } finally {
      await server.stop();
      await receiver.close();
    }
  });
});

describe.each(await testDialects())("webhook signing secrets at rest on %s", (dialect) => {
  let h: Harness;
  let dir: string;

  beforeAll(async () => {
    h = await createHarness(dialect);
    dir = mkdtempSync(join(tmpdir(), "keysmith-whkey-"));
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const stored = async () =>
    h.dialect === "sqlite" ? sqliteBytes(h.database.file as string) : postgresRows(h.store);

  it("stores only the sealed form; the shown secret signs deliveries", async () => {
    const projectId = (await h.project()).id;
    const receiver = await startReceiver(() => h.clock.now());
    try {
      const created = await h.api("POST", "/v1/webhooks", {
        url: receiver.url,
        events: ["key.anomaly"],
        projectId,
      });
      receiver.secret = created.body.secret;
      const text = await stored();
      expect(text).not.toContain("whsec_");
      expect(text).not.toContain(created.body.secret.slice(6));
      expect(await storedSecret(h.store, created.body.id)).toMatch(/^sealed:1:/);
      await h.keysmith.alerts.raise({
        type: "key.anomaly",
        projectId,
        keyId: null,
        data: {},
        idempotencyKey: "rest:1",
      });
      await h.keysmith.dispatcher.runOnce();
      expect(receiver.accepted()).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("refuses a sealed secret moved onto another endpoint's row: secret_unavailable, nothing sent", async () => {
    const projectId = (await h.project()).id;
    const receiver = await startReceiver(() => h.clock.now());
    try {
      const a = await h.api("POST", "/v1/webhooks", {
        url: receiver.url,
        events: ["key.anomaly"],
        projectId,
      });
      const b = await h.api("POST", "/v1/webhooks", {
        url: receiver.url,
        events: ["key.retry_storm"],
        projectId,
      });
      const sealedA = (await storedSecret(h.store, a.body.id)) as string;
      const sealedB = (await storedSecret(h.store, b.body.id)) as string;
      expect(await h.store.webhooks.replaceSecrets([{ id: a.body.id, from: sealedA, to: sealedB }])).toBe(1);
      await h.keysmith.alerts.raise({
        type: "key.anomaly",
        projectId,
        keyId: null,
        data: {},
        idempotencyKey: "moved:1",
      });
      await h.keysmith.dispatcher.runOnce();
      expect(receiver.received).toHaveLength(0);
      const log = await h.api("GET", `/v1/webhooks/${a.body.id}/deliveries`);
      expect(log.body.data[0]).toMatchObject({ status: "pending", error: "secret_unavailable" });
      for (const id of [a.body.id, b.body.id]) await h.api("DELETE", `/v1/webhooks/${id}`);
    } finally {
      await receiver.close();
    }
  });

  it("seals rows stored in plaintext before, at the next start, leaving no plaintext behind", async () => {
    const database = await createTestDatabase(dialect);
    const store = await openStore(database.url);
    try {
      const plaintext = `whsec_${randomBytes(32).toString("base64")}`;
      const legacy = {
        id: "whk_legacy0000000000000000",
        projectId: null,
        url: "https://hooks.example.com/legacy",
        events: ["key.revoked" as const],
        description: null,
        createdAt: h.clock.now(),
        deletedAt: null,
      };
      await unitOfWork({ store, clock: h.clock })(SYSTEM, async (tx) => {
        await tx.webhooks.insert(legacy, plaintext);
        await tx.audit("webhook.create", { type: "webhook", id: legacy.id, projectId: null });
      });
      const box = await openWebhookKey(
        store,
        { masterKey: null, keyFile: join(dir, "legacy.key"), now: h.clock.now() },
        captured().logger,
      );
      const sealed = (await storedSecret(store, legacy.id)) as string;
      expect(sealed).toMatch(/^sealed:1:/);
      expect(box.open(legacy.id, sealed)).toBe(plaintext);
      const text = database.file ? sqliteBytes(database.file) : await postgresRows(store);
      expect(text).not.toContain(plaintext.slice(6));
    } finally {
      await store.close();
      await database.drop();
    }
  });
});

describe.each(await testDialects())("the webhook key under a master key on %s", (dialect) => {
  it("wraps under the master key, moves from a local key file to it, follows a rotation, and locks without it", async () => {
    const database = await createTestDatabase(dialect);
    const store = await openStore(database.url);
    const dir = mkdtempSync(join(tmpdir(), "keysmith-whmaster-"));
    const keyFile = join(dir, "webhook-secrets.key");
    const now = Date.now();
    try {
      // First start without a master key: a local key file, 0600.
      const local = await openWebhookKey(store, { masterKey: null, keyFile, now }, captured().logger);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const sealed = local.seal("whk_a", "whsec_AAAA");

      // A start with a master key re-wraps the webhook key under it; the secrets stay readable.
      const master = randomBytes(32);
      const { unlockVault } = await import("../vault/master-key.js");
      await unlockVault(store, { kind: "key", key: master, variable: "KEYSMITH_MASTER_KEY" }, now);
      const moved = await openWebhookKey(store, { masterKey: master, keyFile, now }, captured().logger);
      expect(moved.open("whk_a", sealed)).toBe("whsec_AAAA");

      // From now on the local file is not needed; without the master key the node is locked.
      const withoutMaster = captured();
      const locked = await openWebhookKey(store, { masterKey: null, keyFile, now }, withoutMaster.logger);
      expect(locked.locked).toBe(true);
      expect(withoutMaster.lines.join("")).toContain("KEYSMITH_MASTER_KEY");
      expect(() => locked.seal("whk_b", "whsec_BBBB")).toThrow(
        expect.objectContaining({ code: "WEBHOOK_SECRETS_LOCKED" }),
      );

      // A master key rotation re-wraps it.
      const next = randomBytes(32);
      await rotateMasterKey(
        store,
        { kind: "key", key: master, variable: "KEYSMITH_MASTER_KEY" },
        { kind: "key", key: next, variable: "KEYSMITH_MASTER_KEY" },
        now,
      );
      const rotated = await openWebhookKey(store, { masterKey: next, keyFile, now }, captured().logger);
      expect(rotated.open("whk_a", sealed)).toBe("whsec_AAAA");
      const stale = await openWebhookKey(store, { masterKey: master, keyFile, now }, captured().logger);
      expect(stale.locked).toBe(true);
    } finally {
      await store.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
