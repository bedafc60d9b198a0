import { newId } from "@keysmith/core";
import { expect } from "vitest";
import { SYSTEM } from "../../domain/access.js";
import type { ProjectKeyRecord, SealedVersionRecord, SecretRecord } from "../../domain/vault.js";
import { isUniqueViolation } from "../repositories/shared.js";
import { projectRecord, seed } from "./fixtures.js";
import { checks, type RepositoryContext } from "./harness.js";

const DAY = 86_400_000;

/** A project, written in one unit; the vault's rows hang off it. */
async function project(ctx: RepositoryContext, at = ctx.clock.now()): Promise<string> {
  const record = projectRecord(at);
  await seed(ctx, (tx) => tx.projects.insert(record));
  return record.id;
}

function projectKey(
  projectId: string,
  at: number,
  overrides: Partial<ProjectKeyRecord> = {},
): ProjectKeyRecord {
  return {
    projectId,
    format: 1,
    wrappedKey: Buffer.from(`wrapped ${projectId}`).toString("base64"),
    nonce: Buffer.from("nonce-123456").toString("base64"),
    createdAt: at,
    rewrappedAt: null,
    ...overrides,
  };
}

function secret(projectId: string, at: number, overrides: Partial<SecretRecord> = {}): SecretRecord {
  return {
    id: newId("sec", at),
    projectId,
    environment: "production",
    name: "DATABASE_URL",
    currentVersion: 1,
    rotateEvery: null,
    rotateEveryMs: null,
    rotatedAt: at,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    ...overrides,
  };
}

function sealed(secretId: string, version: number, at: number): SealedVersionRecord {
  const b64 = (text: string) => Buffer.from(`${text} ${secretId} ${version}`).toString("base64");
  return {
    secretId,
    version,
    format: 1,
    ciphertext: b64("ciphertext"),
    nonce: b64("nonce"),
    wrappedDek: b64("dek"),
    dekNonce: b64("dek nonce"),
    createdAt: at,
    createdBy: version % 2 ? "root_a" : null,
  };
}

/** Secrets written in one unit, each with its versions 1…currentVersion. */
async function secrets(ctx: RepositoryContext, records: SecretRecord[]): Promise<SecretRecord[]> {
  await seed(ctx, async (tx) => {
    for (const record of records) {
      await tx.vault.insertSecret(record);
      for (let v = 1; v <= record.currentVersion; v++)
        await tx.vault.insertVersion(sealed(record.id, v, record.createdAt + v));
    }
  });
  return records;
}

export const vaultChecks = checks({
  "stores one key per project, whoever claims first, and reads it back field for field": async (ctx) => {
    const now = ctx.clock.now();
    const projectId = await project(ctx);
    const candidates = ["a", "b", "c"].map((n) =>
      projectKey(projectId, now, { wrappedKey: Buffer.from(`key ${n}`).toString("base64") }),
    );
    const claims = await Promise.all(
      candidates.map((candidate) => seed(ctx, (tx) => tx.vault.claimProjectKey(candidate))),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await ctx.store.vault.getProjectKey(projectId)).toEqual(candidates[claims.indexOf(true)]);
    expect(await ctx.store.vault.getProjectKey("proj_unknown")).toBeNull();
  },
  "lists every project key by project, and re-wraps one without touching the others": async (ctx) => {
    const now = ctx.clock.now();
    const ids = [await project(ctx, now), await project(ctx, now + 1)].sort();
    const [a, b] = ids.map((id) => projectKey(id, now)) as [ProjectKeyRecord, ProjectKeyRecord];
    await seed(ctx, async (tx) => {
      // Inserted in reverse: the list sorts.
      await tx.vault.claimProjectKey(b);
      await tx.vault.claimProjectKey(a);
    });
    expect(await ctx.store.vault.listProjectKeys()).toEqual([a, b]);
    const wrapped = { wrappedKey: Buffer.from("rewrapped").toString("base64"), nonce: "bm9uY2U=" };
    await seed(ctx, (tx) => tx.vault.rewrapProjectKey(a.projectId, wrapped, now + 5));
    expect(await ctx.store.vault.listProjectKeys()).toEqual([{ ...a, ...wrapped, rewrappedAt: now + 5 }, b]);
  },
  "stores a secret and finds it by project, environment and name, field for field": async (ctx) => {
    const now = ctx.clock.now();
    const projectId = await project(ctx);
    const [stored] = await secrets(ctx, [
      secret(projectId, now, { rotateEvery: "90d", rotateEveryMs: 90 * DAY }),
    ]);
    expect(await ctx.store.vault.getSecret(projectId, "production", "DATABASE_URL")).toEqual(stored);
    expect(await ctx.store.vault.getSecret(projectId, "staging", "DATABASE_URL")).toBeNull();
    expect(await ctx.store.vault.getSecret(projectId, "production", "OTHER")).toBeNull();
    const duplicate = await seed(ctx, (tx) => tx.vault.insertSecret(secret(projectId, now + 1))).catch(
      (e: unknown) => e,
    );
    expect(isUniqueViolation(duplicate)).toBe(true);
  },
  "changes only the fields given": async (ctx) => {
    const now = ctx.clock.now();
    const projectId = await project(ctx);
    const [original] = (await secrets(ctx, [secret(projectId, now)])) as [SecretRecord];
    const get = () => ctx.store.vault.getSecret(projectId, "production", "DATABASE_URL");
    await seed(ctx, (tx) =>
      tx.vault.updateSecret(original.id, { rotateEvery: "7d", rotateEveryMs: 7 * DAY }),
    );
    const rotating = { ...original, rotateEvery: "7d", rotateEveryMs: 7 * DAY };
    expect(await get()).toEqual(rotating);
    await seed(ctx, (tx) => tx.vault.updateSecret(original.id, { deletedAt: now + 1, updatedAt: now + 1 }));
    expect(await get()).toEqual({ ...rotating, deletedAt: now + 1, updatedAt: now + 1 });
    await seed(ctx, (tx) =>
      tx.vault.updateSecret(original.id, {
        currentVersion: 4,
        rotatedAt: now + 2,
        deletedAt: null,
        rotateEvery: null,
        rotateEveryMs: null,
      }),
    );
    expect(await get()).toEqual({ ...original, currentVersion: 4, rotatedAt: now + 2, updatedAt: now + 1 });
    await ctx.write(SYSTEM, (tx) => tx.vault.updateSecret(original.id, {}));
    expect((await get())?.currentVersion).toBe(4);
  },
  "numbers versions in one statement: concurrent writers get distinct numbers": async (ctx) => {
    const projectId = await project(ctx);
    const [stored] = (await secrets(ctx, [secret(projectId, ctx.clock.now())])) as [SecretRecord];
    const numbers = await Promise.all(
      Array.from({ length: 5 }, () => seed(ctx, (tx) => tx.vault.nextVersion(stored.id))),
    );
    expect([...numbers].sort()).toEqual([2, 3, 4, 5, 6]);
    expect((await ctx.store.vault.getSecret(projectId, "production", "DATABASE_URL"))?.currentVersion).toBe(
      6,
    );
  },
  "stores sealed versions, reads one back, and lists who wrote them newest first in pages": async (ctx) => {
    const now = ctx.clock.now();
    const projectId = await project(ctx);
    const [stored, other] = (await secrets(ctx, [
      secret(projectId, now, { currentVersion: 3 }),
      secret(projectId, now, { name: "OTHER" }),
    ])) as [SecretRecord, SecretRecord];
    expect(await ctx.store.vault.getVersion(stored.id, 2)).toEqual(sealed(stored.id, 2, now + 2));
    expect(await ctx.store.vault.getVersion(other.id, 1)).toEqual(sealed(other.id, 1, now + 1));
    expect(await ctx.store.vault.getVersion(stored.id, 4)).toBeNull();
    const who = (v: number) => ({ version: v, createdAt: now + v, createdBy: v % 2 ? "root_a" : null });
    expect(await ctx.store.vault.listVersions(stored.id, null, 2)).toEqual({
      items: [who(3), who(2)],
      next: "2",
    });
    expect(await ctx.store.vault.listVersions(stored.id, 2, 2)).toEqual({ items: [who(1)], next: null });
    expect(await ctx.store.vault.listVersions(stored.id, null, 3)).toEqual({
      items: [who(3), who(2), who(1)],
      next: null,
    });
  },
  "lists secrets by environment and name in pages, within a project, its environments and deletion": async (
    ctx,
  ) => {
    const now = ctx.clock.now();
    const projectId = await project(ctx);
    const otherProject = await project(ctx, now + 1);
    const [prodA, prodB, stagingA, deleted] = await secrets(ctx, [
      secret(projectId, now, { name: "A" }),
      secret(projectId, now + 1, { name: "B" }),
      secret(projectId, now + 2, { name: "A", environment: "staging" }),
      secret(projectId, now + 3, { name: "C", deletedAt: now }),
      secret(otherProject, now + 4, { name: "A" }),
    ]);
    const base = { projectId, environments: null, includeDeleted: false };
    const ids = (page: { items: SecretRecord[] }) => page.items.map((s) => s.id);
    const first = await ctx.store.vault.listSecrets(base, null, 2);
    expect(first).toEqual({ items: [prodA, prodB], next: ["production", "B"] });
    const second = await ctx.store.vault.listSecrets(base, first.next, 2);
    expect(second).toEqual({ items: [stagingA], next: null });
    expect(ids(await ctx.store.vault.listSecrets({ ...base, includeDeleted: true }, null, 10))).toEqual(
      [prodA, prodB, deleted, stagingA].map((s) => s?.id),
    );
    expect(ids(await ctx.store.vault.listSecrets({ ...base, environment: "staging" }, null, 10))).toEqual([
      stagingA?.id,
    ]);
    expect(ids(await ctx.store.vault.listSecrets({ ...base, environments: ["staging"] }, null, 10))).toEqual([
      stagingA?.id,
    ]);
    expect((await ctx.store.vault.listSecrets({ ...base, environments: [] }, null, 10)).items).toEqual([]);
  },
  "answers the current version of every live secret in an environment, by name": async (ctx) => {
    const now = ctx.clock.now();
    const projectId = await project(ctx);
    const [b, a] = (await secrets(ctx, [
      secret(projectId, now, { name: "B", currentVersion: 2 }),
      secret(projectId, now, { name: "A" }),
      secret(projectId, now, { name: "C", deletedAt: now }),
      secret(projectId, now, { name: "D", environment: "staging" }),
    ])) as [SecretRecord, SecretRecord];
    expect(await ctx.store.vault.currentValues(projectId, "production")).toEqual([
      { ...sealed(a.id, 1, now + 1), name: "A" },
      { ...sealed(b.id, 2, now + 2), name: "B" },
    ]);
    expect(await ctx.store.vault.currentValues(projectId, "development")).toEqual([]);
  },
  "finds live secrets due for rotation and not yet alerted for that due date, oldest first": async (ctx) => {
    const now = ctx.clock.now();
    const projectId = await project(ctx);
    const every = { rotateEvery: "1d", rotateEveryMs: DAY };
    const [older, , , , alerted, alertedBefore] = await secrets(ctx, [
      secret(projectId, now - 3 * DAY, { ...every, name: "OLDER", rotatedAt: now - 3 * DAY }),
      secret(projectId, now - DAY, { ...every, name: "DUE", rotatedAt: now - DAY }),
      secret(projectId, now, { ...every, name: "NOT_YET", rotatedAt: now - DAY + 1 }),
      secret(projectId, now - DAY, { ...every, name: "DELETED", rotatedAt: now - DAY, deletedAt: now }),
      secret(projectId, now - DAY, { ...every, name: "ALERTED", rotatedAt: now - DAY }),
      secret(projectId, now - 2 * DAY, { ...every, name: "ALERTED_BEFORE", rotatedAt: now - 2 * DAY }),
      secret(projectId, now - 9 * DAY, { name: "NEVER", rotatedAt: now - 9 * DAY }),
    ]);
    const alert = (s: SecretRecord | undefined, dueAt: number) => ({
      id: `alert_${s?.id}`,
      type: "secret.rotation_due",
      project_id: projectId,
      key_id: null,
      data: "{}",
      idempotency_key: `secret.rotation_due:${s?.id}:${dueAt}`,
      created_at: now,
    });
    await ctx.store.database
      .insertInto("alerts")
      .values([alert(alerted, now), alert(alertedBefore, now - 2 * DAY)])
      .execute();
    expect((await ctx.store.vault.rotationDue(now, 10)).map((s) => s.name)).toEqual([
      "OLDER",
      "ALERTED_BEFORE",
      "DUE",
    ]);
    expect(await ctx.store.vault.rotationDue(now, 1)).toEqual([older]);
    expect((await ctx.store.vault.rotationDue(now - 1, 10)).map((s) => s.name)).toEqual([
      "OLDER",
      "ALERTED_BEFORE",
    ]);
  },
});
