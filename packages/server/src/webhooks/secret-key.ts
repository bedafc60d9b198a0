import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { FastifyBaseLogger } from "fastify";
import type { WebhookRepository } from "../storage/repositories/webhooks.js";
import type { Store } from "../storage/store.js";
import { KEY_BYTES, open, seal, VaultCryptoError } from "../vault/crypto.js";
import { isPlaintextSecret, WebhookSecretBox } from "./secret-box.js";

/**
 * The webhook key: one random 32-byte key per database that seals every endpoint's signing
 * secret (secret-box.ts). It is stored only wrapped (AES-256-GCM) in `keysmith_meta`, under a
 * key-encryption key that never touches the database:
 *
 * - the vault's master key, when `KEYSMITH_MASTER_KEY` or `KEYSMITH_MASTER_PASSPHRASE` is set;
 * - otherwise a local key file, `webhook-secrets.key` (base64, mode 0600), created once beside
 *   the SQLite database (for Postgres, in `./.keysmith/`). A copy of the database alone then
 *   holds no readable secret. Nodes sharing a Postgres database have a file each, so only the
 *   node that created the webhook key can read it: they need the master key, and the startup
 *   log says so.
 *
 * A database whose key was wrapped under the local file is re-wrapped under the master key at
 * the first start with one; a master key rotation re-wraps it (`rewrapWebhookKey`).
 */

const FORMAT = 1;
export const KEY_FILE_NAME = "webhook-secrets.key";

type Kek = "master" | "local";

/** Where the wrapped webhook key is kept: the webhooks repository (`store.webhooks`, or `tx.webhooks`). */
type KeyRows = Pick<WebhookRepository, "signingKey" | "claimSigningKey" | "replaceSigningKey">;

interface WrappedKey {
  format: number;
  kek: Kek;
  nonce: string;
  ciphertext: string;
}

type Logger = Pick<FastifyBaseLogger, "info" | "warn">;

const wrapAad = (): Buffer => Buffer.from(JSON.stringify(["keysmith-webhook-key", FORMAT]), "utf8");

/** Where the local key file lives for a `KEYSMITH_DATABASE_URL`; null for an in-memory database. */
export function webhookKeyFile(databaseUrl: string): string | null {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) return resolve(".keysmith", KEY_FILE_NAME);
  const path = databaseUrl.replace(/^sqlite:(\/\/)?/i, "");
  return path === ":memory:" ? null : join(dirname(resolve(path)), KEY_FILE_NAME);
}

export interface OpenWebhookKeyOptions {
  /** The vault's master key, already checked; null when the vault is off. */
  masterKey: Buffer | null;
  /** The local key file (`webhookKeyFile`); null: an in-memory database, a key for this process only. */
  keyFile: string | null;
  now: number;
}

/**
 * The webhook secret box for a starting server: unwraps (or on a fresh database creates) the
 * webhook key, re-wraps it under the master key when one is now given, and seals any secret
 * still stored in plaintext. A box without a key (locked) when this node cannot read the key;
 * the log says why and what to do.
 *
 * @example const box = await openWebhookKey(store, { masterKey, keyFile: webhookKeyFile(url), now: Date.now() }, logger);
 */
export async function openWebhookKey(
  store: Pick<Store, "webhooks" | "dialect">,
  options: OpenWebhookKeyOptions,
  logger: Logger,
): Promise<WebhookSecretBox> {
  const { masterKey, keyFile, now } = options;
  const rows = store.webhooks;
  if (masterKey === null && store.dialect === "postgres") {
    logger.warn(
      `webhook signing secrets are sealed under a local key file (${keyFile}): nodes sharing this database need KEYSMITH_MASTER_KEY to read each other's`,
    );
  }
  let stored = await readWrapped(rows);
  // A key made here for an in-memory database exists nowhere else: keep it for the unwrap below.
  let made: Buffer | null = null;
  if (stored === null) {
    // With create, localKey always answers a key.
    made = masterKey ? null : localKey(keyFile, true);
    const kek = masterKey ?? (made as Buffer);
    const key = randomBytes(KEY_BYTES);
    // Two nodes starting at once on a fresh database: the first key stored wins, both read it.
    await rows.claimSigningKey(JSON.stringify(wrap(kek, masterKey ? "master" : "local", key)), now);
    stored = await readWrapped(rows);
  }
  if (stored === null) throw new Error("could not store the webhook key");
  let key: Buffer | null;
  if (stored.kek === "master") {
    key = masterKey ? unwrap(masterKey, stored) : null;
    if (key === null) {
      logger.warn(
        masterKey
          ? "webhook signing secrets cannot be read: the webhook key does not open under this master key"
          : "webhook signing secrets are sealed under the master key: start with KEYSMITH_MASTER_KEY or KEYSMITH_MASTER_PASSPHRASE to send deliveries and create endpoints",
      );
    }
  } else {
    const local = made ?? localKey(keyFile, false);
    key = local ? unwrap(local, stored) : null;
    if (key === null) {
      logger.warn(
        `webhook signing secrets cannot be read: they are sealed under a local key file this node does not have (${keyFile}); give every node the same KEYSMITH_MASTER_KEY`,
      );
    } else if (masterKey) {
      const rewrapped = JSON.stringify(wrap(masterKey, "master", key));
      await rows.replaceSigningKey(rewrapped, now, JSON.stringify(stored));
      logger.info(`the webhook key is now wrapped under the master key; ${keyFile} is no longer needed`);
    }
  }
  const box = new WebhookSecretBox(key);
  if (key) await sealPlaintextSecrets(rows, box);
  return box;
}

/**
 * Re-wraps the webhook key under a new master key, in the rotation's transaction: pass the
 * transaction's webhooks repository (`tx.webhooks` in a unit of work). Answers false when the
 * key is not under the master key (a local key file, or no key yet). An executor is still taken
 * (deprecated) until the vault writes through the unit of work.
 *
 * @example await rewrapWebhookKey(tx.webhooks, oldKey, newKey, tx.now);
 */
export async function rewrapWebhookKey(
  rows: KeyRows,
  oldKey: Buffer,
  newKey: Buffer,
  now: number,
): Promise<boolean> {
  const stored = await readWrapped(rows);
  if (stored === null || stored.kek !== "master") return false;
  const key = unwrap(oldKey, stored);
  if (key === null) throw new Error("the webhook key does not open under the old master key");
  await rows.replaceSigningKey(JSON.stringify(wrap(newKey, "master", key)), now);
  key.fill(0);
  return true;
}

/**
 * Seals every secret still stored in plaintext (rows from before sealing); the repository
 * leaves no plaintext behind in free pages or the log.
 */
async function sealPlaintextSecrets(
  rows: Pick<WebhookRepository, "secrets" | "replaceSecrets">,
  box: WebhookSecretBox,
): Promise<number> {
  const plain = (await rows.secrets()).filter((row) => isPlaintextSecret(row.secret));
  return rows.replaceSecrets(
    plain.map((row) => ({ id: row.id, from: row.secret, to: box.seal(row.id, row.secret) })),
  );
}

function wrap(kek: Buffer, kind: Kek, key: Buffer): WrappedKey {
  const sealed = seal(kek, key, wrapAad());
  return {
    format: FORMAT,
    kek: kind,
    nonce: sealed.nonce.toString("base64"),
    ciphertext: sealed.ciphertext.toString("base64"),
  };
}

function unwrap(kek: Buffer, stored: WrappedKey): Buffer | null {
  try {
    const sealed = {
      nonce: Buffer.from(stored.nonce, "base64"),
      ciphertext: Buffer.from(stored.ciphertext, "base64"),
    };
    return open(kek, sealed, wrapAad(), "the webhook key");
  } catch (error) {
    if (error instanceof VaultCryptoError) return null;
    throw error;
  }
}

async function readWrapped(rows: KeyRows): Promise<WrappedKey | null> {
  const value = await rows.signingKey();
  return value === null ? null : (JSON.parse(value) as WrappedKey);
}

/**
 * The local key-encryption key: read from the file, or (when `create`) made once. Without a
 * file (an in-memory database) a key for this process only.
 */
function localKey(file: string | null, create: boolean): Buffer | null {
  if (file === null) return create ? randomBytes(KEY_BYTES) : null;
  const existing = readKeyFile(file);
  if (existing !== null || !create) return existing;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  try {
    // "wx": two processes starting at once never overwrite each other's key.
    writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return readKeyFile(file);
  }
}

/** The key in a key file, or null when there is no file. */
function readKeyFile(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  return parseKeyFile(text, file);
}

function parseKeyFile(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== KEY_BYTES) throw new Error(`${file} is not a keysmith webhook key (32 bytes in base64)`);
  return key;
}
