import { randomBytes } from "node:crypto";
import { type AlertEvent, newId } from "@keysmith/core";
import type { AlertRecord, SessionRecord, WebhookRecord } from "../../domain/records.js";
import { projectRecord, rootKeyRecord, seed } from "./fixtures.js";
import type { RepositoryContext } from "./harness.js";

const HOUR = 3_600_000;

export function sessionRecord(
  rootKeyId: string,
  now: number,
  overrides: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    idHash: randomBytes(32).toString("hex"),
    rootKeyId,
    csrfHash: "c".repeat(64),
    createdAt: now,
    expiresAt: now + 12 * HOUR,
    maxExpiresAt: now + 7 * 24 * HOUR,
    ...overrides,
  };
}

export function webhookRecord(now: number, overrides: Partial<WebhookRecord> = {}): WebhookRecord {
  return {
    id: newId("whk", now),
    projectId: null,
    url: "https://hooks.example.com/in?token=t",
    events: ["key.anomaly", "key.revoked"],
    description: "ops",
    createdAt: now,
    deletedAt: null,
    ...overrides,
  };
}

export function alertRecord(now: number, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: newId("evt", now),
    type: "key.anomaly",
    projectId: null,
    keyId: null,
    data: { rate: 12.5, nested: { list: [1, 2] } },
    createdAt: now,
    ...overrides,
  };
}

/** A root key to hang sessions on (a session names one). */
export async function sessionOwner(ctx: RepositoryContext): Promise<string> {
  const root = rootKeyRecord(ctx.clock.now());
  await seed(ctx, (tx) => tx.rootKeys.insert(root));
  return root.id;
}

/**
 * A project, and endpoints written in one unit, each a millisecond after the previous one:
 * those with `inProject` belong to the project, the others to no project (they see all).
 */
export async function endpoints(
  ctx: RepositoryContext,
  list: (Partial<WebhookRecord> & { inProject?: boolean })[],
): Promise<{ projectId: string; webhooks: WebhookRecord[] }> {
  const now = ctx.clock.now();
  const project = projectRecord(now);
  const webhooks = list.map(({ inProject, ...w }, i) =>
    webhookRecord(now + i, { ...w, projectId: inProject ? project.id : null }),
  );
  await seed(ctx, async (tx) => {
    await tx.projects.insert(project);
    for (const webhook of webhooks) await tx.webhooks.insert(webhook, sealedFor(webhook.id));
  });
  return { projectId: project.id, webhooks };
}

/** What the fixtures store as an endpoint's sealed secret. */
export const sealedFor = (webhookId: string): string => `sealed:1:${webhookId}`;

/** Raises an alert of `type` (of every project when `projectId` is null), answering its id. */
export async function raised(
  ctx: RepositoryContext,
  type: AlertEvent,
  projectId: string | null,
  key: string,
): Promise<string> {
  const alert = alertRecord(ctx.clock.now(), { type, projectId });
  const queued = await ctx.store.alerts.raise(alert, key);
  if (queued === null) throw new Error(`${key} was raised before`);
  return alert.id;
}
