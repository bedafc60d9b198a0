import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";

/**
 * `keysmith run --fallback FILE`: the last fetched values, sealed with AES-256-GCM under a key
 * derived (HKDF-SHA256, random salt stored in the file) from the root key, for when the server
 * cannot be reached. Without that root key the file is noise; the environment and project it
 * was fetched for are bound as associated data, so it cannot stand in for another.
 */

export interface Snapshot {
  projectId: string;
  environment: string;
  /** When the values were fetched (ISO 8601). */
  fetchedAt: string;
  secrets: { name: string; version: number; value: string }[];
}

interface SnapshotFile {
  format: "keysmith-run-fallback";
  version: 1;
  kdf: "hkdf-sha256";
  /** What the caller asked for: the environment and the --project given ("" for the key's own). */
  environment: string;
  project: string;
  salt: string;
  nonce: string;
  ciphertext: string;
}

const INFO = Buffer.from("keysmith run --fallback v1", "utf8");

function keyFor(rootKey: string, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(rootKey, "utf8"), salt, INFO, 32));
}

function aad(
  file: Pick<SnapshotFile, "format" | "version" | "kdf" | "environment" | "project" | "salt">,
): Buffer {
  return Buffer.from(
    JSON.stringify([file.format, file.version, file.kdf, file.environment, file.project, file.salt]),
    "utf8",
  );
}

/**
 * Seals the snapshot into `path` (mode 0600), replacing the file in one rename so a reader
 * never sees half of it.
 */
export function writeSnapshot(path: string, rootKey: string, project: string, snapshot: Snapshot): void {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const header = {
    format: "keysmith-run-fallback" as const,
    version: 1 as const,
    kdf: "hkdf-sha256" as const,
    environment: snapshot.environment,
    project,
    salt: salt.toString("base64"),
  };
  const cipher = createCipheriv("aes-256-gcm", keyFor(rootKey, salt), nonce);
  cipher.setAAD(aad(header));
  const plaintext = Buffer.from(JSON.stringify(snapshot), "utf8");
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  plaintext.fill(0);
  const file: SnapshotFile = {
    ...header,
    nonce: nonce.toString("base64"),
    ciphertext: ciphertext.toString("base64"),
  };
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * Opens the snapshot in `path`. Throws an Error with a one-line reason when it is missing,
 * malformed, for another environment or project, or sealed under another root key.
 */
export function readSnapshot(path: string, rootKey: string, environment: string, project: string): Snapshot {
  let file: SnapshotFile;
  try {
    file = JSON.parse(readFileSync(path, "utf8")) as SnapshotFile;
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(code === "ENOENT" ? `${path} does not exist yet` : `${path} is not a fallback snapshot`);
  }
  if (file.format !== "keysmith-run-fallback" || file.version !== 1 || file.kdf !== "hkdf-sha256") {
    throw new Error(`${path} is not a fallback snapshot this keysmith reads`);
  }
  if (file.environment !== environment || file.project !== project) {
    throw new Error(
      `${path} holds ${file.environment}${file.project ? ` of ${file.project}` : ""}, not ${environment}`,
    );
  }
  try {
    const ciphertext = Buffer.from(file.ciphertext, "base64");
    const decipher = createDecipheriv(
      "aes-256-gcm",
      keyFor(rootKey, Buffer.from(file.salt, "base64")),
      Buffer.from(file.nonce, "base64"),
    );
    decipher.setAAD(aad(file));
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
    const plaintext = Buffer.concat([
      decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
      decipher.final(),
    ]);
    return JSON.parse(plaintext.toString("utf8")) as Snapshot;
  } catch {
    throw new Error(
      `${path} cannot be opened with this KEYSMITH_ROOT_KEY (another key, or the file was changed)`,
    );
  }
}
