import { KeysmithError, newId, parseDuration } from "@keysmith/core";
import type { Clock } from "../clock.js";
import { type ActionContext, auditEntry, canSeeProject, requireScope } from "../domain/access.js";
import type { RootKeyRecord } from "../domain/records.js";
import { isUniqueViolation, type Store } from "../storage/store.js";
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
import type { SecretRow, SecretVersionRow } from "./vault-repo.js";
import { VaultRepo } from "./vault-repo.js";

/** Which secret: a project (the root key's own when omitted), an environment and a name. */
export interface SecretRef {
  projectId?: string | undefined;
  environment: string;
  name: string;
}

export interface SecretRecord {
  id: string;
  projectId: string;
  environment: string;
  name: string;
  currentVersion: number;
  rotateEvery: string | null;
  rotateEveryMs: number | null;
  /** When the current version was written. */
  rotatedAt: number;
  createdAt: number;
  updatedAt: number;
  deletedAt: number | null;
}

export interface SecretVersionRecord {
  version: number;
  createdAt: number;
  createdBy: string | null;
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

export interface SecretServiceDeps {
  store: Store;
  clock: Clock;
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
      this.transaction(async (repo) => {
        const now = this.deps.clock.now();
        const projectKey = await this.projectKey(repo, masterKey, projectId, now);
        let secret = await repo.getSecret(projectId, ref.environment, ref.name);
        const revived = secret?.deleted_at != null;
        let version = 1;
        if (secret === null) {
          secret = {
            id: newId("sec", now),
            project_id: projectId,
            environment: ref.environment,
            name: ref.name,
            current_version: 1,
            rotate_every: null,
            rotate_every_ms: null,
            rotated_at: now,
            created_at: now,
            updated_at: now,
            deleted_at: null,
          };
          await repo.insertSecret(secret);
        } else {
          version = await repo.nextVersion(secret.id);
        }
        const sealed = sealValue(
          projectKey,
          { projectId, environment: ref.environment, name: ref.name, version },
          input.value,
        );
        await repo.insertVersion({
          secret_id: secret.id,
          version,
          ...storedColumns(sealed),
          created_at: now,
          created_by: ctx.actor.id,
        });
        const rotation =
          input.rotateEvery === undefined
            ? {}
            : {
                rotate_every: input.rotateEvery === null ? null : String(input.rotateEvery),
                rotate_every_ms: rotateEveryMs,
              };
        const next: SecretRow = {
          ...secret,
          ...rotation,
          current_version: version,
          rotated_at: now,
          updated_at: now,
          deleted_at: null,
        };
        await repo.updateSecret(secret.id, {
          ...rotation,
          current_version: version,
          rotated_at: now,
          updated_at: now,
          deleted_at: null,
        });
        await this.audit(repo, ctx, "secret.set", next, { version, ...(revived ? { restored: true } : {}) });
        return toRecord(next);
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
    return this.transaction(async (repo) => {
      const secret = live(await repo.getSecret(projectId, ref.environment, ref.name), ref);
      const now = this.deps.clock.now();
      const fields = {
        rotate_every: rotateEvery === null ? null : String(rotateEvery),
        rotate_every_ms: rotateEveryMs,
        updated_at: now,
      };
      await repo.updateSecret(secret.id, fields);
      const next = { ...secret, ...fields };
      await this.audit(repo, ctx, "secret.update", next, { rotateEvery: fields.rotate_every });
      return toRecord(next);
    });
  }

  /** The decrypted value of the current version, or of `version`. */
  async get(ctx: ActionContext, ref: SecretRef, version?: number): Promise<SecretValue> {
    const { projectId, masterKey } = await this.access(ctx, ref, "secrets:read");
    const outcome = await this.transaction(async (repo) => {
      const secret = live(await repo.getSecret(projectId, ref.environment, ref.name), ref);
      const wanted = version ?? secret.current_version;
      const row = wanted <= secret.current_version ? await repo.getVersion(secret.id, wanted) : null;
      if (!row)
        throw new KeysmithError("SECRET_VERSION_NOT_FOUND", `${ref.name} has no version ${wanted}.`, {
          version: wanted,
        });
      const now = this.deps.clock.now();
      try {
        const projectKey = await this.projectKey(repo, masterKey, projectId, now);
        const value = openValue(
          projectKey,
          { projectId, environment: secret.environment, name: secret.name, version: wanted },
          sealedOf(row),
        );
        await this.audit(repo, ctx, "secret.read", secret, { version: wanted });
        return { ok: true as const, value: { ...versionRecord(row), secret: toRecord(secret), value } };
      } catch (error) {
        if (!(error instanceof VaultCryptoError)) throw error;
        // Recorded, then refused: a tampered row is something to see in the audit log.
        await this.audit(repo, ctx, "secret.decrypt_failed", secret, { version: wanted });
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
    const outcome = await this.transaction(async (repo) => {
      const rows = await repo.currentValues(projectId, environment);
      const now = this.deps.clock.now();
      const secrets: { name: string; version: number; value: string }[] = [];
      const projectKey = rows.length ? await this.projectKey(repo, masterKey, projectId, now) : null;
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
          await repo.appendAudit(
            auditEntry(
              ctx,
              "secret.decrypt_failed",
              { type: "secret", id: row.secret_id, projectId },
              { name: row.name, environment, version: row.version },
            ),
            now,
          );
          return { ok: false as const, name: row.name, version: row.version };
        }
      }
      await repo.appendAudit(
        auditEntry(
          ctx,
          "secret.export",
          { type: "environment", id: environment, projectId },
          {
            environment,
            count: secrets.length,
            secrets: secrets.map((s) => ({ name: s.name, version: s.version })),
          },
        ),
        now,
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
    return this.transaction(async (repo) => {
      const rows = await repo.listSecrets(
        {
          projectId,
          environment: query.environment,
          environments: ctx.actor.environments,
          includeDeleted: query.includeDeleted ?? false,
        },
        after,
        query.limit + 1,
      );
      const items = rows.slice(0, query.limit).map(toRecord);
      const last = items[items.length - 1];
      const now = this.deps.clock.now();
      await repo.appendAudit(
        auditEntry(
          ctx,
          "secret.list",
          { type: "environment", id: query.environment ?? "*", projectId },
          { environment: query.environment ?? null, count: items.length },
        ),
        now,
      );
      return { items, next: rows.length > query.limit && last ? [last.environment, last.name] : null };
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
    return this.transaction(async (repo) => {
      const secret = await repo.getSecret(projectId, ref.environment, ref.name);
      if (!secret) throw notFound(ref);
      const rows = await repo.listVersions(secret.id, before, limit + 1);
      const items = rows.slice(0, limit).map(versionRecord);
      await this.audit(repo, ctx, "secret.history", secret, {});
      const last = items[items.length - 1];
      return {
        secret: toRecord(secret),
        items,
        next: rows.length > limit && last ? String(last.version) : null,
      };
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
    return this.transaction(async (repo) => {
      const secret = await repo.getSecret(projectId, ref.environment, ref.name);
      if (!secret) throw notFound(ref);
      if ((secret.deleted_at !== null) === deleted) return toRecord(secret);
      const now = this.deps.clock.now();
      const fields = { deleted_at: deleted ? now : null, updated_at: now };
      await repo.updateSecret(secret.id, fields);
      const next = { ...secret, ...fields };
      await this.audit(repo, ctx, deleted ? "secret.delete" : "secret.restore", next, {
        version: secret.current_version,
      });
      return toRecord(next);
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
  private async projectKey(
    repo: VaultRepo,
    masterKey: Buffer,
    projectId: string,
    now: number,
  ): Promise<Buffer> {
    let row = await repo.getProjectKey(projectId);
    if (!row) {
      const key = newProjectKey();
      const wrapped = wrapProjectKey(masterKey, projectId, key);
      const candidate = {
        project_id: projectId,
        format: VAULT_FORMAT,
        wrapped_key: wrapped.ciphertext.toString("base64"),
        nonce: wrapped.nonce.toString("base64"),
        created_at: now,
        rewrapped_at: null,
      };
      if (await repo.claimProjectKey(candidate)) return key;
      key.fill(0);
      row = await repo.getProjectKey(projectId);
      if (!row) throw new Error(`the vault key of ${projectId} vanished`);
    }
    try {
      return unwrapProjectKey(masterKey, projectId, {
        ciphertext: Buffer.from(row.wrapped_key, "base64"),
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

  private transaction<T>(work: (repo: VaultRepo) => Promise<T>): Promise<T> {
    return VaultRepo.transaction(this.deps.store.database, this.deps.store.dialect, work);
  }

  private async audit(
    repo: VaultRepo,
    ctx: ActionContext,
    action: string,
    secret: SecretRow,
    details: Record<string, unknown>,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await repo.appendAudit(
      auditEntry(
        ctx,
        action,
        { type: "secret", id: secret.id, projectId: secret.project_id },
        { name: secret.name, environment: secret.environment, ...details },
      ),
      now,
    );
  }
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

function live(secret: SecretRow | null, ref: SecretRef): SecretRow {
  if (!secret) throw notFound(ref);
  if (secret.deleted_at !== null) {
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

function decryptFailed(secret: SecretRow, version: number): KeysmithError {
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
    wrapped_dek: sealed.wrappedDek.toString("base64"),
    dek_nonce: sealed.dekNonce.toString("base64"),
  };
}

function sealedOf(row: SecretVersionRow): SealedValue {
  return {
    format: Number(row.format),
    ciphertext: Buffer.from(row.ciphertext, "base64"),
    nonce: Buffer.from(row.nonce, "base64"),
    wrappedDek: Buffer.from(row.wrapped_dek, "base64"),
    dekNonce: Buffer.from(row.dek_nonce, "base64"),
  };
}

function toRecord(row: SecretRow): SecretRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    environment: row.environment,
    name: row.name,
    currentVersion: Number(row.current_version),
    rotateEvery: row.rotate_every,
    rotateEveryMs: row.rotate_every_ms === null ? null : Number(row.rotate_every_ms),
    rotatedAt: Number(row.rotated_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  };
}

function versionRecord(row: SecretVersionRow): SecretVersionRecord {
  return { version: Number(row.version), createdAt: Number(row.created_at), createdBy: row.created_by };
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
