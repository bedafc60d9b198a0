import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { SYSTEM } from "../domain/access.js";
import type { MetaRepository } from "../storage/repositories/meta.js";
import type { Store } from "../storage/store.js";
import { unitOfWork } from "../storage/unit-of-work.js";
import { checkAad, KEY_BYTES, open, seal, VAULT_FORMAT, VaultCryptoError } from "./crypto.js";

/**
 * The master key: given as 32 random bytes (`KEYSMITH_MASTER_KEY`, base64) or derived from a
 * passphrase (`KEYSMITH_MASTER_PASSPHRASE`) with scrypt. It is never stored. The database keeps
 * only what is needed to recognise it: the scrypt salt and parameters, and a check value (a
 * known text sealed under the key), so a wrong key is refused at startup rather than on the
 * first read.
 */

export type MasterKeySource =
  | { kind: "key"; key: Buffer; variable: string }
  | { kind: "passphrase"; passphrase: string; variable: string };

/** scrypt parameters: N = 2^17, r = 8, p = 1 (≈ 128 MiB and a fraction of a second per derivation). */
export const SCRYPT_MIN_N = 2 ** 17;
const SCRYPT_DEFAULTS = { N: SCRYPT_MIN_N, r: 8, p: 1 } as const;
const MIN_PASSPHRASE_LENGTH = 12;

const META_KDF = "vault.kdf";
const META_CHECK = "vault.check";
const CHECK_TEXT = "keysmith vault master key check";

/** What the vault reads and writes of keysmith's named settings. */
type MetaReads = Pick<MetaRepository, "get">;
type MetaWrites = Pick<MetaRepository, "set" | "remove">;

/** What a vault setup or master key rotation is audited against. */
export const VAULT_TARGET = { type: "vault", id: "master_key", projectId: null } as const;

interface KdfParams {
  algorithm: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
}

interface CheckValue {
  format: number;
  /** How the key was given when the vault was created or last rotated: helps explain a mismatch. */
  source: MasterKeySource["kind"];
  nonce: string;
  ciphertext: string;
}

/**
 * Reads the master key settings. Null when neither is set (the vault is off). Throws a one-line
 * Error, which never contains the value, when both are set or one is malformed.
 *
 * @example masterKeySource({ masterKey: process.env.KEYSMITH_MASTER_KEY ?? "", masterPassphrase: "" })
 */
export function masterKeySource(
  settings: { masterKey: string; masterPassphrase: string },
  variables = { key: "KEYSMITH_MASTER_KEY", passphrase: "KEYSMITH_MASTER_PASSPHRASE" },
): MasterKeySource | null {
  const keyText = settings.masterKey.trim();
  const passphrase = settings.masterPassphrase;
  if (keyText && passphrase) throw new Error(`set ${variables.key} or ${variables.passphrase}, not both`);
  if (keyText) {
    const key = Buffer.from(keyText, "base64");
    if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(keyText)) {
      throw new Error(
        `${variables.key} must be ${KEY_BYTES} random bytes in base64 (openssl rand -base64 32)`,
      );
    }
    return { kind: "key", key, variable: variables.key };
  }
  if (passphrase) {
    if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
      throw new Error(`${variables.passphrase} must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
    }
    return { kind: "passphrase", passphrase, variable: variables.passphrase };
  }
  return null;
}

/** The error a wrong master key gets at startup: one line, naming the variable. */
export class MasterKeyMismatchError extends Error {
  constructor(source: MasterKeySource, createdWith: MasterKeySource["kind"] | null) {
    const hint =
      createdWith !== null && createdWith !== source.kind
        ? ` (it was set up with a master ${createdWith === "key" ? "key" : "passphrase"})`
        : "";
    super(`${source.variable} does not match the key this database's vault was created with${hint}`);
    this.name = "MasterKeyMismatchError";
  }
}

/**
 * Opens the vault with a master key source: derives the key (with the stored scrypt salt and
 * parameters), checks it against the stored check value, and on a fresh database stores both
 * (audited as `vault.initialize`). Safe when several nodes start at once: the first check value
 * written wins and the others are checked against it. Throws `MasterKeyMismatchError` for a
 * wrong key.
 *
 * @example const masterKey = await unlockVault(store, source, Date.now());
 */
export async function unlockVault(owner: Store, source: MasterKeySource, now: number): Promise<Buffer> {
  const write = unitOfWork({ store: owner, clock: { now: () => now } });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await vaultInitialized(owner.meta)) return checkMasterKey(owner.meta, source);
    const fresh = await prepareMasterKey(source);
    const claimed = await write(SYSTEM, async (tx) => {
      if (!(await tx.meta.claim(META_CHECK, JSON.stringify(fresh.check), tx.now))) return false;
      await setKdf(tx.meta, fresh.kdf, tx.now);
      await tx.audit("vault.initialize", VAULT_TARGET, { source: source.kind });
      return true;
    });
    if (claimed) return fresh.key;
  }
  throw new Error("could not set up the vault's master key check: the database kept changing");
}

/** A key derived (or taken) from a source with new scrypt parameters, and its check value. */
export async function prepareMasterKey(
  source: MasterKeySource,
): Promise<{ key: Buffer; kdf: KdfParams | null; check: CheckValue }> {
  const kdf: KdfParams | null =
    source.kind === "passphrase"
      ? { algorithm: "scrypt", ...SCRYPT_DEFAULTS, salt: randomBytes(16).toString("base64") }
      : null;
  const key = await deriveMasterKey(source, kdf);
  return { key, kdf, check: makeCheck(key, source.kind) };
}

/** Stores (or, for a raw key, removes) the scrypt parameters. */
export async function setKdf(meta: MetaWrites, kdf: KdfParams | null, now: number): Promise<void> {
  if (kdf === null) await meta.remove(META_KDF);
  else await meta.set(META_KDF, JSON.stringify(kdf), now);
}

/** Replaces the check value (a master key rotation). */
export async function setCheck(meta: MetaWrites, check: CheckValue, now: number): Promise<void> {
  await meta.set(META_CHECK, JSON.stringify(check), now);
}

/** Whether this database's vault was set up (a master key check value exists). */
export async function vaultInitialized(meta: MetaReads): Promise<boolean> {
  return (await meta.get(META_CHECK)) !== null;
}

async function deriveMasterKey(source: MasterKeySource, kdf: KdfParams | null): Promise<Buffer> {
  if (source.kind === "key") return source.key;
  if (kdf === null) throw new Error("a passphrase needs scrypt parameters");
  if (kdf.algorithm !== "scrypt" || kdf.N < SCRYPT_MIN_N || kdf.r < 8 || kdf.p < 1) {
    throw new Error("the vault's stored scrypt parameters are weaker than keysmith accepts");
  }
  const { N, r, p } = kdf;
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128 · N · r bytes; Node's default cap (32 MiB) is below that.
    scrypt(
      source.passphrase.normalize("NFC"),
      Buffer.from(kdf.salt, "base64"),
      KEY_BYTES,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

function makeCheck(key: Buffer, source: MasterKeySource["kind"]): CheckValue {
  const sealed = seal(key, Buffer.from(CHECK_TEXT, "utf8"), checkAad());
  return {
    format: VAULT_FORMAT,
    source,
    nonce: sealed.nonce.toString("base64"),
    ciphertext: sealed.ciphertext.toString("base64"),
  };
}

function matchesCheck(key: Buffer, check: CheckValue): boolean {
  try {
    const text = open(
      key,
      { nonce: Buffer.from(check.nonce, "base64"), ciphertext: Buffer.from(check.ciphertext, "base64") },
      checkAad(),
      "the master key check",
    );
    const expected = Buffer.from(CHECK_TEXT, "utf8");
    return text.length === expected.length && timingSafeEqual(text, expected);
  } catch (error) {
    if (error instanceof VaultCryptoError) return false;
    throw error;
  }
}

function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** Checks a master key against the stored check value without changing anything. */
export async function checkMasterKey(meta: MetaReads, source: MasterKeySource): Promise<Buffer> {
  const check = parseJson<CheckValue>(await meta.get(META_CHECK));
  if (check === null) throw new Error("this database has no vault yet: there is no master key to check");
  const kdf = parseJson<KdfParams>(await meta.get(META_KDF));
  if (source.kind === "passphrase" && kdf === null) throw new MasterKeyMismatchError(source, check.source);
  const key = await deriveMasterKey(source, kdf);
  if (!matchesCheck(key, check)) throw new MasterKeyMismatchError(source, check.source);
  return key;
}

/** Whether `key` still opens the stored check value (no derivation: for a transaction's re-check). */
export async function keyMatchesStoredCheck(meta: MetaReads, key: Buffer): Promise<boolean> {
  const check = parseJson<CheckValue>(await meta.get(META_CHECK));
  return check !== null && matchesCheck(key, check);
}
