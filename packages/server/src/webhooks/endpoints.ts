import { KeysmithError, newId } from "@keysmith/core";
import type { AlertEvent } from "../alerts/alerts.js";
import type { Clock } from "../clock.js";
import {
  type ActionContext,
  canSeeProject,
  decodeCursor,
  ID_CURSOR,
  requireScope,
} from "../domain/access.js";
import type { DeliveryRecord, DeliveryStatus, Page, WebhookRecord } from "../domain/records.js";
import type { Store } from "../storage/store.js";
import type { Write, WriteTx } from "../storage/unit-of-work.js";
import type { WebhookSecretBox } from "./secret-box.js";
import { generateWebhookSecret } from "./signing.js";
import { hostAllowed, PUBLIC_ONLY, type TargetPolicy } from "./target-policy.js";

export type { DeliveryRecord, WebhookRecord };

export interface CreateWebhookInput {
  url: string;
  events: AlertEvent[];
  projectId?: string | null | undefined;
  description?: string | null | undefined;
}

interface ListQuery {
  cursor?: string | undefined;
  limit: number;
}

/**
 * Webhook endpoints: created with a signing secret shown once, listed without it, deleted
 * softly (their pending deliveries are cancelled), and their delivery log. Create and delete
 * are audited in the same transaction as the change.
 */
export class WebhookService {
  constructor(
    private readonly deps: {
      store: Pick<Store, "projects" | "webhooks">;
      write: Write;
      clock: Clock;
      secrets: WebhookSecretBox;
      policy?: TargetPolicy;
    },
  ) {}

  async create(
    ctx: ActionContext,
    input: CreateWebhookInput,
  ): Promise<{ record: WebhookRecord; secret: string }> {
    requireScope(ctx.actor, "projects:write");
    const url = parseEndpointUrl(input.url, this.deps.policy ?? PUBLIC_ONLY);
    // A root key bound to a project creates endpoints for that project only.
    const projectId = input.projectId ?? ctx.actor.projectId;
    if (projectId !== null) {
      const project = await this.deps.store.projects.get(projectId);
      if (!project || !canSeeProject(ctx.actor, project.id))
        throw new KeysmithError("PROJECT_NOT_FOUND", "No such project.");
    }
    const now = this.deps.clock.now();
    const record: WebhookRecord = {
      id: newId("whk", now),
      projectId,
      url,
      events: [...new Set(input.events)],
      description: input.description ?? null,
      createdAt: now,
      deletedAt: null,
    };
    const secret = generateWebhookSecret();
    // Sealed before the transaction: a locked node answers WEBHOOK_SECRETS_LOCKED and stores nothing.
    const sealed = this.deps.secrets.seal(record.id, secret);
    await this.deps.write(ctx, async (tx) => {
      await tx.webhooks.insert(record, sealed);
      await this.audit(tx, "webhook.create", record);
    });
    return { record, secret };
  }

  async list(
    ctx: ActionContext,
    query: ListQuery & { projectId?: string | undefined },
  ): Promise<Page<WebhookRecord>> {
    requireScope(ctx.actor, "usage:read");
    const bound = ctx.actor.projectId;
    const projectId =
      bound !== null && query.projectId && query.projectId !== bound ? "-" : (bound ?? query.projectId);
    const after = decodeCursor(query.cursor, ID_CURSOR);
    return this.deps.store.webhooks.list(projectId, after, query.limit);
  }

  async get(ctx: ActionContext, id: string): Promise<WebhookRecord> {
    requireScope(ctx.actor, "usage:read");
    const record = await this.find(ctx, id);
    if (record.deletedAt !== null) throw notFound();
    return record;
  }

  /** Deletes the endpoint (softly: its delivery log stays readable) and cancels its pending deliveries. */
  async remove(ctx: ActionContext, id: string): Promise<WebhookRecord> {
    requireScope(ctx.actor, "projects:write");
    return this.deps.write(ctx, async (tx) => {
      const found = await tx.webhooks.get(id);
      if (!found || found.deletedAt !== null || !canSeeProject(ctx.actor, found.projectId)) throw notFound();
      await tx.webhooks.remove(id, tx.now);
      const deleted = { ...found, deletedAt: tx.now };
      await this.audit(tx, "webhook.delete", deleted);
      return deleted;
    });
  }

  /** The delivery log, newest first; also for a deleted endpoint. */
  async deliveries(
    ctx: ActionContext,
    id: string,
    query: ListQuery & { status?: DeliveryStatus | undefined },
  ): Promise<Page<DeliveryRecord>> {
    requireScope(ctx.actor, "usage:read");
    await this.find(ctx, id);
    const after = decodeCursor(query.cursor, ID_CURSOR);
    return this.deps.store.webhooks.deliveries(id, query.status, after, query.limit);
  }

  private async find(ctx: ActionContext, id: string): Promise<WebhookRecord> {
    const record = await this.deps.store.webhooks.get(id);
    if (!record || !canSeeProject(ctx.actor, record.projectId)) throw notFound();
    return record;
  }

  private async audit(tx: WriteTx, action: string, record: WebhookRecord): Promise<void> {
    // The origin only: some endpoint URLs carry a token in their path or query.
    const details = { origin: new URL(record.url).origin, events: record.events };
    await tx.audit(action, { type: "webhook", id: record.id, projectId: record.projectId }, details);
  }
}

/**
 * An absolute http(s) URL, normalized, without credentials (the signature authenticates a
 * delivery; a password in the URL would be one more secret stored and shown), whose host, when
 * it is a literal address or `localhost`, the target policy allows. Names are checked again on
 * their resolved address at every delivery.
 */
function parseEndpointUrl(text: string, policy: TargetPolicy): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KeysmithError("VALIDATION_ERROR", "url is not an absolute URL.", { field: "url" });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new KeysmithError("VALIDATION_ERROR", "url must use http or https.", { field: "url" });
  }
  if (url.username !== "" || url.password !== "") {
    throw new KeysmithError("WEBHOOK_URL_CREDENTIALS", undefined, { field: "url" });
  }
  if (!hostAllowed(url.hostname, policy)) {
    throw new KeysmithError("WEBHOOK_TARGET_REFUSED", undefined, { field: "url" });
  }
  return url.href;
}

const notFound = () => new KeysmithError("WEBHOOK_NOT_FOUND", "No such webhook endpoint.");
