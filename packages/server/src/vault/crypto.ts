import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * The vault's envelope encryption, node:crypto only. AES-256-GCM everywhere, a fresh random
 * 96-bit nonce for every encryption, the 16-byte tag appended to the ciphertext.
 *
 *   value ──AES-GCM(DEK)──▶ ciphertext      one random data key (DEK) per secret version
 *   DEK   ──AES-GCM(PK)───▶ wrapped DEK     one random project key (PK) per project
 *   PK    ──AES-GCM(MK)───▶ wrapped PK      the master key (MK) never touches the database
 *
 * Associated data binds every ciphertext to where it belongs (format, project, environment,
 * name, version), so a row copied or moved to another place fails to decrypt.
 */

/** The envelope format; part of every associated data, so a future format cannot be confused with this one. */
export const VAULT_FORMAT = 1;
export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export type VaultCryptoCode = "DECRYPT_FAILED" | "BAD_KEY";

/**
 * A vault decryption that failed authentication (tampered, moved, or under another key), or a
 * key of the wrong size. Carries no plaintext and no key material.
 */
export class VaultCryptoError extends Error {
  readonly code: VaultCryptoCode;

  constructor(code: VaultCryptoCode, message: string) {
    super(message);
    this.name = "VaultCryptoError";
    this.code = code;
  }
}

/** A ciphertext (tag appended) and the nonce it was sealed with. */
export interface Sealed {
  ciphertext: Buffer;
  nonce: Buffer;
}

/** Where a secret version lives: what its value and data key are bound to. */
export interface ValueRef {
  projectId: string;
  environment: string;
  name: string;
  version: number;
}

/** A secret version as stored: the value under its DEK, the DEK under the project key. */
export interface SealedValue {
  format: number;
  ciphertext: Buffer;
  nonce: Buffer;
  wrappedDek: Buffer;
  dekNonce: Buffer;
}

/** Encrypts under `key` with a fresh random nonce. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  checkKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext, nonce };
}

/** Decrypts and authenticates; throws `VaultCryptoError("DECRYPT_FAILED")` on any mismatch. */
export function open(key: Buffer, sealed: Sealed, aad: Buffer, what: string): Buffer {
  checkKey(key);
  const { ciphertext, nonce } = sealed;
  if (nonce.length !== NONCE_BYTES || ciphertext.length < TAG_BYTES) {
    throw new VaultCryptoError("DECRYPT_FAILED", `${what}: the stored ciphertext or nonce is malformed`);
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new VaultCryptoError(
      "DECRYPT_FAILED",
      `${what} failed authentication: it was changed or moved, or it was sealed under another key`,
    );
  }
}

/**
 * Associated data as a JSON array: unambiguous whatever the fields contain (a name cannot
 * borrow characters from the environment next to it).
 */
function aad(...parts: readonly (string | number)[]): Buffer {
  return Buffer.from(JSON.stringify(["keysmith-vault", VAULT_FORMAT, ...parts]), "utf8");
}

export const valueAad = (ref: ValueRef, format = VAULT_FORMAT): Buffer =>
  format === VAULT_FORMAT
    ? aad("value", ref.projectId, ref.environment, ref.name, ref.version)
    : unknownFormat(format);
export const dekAad = (ref: ValueRef, format = VAULT_FORMAT): Buffer =>
  format === VAULT_FORMAT
    ? aad("dek", ref.projectId, ref.environment, ref.name, ref.version)
    : unknownFormat(format);
export const projectKeyAad = (projectId: string): Buffer => aad("project-key", projectId);
export const checkAad = (): Buffer => aad("master-key-check");

function unknownFormat(format: number): never {
  throw new VaultCryptoError(
    "DECRYPT_FAILED",
    `the stored envelope format ${format} is not one this server reads`,
  );
}

/**
 * Encrypts one secret version under a fresh data key, and wraps that key with the project key.
 *
 * @example const stored = sealValue(projectKey, { projectId, environment: "production", name: "STRIPE_KEY", version: 1 }, "sk_live_…");
 */
export function sealValue(projectKey: Buffer, ref: ValueRef, value: string): SealedValue {
  const dek = randomBytes(KEY_BYTES);
  try {
    const data = seal(dek, Buffer.from(value, "utf8"), valueAad(ref));
    const wrapped = seal(projectKey, dek, dekAad(ref));
    return {
      format: VAULT_FORMAT,
      ciphertext: data.ciphertext,
      nonce: data.nonce,
      wrappedDek: wrapped.ciphertext,
      dekNonce: wrapped.nonce,
    };
  } finally {
    dek.fill(0);
  }
}

/** Unwraps the version's data key and decrypts its value; throws `VaultCryptoError` when either fails. */
export function openValue(projectKey: Buffer, ref: ValueRef, stored: SealedValue): string {
  const where = `${ref.name} (${ref.environment}, version ${ref.version})`;
  const dek = open(
    projectKey,
    { ciphertext: stored.wrappedDek, nonce: stored.dekNonce },
    dekAad(ref, stored.format),
    `the data key of ${where}`,
  );
  try {
    return open(dek, stored, valueAad(ref, stored.format), `the value of ${where}`).toString("utf8");
  } finally {
    dek.fill(0);
  }
}

/** A new random project key. */
export function newProjectKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function wrapProjectKey(masterKey: Buffer, projectId: string, projectKey: Buffer): Sealed {
  return seal(masterKey, projectKey, projectKeyAad(projectId));
}

export function unwrapProjectKey(masterKey: Buffer, projectId: string, wrapped: Sealed): Buffer {
  return open(masterKey, wrapped, projectKeyAad(projectId), `the project key of ${projectId}`);
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES)
    throw new VaultCryptoError("BAD_KEY", `a vault key must be ${KEY_BYTES} bytes`);
}
