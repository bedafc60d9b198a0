import { generateKey, hashKey, newId } from "@keysmith/core";
import { SYSTEM } from "../../domain/access.js";
import type { KeyRecord, ProjectRecord, RootKeyRecord } from "../../domain/records.js";
import type { WriteTx } from "../unit-of-work.js";
import type { RepositoryContext } from "./harness.js";

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

export function projectRecord(now: number, overrides: Partial<ProjectRecord> = {}): ProjectRecord {
  return {
    id: newId("proj", now),
    name: "Acme",
    prefix: `p${unique()}`.slice(0, 12),
    publishableScopes: ["read:items"],
    settings: { costTable: { "*": 0.5 }, leakPolicy: "flag" },
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function keyRecord(projectId: string, now: number, overrides: Partial<KeyRecord> = {}): KeyRecord {
  const generated = generateKey({ prefix: "acme", typeCode: "sk", environment: "live" });
  return {
    id: newId("key", now),
    projectId,
    hash: generated.hash,
    start: generated.start,
    last4: generated.last4,
    type: "secret",
    environment: "live",
    ownerId: "user_1",
    name: "a key",
    scopes: ["read:items", "write:items"],
    meta: { plan: "pro", nested: { list: [1, 2, 3] } },
    allowedOrigins: null,
    allowedIps: ["10.0.0.0/8"],
    enabled: true,
    expiresAt: null,
    createdAt: now,
    updatedAt: now,
    revokedAt: null,
    lastUsedAt: null,
    rolledFrom: null,
    rolledTo: null,
    imported: false,
    ratelimits: [{ name: "burst", limit: 50, duration: "1s" }],
    credits: null,
    budget: { limit: 100, period: "month", thresholds: [0.8, 1], hardCap: true },
    ...overrides,
  };
}

export function rootKeyRecord(now: number, overrides: Partial<RootKeyRecord> = {}): RootKeyRecord {
  const plaintext = `ks_root_live_${unique()}`;
  return {
    id: newId("root", now),
    projectId: null,
    hash: hashKey(plaintext),
    start: plaintext.slice(0, 16),
    last4: plaintext.slice(-4),
    name: "ops",
    scopes: ["keys:read"],
    expiresAt: null,
    createdAt: now,
    createdBy: null,
    revokedAt: null,
    lastUsedAt: null,
    environments: null,
    ...overrides,
  };
}

/** Writes fixtures through the one write path (which requires an audit entry for them). */
export function seed<T>(ctx: RepositoryContext, work: (tx: WriteTx) => Promise<T>): Promise<T> {
  return ctx.write(SYSTEM, async (tx) => {
    const value = await work(tx);
    await tx.audit("test.seed", { type: "test", id: "seed", projectId: null });
    return value;
  });
}

/** A project with keys, written in one unit. */
export async function projectWithKeys(
  ctx: RepositoryContext,
  keys: Partial<KeyRecord>[],
): Promise<{ project: ProjectRecord; keys: KeyRecord[] }> {
  const now = ctx.clock.now();
  const project = projectRecord(now);
  // Ids sort by time: each key a millisecond after the previous one.
  const records = keys.map((k, i) => keyRecord(project.id, now + i, k));
  await seed(ctx, async (tx) => {
    await tx.projects.insert(project);
    for (const record of records) await tx.keys.insert(record);
  });
  return { project, keys: records };
}
