import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { openStore } from "../database.js";
import { createLogger } from "../logger.js";
import { startServer } from "../server.js";
import type { Store } from "../storage/store.js";
import { createTestDatabase, type TestDatabase, testDialects } from "../test-support/databases.js";
import { masterKeySource, SCRYPT_MIN_N, unlockVault } from "./master-key.js";
import { openVault } from "./open.js";

const silent = { info: () => {}, warn: () => {} };
const settings = (fields: { masterKey?: string; masterPassphrase?: string }) => ({
  masterKey: fields.masterKey ?? "",
  masterPassphrase: fields.masterPassphrase ?? "",
});

describe("masterKeySource", () => {
  it("takes a 32-byte base64 key or a passphrase, and explains a bad one without echoing it", () => {
    const key = randomBytes(32).toString("base64");
    expect(masterKeySource(settings({ masterKey: key }))).toMatchObject({
      kind: "key",
      variable: "KEYSMITH_MASTER_KEY",
    });
    expect(masterKeySource(settings({ masterPassphrase: "correct horse battery" }))).toMatchObject({
      kind: "passphrase",
    });
    expect(masterKeySource(settings({}))).toBeNull();
    const short = randomBytes(16).toString("base64");
    expect(() => masterKeySource(settings({ masterKey: short }))).toThrow(
      "KEYSMITH_MASTER_KEY must be 32 random bytes in base64 (openssl rand -base64 32)",
    );
    expect(() => masterKeySource(settings({ masterKey: "not base64 at all!!" }))).toThrow(
      /must be 32 random bytes/,
    );
    expect(() => masterKeySource(settings({ masterPassphrase: "short" }))).toThrow(/at least 12 characters/);
    expect(() =>
      masterKeySource(settings({ masterKey: key, masterPassphrase: "correct horse battery" })),
    ).toThrow("set KEYSMITH_MASTER_KEY or KEYSMITH_MASTER_PASSPHRASE, not both");
  });
});

describe.each(await testDialects())("opening the vault on %s", (dialect) => {
  let database: TestDatabase | undefined;
  const stores: Store[] = [];
  const open = async (): Promise<Store> => {
    database ??= await createTestDatabase(dialect);
    const store = await openStore(database.url);
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    await database?.drop();
    database = undefined;
  });

  it("records a check value on first use and refuses another key afterwards, in one line", async () => {
    const key = randomBytes(32).toString("base64");
    const first = await open();
    const unlocked = await openVault(first, settings({ masterKey: key }), silent);
    expect(unlocked?.toString("base64")).toBe(key);
    const again = await open();
    expect((await openVault(again, settings({ masterKey: key }), silent))?.toString("base64")).toBe(key);
    await expect(
      openVault(again, settings({ masterKey: randomBytes(32).toString("base64") }), silent),
    ).rejects.toThrow(/^KEYSMITH_MASTER_KEY does not match the key this database's vault was created with$/);
    await expect(
      openVault(again, settings({ masterPassphrase: "a passphrase instead" }), silent),
    ).rejects.toThrow(
      "KEYSMITH_MASTER_PASSPHRASE does not match the key this database's vault was created with (it was set up with a master key)",
    );
  });

  it("derives the same key from the same passphrase after a restart, with stored scrypt parameters", async () => {
    const passphrase = "correct horse battery staple";
    const first = await open();
    const key = await openVault(first, settings({ masterPassphrase: passphrase }), silent);
    const kdf = JSON.parse(
      (
        await first.database
          .selectFrom("keysmith_meta")
          .select("value")
          .where("name", "=", "vault.kdf")
          .executeTakeFirstOrThrow()
      ).value,
    );
    expect(kdf).toMatchObject({ algorithm: "scrypt", N: SCRYPT_MIN_N, r: 8, p: 1 });
    expect(Buffer.from(kdf.salt, "base64")).toHaveLength(16);
    await first.close();
    stores.splice(0);
    const restarted = await open();
    const again = await openVault(restarted, settings({ masterPassphrase: passphrase }), silent);
    expect(again?.equals(key as Buffer)).toBe(true);
    await expect(
      openVault(restarted, settings({ masterPassphrase: "correct horse battery stapler" }), silent),
    ).rejects.toThrow(
      "KEYSMITH_MASTER_PASSPHRASE does not match the key this database's vault was created with",
    );
  });

  it("agrees on one check value when several nodes start at once", async () => {
    const store = await open();
    const keys = Array.from({ length: 4 }, () => randomBytes(32));
    const results = await Promise.allSettled(
      keys.map((key) => unlockVault(store, { kind: "key", key, variable: "KEYSMITH_MASTER_KEY" }, 1)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(3);
  });

  it("leaves the vault off, saying so, when no master key is set", async () => {
    const lines: string[] = [];
    const logger = { info: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) };
    expect(await openVault(await open(), settings({}), logger)).toBeNull();
    expect(lines).toEqual([
      expect.stringMatching(/^vault is off: set KEYSMITH_MASTER_KEY or KEYSMITH_MASTER_PASSPHRASE/),
    ]);
  });
});

describe("startServer with a wrong master key", () => {
  it("refuses to start with a one-line reason", async () => {
    const database = await createTestDatabase("sqlite");
    const config = (masterKey: string) => {
      const loaded = loadConfig(
        { KEYSMITH_MASTER_KEY: masterKey },
        { databaseUrl: join(database.file as string), port: "0", logLevel: "silent" },
      );
      if (!loaded.ok) throw new Error(loaded.error);
      return loaded.config;
    };
    try {
      const running = await startServer(config(randomBytes(32).toString("base64")), createLogger("silent"));
      await running.stop();
      const wrong = startServer(config(randomBytes(32).toString("base64")), createLogger("silent"));
      await expect(wrong).rejects.toThrow(
        /^KEYSMITH_MASTER_KEY does not match the key this database's vault was created with$/,
      );
    } finally {
      await database.drop();
    }
  });

  it("creates no root key on a first start that fails on a malformed key", async () => {
    const database = await createTestDatabase("sqlite");
    const config = (env: Record<string, string>) => {
      const loaded = loadConfig(env, { databaseUrl: database.file as string, port: "0", logLevel: "silent" });
      if (!loaded.ok) throw new Error(loaded.error);
      return loaded.config;
    };
    try {
      await expect(
        startServer(config({ KEYSMITH_MASTER_KEY: "dG9vIHNob3J0" }), createLogger("silent")), // keysmith:allow
      ).rejects.toThrow(/^KEYSMITH_MASTER_KEY must be 32 random bytes in base64/);
      const running = await startServer(config({}), createLogger("silent"));
      expect(running.rootKey).toMatch(/^ks_root_live_/);
      await running.stop();
    } finally {
      await database.drop();
    }
  });
});
