import { KeysmithError, newId, parseDuration } from "@keysmith/core";
import { type ActionContext, canSeeProject, requireScope } from "../domain/access.js";
import type { RootKeyRecord } from "../domain/records.js";
import type { SealedVersionRecord, SecretRecord, SecretVersionRecord } from "../domain/vault.js";
import type { ServiceDeps } from "../services/context.js";
import { isUniqueViolation } from "../storage/store.js";
import type { WriteTx } from "../storage/unit-of-work.js";
import {
  newProjectKey,
  openValue,
  type SealedValue,
  sealValue,
  unwrapProjectKey,
  VAULT_FORMAT,
  VaultCryptoError,
  wrapProjectKey,
} from "./crypto.js";
import { MAX_SECRET_BYTES } from "./names.js";

export type { SecretRecord, SecretVersionRecord } from "../domain/vault.js";

/** Which secret: a project (the root key's own when omitted), an environment and a name. */
export interface SecretRef {
  projectId?: string | undefined;
  environment: string;
  name: string;
}

export interface SecretValue extends SecretVersionRecord {
  secret: SecretRecord;
  value: string;
}

export interface SetSecretInput {
  value: string;
  /** A period (`90d`); null removes the reminder; undefined keeps it. */
  rotateEvery?: string | number | null | undefined;
}

export interface ListSecretsQuery {
  projectId?: string | undefined;
  environment?: string | undefined;
  includeDeleted?: boolean | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface SecretServiceDeps extends Pick<ServiceDeps, "store" | "clock" | "write"> {
  /** The vault's master key, checked at startup; null when the server runs without one. */
  masterKey: Buffer | null;
}

/**
 * The vault: secrets per project and environment, every write a new version, every value sealed
 * under its own data key. Every read and write is audited with the name, environment and
 * version, never the value.
 */
export class SecretService {
  constructor(private readonly deps: SecretServiceDeps) {}

  /** Whether the server holds a master key. */
  get unlocked(): boolean {
    return this.deps.masterKey !== null;
  }

  /** Writes a new version (creating the secret, or reviving a deleted one). */
  async set(ctx: ActionContext, ref: SecretRef, input: SetSecretInput): Promise<SecretRecord> {
    const { projectId, masterKey } = await this.access(ctx, ref, "secrets:write");
    if (Buffer.byteLength(input.value, "utf8") > MAX_SECRET_BYTES) {
      throw new KeysmithError("VALIDATION_ERROR", `A secret's value is at most ${MAX_SECRET_BYTES} bytes.`, {
        field: "value",
      });
    }
    const rotateEveryMs = rotationPeriod(input.rotateEvery);
    const write = () =>
      this.deps.write(ctx, async (tx) => {
        const now = tx.now;
        const projectKey = await this.projectKey(tx, masterKey, projectId);
        let secret = await tx.vault.getSecret(projectId, ref.environment, ref.name);
        const revived = secret?.deletedAt != null;
        let version = 1;
        if (secret === null) {
          secret = {
            id: newId("sec", now),
            projectId,
            environment: ref.environment,
            name: ref.name,
            currentVersion: 1,
            rotateEvery: null,
            rotateEveryMs: null,
            rotatedAt: now,
            createdAt: now,
            updatedAt: now,
            deletedAt: null,
          };
          await tx.vault.insertSecret(secret);
        } else {
          version = await tx.vault.nextVersion(secret.id);
        }
        const sealed = sealValue(
          projectKey,
          { projectId, environment: ref.environment, name: ref.name, version },
          input.value,
        );
        await tx.vault.insertVersion({
          secretId: secret.id,
          version,
          ...storedColumns(sealed),
          createdAt: now,
          createdBy: ctx.actor.id,
        });
        const rotation =
          input.rotateEvery === undefined
            ? {}
            : {
                rotateEvery: input.rotateEvery === null ? null : String(input.rotateEvery),
                rotateEveryMs,
              };
        const changes = {
          ...rotation,
          currentVersion: version,
          rotatedAt: now,
          updatedAt: now,
          deletedAt: null,
        };
        await tx.vault.updateSecret(secret.id, changes);
        const next: SecretRecord = { ...secret, ...changes };
        await audit(tx, "secret.set", next, { version, ...(revived ? { restored: true } : {}) });
        return next;
      });
    try {
      return await write();
    } catch (error) {
      // Two first writes of one name raced; the loser writes version 2 on the winner's row.
      if (isUniqueViolation(error)) return write();
      throw error;
    }
  }

  /** Changes the rotation period without writing a value. */
  async setRotation(
    ctx: ActionContext,
    ref: SecretRef,
    rotateEvery: string | number | null,
  ): Promise<SecretRecord> {
    const { projectId } = await this.access(ctx, ref, "secrets:write");
    const rotateEveryMs = rotationPeriod(rotateEvery);
    return this.deps.write(ctx, async (tx) => {
      const secret = live(await tx.vault.getSecret(projectId, ref.environment, ref.name), ref);
      const changes = {
        rotateEvery: rotateEvery === null ? null : String(rotateEvery),
        rotateEveryMs,
        updatedAt: tx.now,
      };
      await tx.vault.updateSecret(secret.id, changes);
      const next = { ...secret, ...changes };
      await audit(tx, "secret.update", next, { rotateEvery: changes.rotateEvery });
      return next;
    });
  }

  /** The decrypted value of the current version, or of `version`. */
  async get(ctx: ActionContext, ref: SecretRef, version?: number): Promise<SecretValue> {
    const { projectId, masterKey } = await this.access(ctx, ref, "secrets:read");
    const outcome = await this.deps.write(ctx, async (tx) => {
      const secret = live(await tx.vault.getSecret(projectId, ref.environment, ref.name), ref);
      const wanted = version ?? secret.currentVersion;
      const row = wanted <= secret.currentVersion ? await tx.vault.getVersion(secret.id, wanted) : null;
      if (!row)
        throw new KeysmithError("SECRET_VERSION_NOT_FOUND", `${ref.name} has no version ${wanted}.`, {
          version: wanted,
        });
      try {
        const projectKey = await this.projectKey(tx, masterKey, projectId);
        const value = openValue(
          projectKey,
          { projectId, environment: secret.environment, name: secret.name, version: wanted },
          sealedOf(row),
        );
        await audit(tx, "secret.read", secret, { version: wanted });
        return { ok: true as const, value: { ...versionRecord(row), secret, value } };
      } catch (error) {
        if (!(error instanceof VaultCryptoError)) throw error;
        // Recorded, then refused: a tampered row is something to see in the audit log.
        await audit(tx, "secret.decrypt_failed", secret, { version: wanted });
        return { ok: false as const, secret, version: wanted };
      }
    });
    if (!outcome.ok) throw decryptFailed(outcome.secret, outcome.version);
    return outcome.value;
  }

  /** Every live secret's current value in one environment, for `keysmith run`; audited once. */
  async export(
    ctx: ActionContext,
    ref: Omit<SecretRef, "name">,
  ): Promise<{
    projectId: string;
    environment: string;
    secrets: { name: string; version: number; value: string }[];
  }> {
    const { projectId, masterKey } = await this.access(ctx, { ...ref, name: "" }, "secrets:read");
    const { environment } = ref;
    const outcome = await this.deps.write(ctx, async (tx) => {
      const rows = await tx.vault.currentValues(projectId, environment);
      const secrets: { name: string; version: number; value: string }[] = [];
      const projectKey = rows.length ? await this.projectKey(tx, masterKey, projectId) : null;
      for (const row of rows) {
        try {
          const value = openValue(
            projectKey as Buffer,
            { projectId, environment, name: row.name, version: row.version },
            sealedOf(row),
          );
          secrets.push({ name: row.name, version: row.version, value });
        } catch (error) {
          if (!(error instanceof VaultCryptoError)) throw error;
          await tx.audit(
            "secret.decrypt_failed",
            { type: "secret", id: row.secretId, projectId },
            { name: row.name, environment, version: row.version },
          );
          return { ok: false as const, name: row.name, version: row.version };
        }
      }
      await tx.audit(
        "secret.export",
        { type: "environment", id: environment, projectId },
        {
          environment,
          count: secrets.length,
          secrets: secrets.map((s) => ({ name: s.name, version: s.version })),
        },
      );
      return { ok: true as const, secrets };
    });
    if (!outcome.ok) {
      throw new KeysmithError(
        "VAULT_DECRYPT_FAILED",
        decryptMessage(outcome.name, environment, outcome.version),
        {
          name: outcome.name,
          environment,
          version: outcome.version,
        },
      );
    }
    return { projectId, environment, secrets: outcome.secrets };
  }

  /** Names and versions, never values. */
  async list(
    ctx: ActionContext,
    query: ListSecretsQuery,
  ): Promise<{ items: SecretRecord[]; next: [string, string] | null }> {
    const projectId = await this.visibleProject(ctx, query.projectId, "secrets:read");
    if (query.environment !== undefined) checkEnvironment(ctx.actor, query.environment);
    const after = decodeNameCursor(query.cursor);
    return this.deps.write(ctx, async (tx) => {
      const page = await tx.vault.listSecrets(
        {
          projectId,
          environment: query.environment,
          environments: ctx.actor.environments,
          includeDeleted: query.includeDeleted ?? false,
        },
        after,
        query.limit,
      );
      await tx.audit(
        "secret.list",
        { type: "environment", id: query.environment ?? "*", projectId },
        { environment: query.environment ?? null, count: page.items.length },
      );
      return page;
    });
  }

  /** Versions of a secret, newest first: who wrote each and when. */
  async history(
    ctx: ActionContext,
    ref: SecretRef,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ secret: SecretRecord; items: SecretVersionRecord[]; next: string | null }> {
    const { projectId } = await this.access(ctx, ref, "secrets:read");
    const before = decodeVersionCursor(cursor);
    return this.deps.write(ctx, async (tx) => {
      const secret = await tx.vault.getSecret(projectId, ref.environment, ref.name);
      if (!secret) throw notFound(ref);
      const { items, next } = await tx.vault.listVersions(secret.id, before, limit);
      await audit(tx, "secret.history", secret, {});
      return { secret, items, next };
    });
  }

  /** Soft delete: the name leaves `run` and lists; its versions stay for `restore`. */
  async remove(ctx: ActionContext, ref: SecretRef): Promise<SecretRecord> {
    return this.changeDeleted(ctx, ref, true);
  }

  async restore(ctx: ActionContext, ref: SecretRef): Promise<SecretRecord> {
    return this.changeDeleted(ctx, ref, false);
  }

  private async changeDeleted(ctx: ActionContext, ref: SecretRef, deleted: boolean): Promise<SecretRecord> {
    const { projectId } = await this.access(ctx, ref, "secrets:write");
    return this.deps.write(ctx, async (tx) => {
      const secret = await tx.vault.getSecret(projectId, ref.environment, ref.name);
      if (!secret) throw notFound(ref);
      if ((secret.deletedAt !== null) === deleted) return secret;
      const changes = { deletedAt: deleted ? tx.now : null, updatedAt: tx.now };
      await tx.vault.updateSecret(secret.id, changes);
      const next = { ...secret, ...changes };
      await audit(tx, deleted ? "secret.delete" : "secret.restore", next, {
        version: secret.currentVersion,
      });
      return next;
    });
  }

  /** Scope, vault, project and environment checks every route makes, in that order. */
  private async access(
    ctx: ActionContext,
    ref: SecretRef,
    scope: "secrets:read" | "secrets:write",
  ): Promise<{ projectId: string; masterKey: Buffer }> {
    const projectId = await this.visibleProject(ctx, ref.projectId, scope);
    checkEnvironment(ctx.actor, ref.environment);
    return { projectId, masterKey: this.deps.masterKey as Buffer };
  }

  private async visibleProject(
    ctx: ActionContext,
    requested: string | undefined,
    scope: "secrets:read" | "secrets:write",
  ): Promise<string> {
    requireScope(ctx.actor, scope);
    if (this.deps.masterKey === null) {
      throw new KeysmithError(
        "VAULT_LOCKED",
        "The vault is off: start the server with KEYSMITH_MASTER_KEY or KEYSMITH_MASTER_PASSPHRASE.",
      );
    }
    const projectId = requested ?? ctx.actor.projectId;
    if (!projectId) {
      throw new KeysmithError(
        "UNPROCESSABLE",
        "projectId is required for a root key bound to all projects.",
        {
          field: "projectId",
        },
      );
    }
    const project = canSeeProject(ctx.actor, projectId)
      ? await this.deps.store.projects.get(projectId)
      : null;
    if (!project) throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
    return project.id;
  }

  /** The project's key, unwrapped; created (and wrapped under the master key) on first use. */
  private async projectKey(tx: WriteTx, masterKey: Buffer, projectId: string): Promise<Buffer> {
    let row = await tx.vault.getProjectKey(projectId);
    if (!row) {
      const key = newProjectKey();
      const wrapped = wrapProjectKey(masterKey, projectId, key);
      const candidate = {
        projectId,
        format: VAULT_FORMAT,
        wrappedKey: wrapped.ciphertext.toString("base64"),
        nonce: wrapped.nonce.toString("base64"),
        createdAt: tx.now,
        rewrappedAt: null,
      };
      if (await tx.vault.claimProjectKey(candidate)) return key;
      key.fill(0);
      row = await tx.vault.getProjectKey(projectId);
      if (!row) throw new Error(`the vault key of ${projectId} vanished`);
    }
    try {
      return unwrapProjectKey(masterKey, projectId, {
        ciphertext: Buffer.from(row.wrappedKey, "base64"),
        nonce: Buffer.from(row.nonce, "base64"),
      });
    } catch (error) {
      if (!(error instanceof VaultCryptoError)) throw error;
      throw new KeysmithError(
        "VAULT_DECRYPT_FAILED",
        "This project's vault key failed its integrity check: it was changed or moved in the database.",
        { projectId },
      );
    }
  }
}

/** The audit entry of a secret's action: its name and environment, never its value. */
async function audit(
  tx: WriteTx,
  action: string,
  secret: SecretRecord,
  details: Record<string, unknown>,
): Promise<void> {
  await tx.audit(
    action,
    { type: "secret", id: secret.id, projectId: secret.projectId },
    { name: secret.name, environment: secret.environment, ...details },
  );
}

/** Throws FORBIDDEN unless the root key may touch the environment. */
function checkEnvironment(actor: RootKeyRecord, environment: string): void {
  if (actor.environments === null || actor.environments.includes(environment)) return;
  throw new KeysmithError(
    "FORBIDDEN",
    `This root key is limited to the environments ${actor.environments.join(", ")}.`,
    { environment, allowed: actor.environments },
  );
}

function rotationPeriod(value: string | number | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) {
    throw new KeysmithError(
      "INVALID_DURATION",
      "rotateEvery must be a positive duration such as 90d, at most 10 years.",
      {
        field: "rotateEvery",
      },
    );
  }
  return ms;
}

function live(secret: SecretRecord | null, ref: SecretRef): SecretRecord {
  if (!secret) throw notFound(ref);
  if (secret.deletedAt !== null) {
    throw new KeysmithError(
      "SECRET_NOT_FOUND",
      `${ref.name} is deleted in ${ref.environment}; restore it first.`,
      {
        deleted: true,
      },
    );
  }
  return secret;
}

function notFound(ref: SecretRef): KeysmithError {
  return new KeysmithError("SECRET_NOT_FOUND", `No secret ${ref.name} in ${ref.environment}.`);
}

function decryptMessage(name: string, environment: string, version: number): string {
  return (
    `The stored secret ${name} (${environment}, version ${version}) failed its integrity check: ` +
    "it was changed or moved in the database, or sealed under another key."
  );
}

function decryptFailed(secret: SecretRecord, version: number): KeysmithError {
  return new KeysmithError("VAULT_DECRYPT_FAILED", decryptMessage(secret.name, secret.environment, version), {
    name: secret.name,
    environment: secret.environment,
    version,
  });
}

function storedColumns(sealed: SealedValue) {
  return {
    format: sealed.format,
    ciphertext: sealed.ciphertext.toString("base64"),
    nonce: sealed.nonce.toString("base64"),
    wrappedDek: sealed.wrappedDek.toString("base64"),
    dekNonce: sealed.dekNonce.toString("base64"),
  };
}

function sealedOf(row: SealedVersionRecord): SealedValue {
  return {
    format: row.format,
    ciphertext: Buffer.from(row.ciphertext, "base64"),
    nonce: Buffer.from(row.nonce, "base64"),
    wrappedDek: Buffer.from(row.wrappedDek, "base64"),
    dekNonce: Buffer.from(row.dekNonce, "base64"),
  };
}

function versionRecord(row: SecretVersionRecord): SecretVersionRecord {
  return { version: row.version, createdAt: row.createdAt, createdBy: row.createdBy };
}

/** List cursors: base64url of `[environment, name]`. */
export function encodeNameCursor(next: [string, string] | null): string | null {
  return next === null ? null : Buffer.from(JSON.stringify(next), "utf8").toString("base64url");
}

function decodeNameCursor(cursor: string | undefined): [string, string] | null {
  if (cursor === undefined || cursor === "") return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((p) => typeof p === "string"))
      return parsed as [string, string];
  } catch {
    // falls through to the error below
  }
  throw new KeysmithError("INVALID_CURSOR");
}

function decodeVersionCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === "") return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^[1-9][0-9]{0,9}$/.test(text)) throw new KeysmithError("INVALID_CURSOR");
  return Number(text);
}
