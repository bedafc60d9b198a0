/**
 * The vault's records. Values are never here in plaintext: a version holds the value sealed
 * under its own data key and that key sealed under the project key (base64), and the project
 * key is stored wrapped under the master key.
 */

/** A secret's name and state. */
export interface SecretRecord {
  id: string;
  projectId: string;
  environment: string;
  name: string;
  currentVersion: number;
  /** As given (`90d`), or null. */
  rotateEvery: string | null;
  rotateEveryMs: number | null;
  /** When the current version was written: the rotation clock starts here. */
  rotatedAt: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

/** What changes on a secret after it is created; a field left out stays as it is. */
export type SecretChanges = Partial<
  Pick<
    SecretRecord,
    "currentVersion" | "rotateEvery" | "rotateEveryMs" | "rotatedAt" | "updatedAt" | "deletedAt"
  >
>;

/** Who wrote a version and when. */
export interface SecretVersionRecord {
  version: number;
  createdAt: number;
  createdBy: string | null;
}

/** One stored version of a secret, sealed (base64 fields). */
export interface SealedVersionRecord extends SecretVersionRecord {
  secretId: string;
  format: number;
  ciphertext: string;
  nonce: string;
  wrappedDek: string;
  dekNonce: string;
}

/** A live secret's current version, with its name (for export). */
export interface CurrentValueRecord extends SealedVersionRecord {
  name: string;
}

/** A project's vault key, wrapped under the master key (base64 fields). */
export interface ProjectKeyRecord {
  projectId: string;
  format: number;
  wrappedKey: string;
  nonce: string;
  createdAt: number;
  rewrappedAt: number | null;
}

export interface SecretFilter {
  projectId: string;
  environment?: string | undefined;
  /** Only these environments (a root key's restriction); null for all. */
  environments: readonly string[] | null;
  includeDeleted: boolean;
}
