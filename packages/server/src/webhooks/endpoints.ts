import { KeysmithError, newId } from "@keysmith/core";
import type { Selectable, Transaction } from "kysely";
import type { AlertEvent } from "../alerts/alerts.js";
import type { Clock } from "../clock.js";
import {
  type ActionContext,
  auditEntry,
  canSeeProject,
  decodeCursor,
  ID_CURSOR,
  requireScope,
} from "../services/context.js";
import type { Page } from "../storage/records.js";
import type { Database, WebhooksTable } from "../storage/schema.js";
import { Repo, type Store } from "../storage/store.js";
import type { DeliveryStatus } from "./dispatcher.js";
import type { WebhookSecretBox } from "./secret-box.js";
import { generateWebhookSecret } from "./signing.js";
import { hostAllowed, PUBLIC_ONLY, type TargetPolicy } from "./target-policy.js";

export interface WebhookRecord {
  id: string;
  projectId: string | null;
  url: string;
  events: AlertEvent[];
  description: string | null;
  createdAt: number;
  deletedAt: number | null;
}

export interface CreateWebhookInput {
  url: string;
  events: AlertEvent[];
  projectId?: string | null | undefined;
  description?: string | null | undefined;
}

export interface DeliveryRecord {
  id: string;
  webhookId: string;
  alertId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  responseStatus: number | null;
  error: string | null;
  createdAt: number;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
  /** When the next attempt is due; null unless pending. */
  nextAttemptAt: number | null;
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
    private readonly deps: { store: Store; clock: Clock; secrets: WebhookSecretBox; policy?: TargetPolicy },
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
      const project = await this.deps.store.getProject(projectId);
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
    await this.inTransaction(async (trx, repo) => {
      await trx
        .insertInto("webhooks")
        .values({
          id: record.id,
          project_id: record.projectId,
          url: record.url,
          events: JSON.stringify(record.events),
          secret: sealed,
          description: record.description,
          created_at: now,
          deleted_at: null,
        })
        .execute();
      await this.audit(repo, ctx, "webhook.create", record);
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
    let select = this.deps.store.database
      .selectFrom("webhooks")
      .selectAll()
      .where("deleted_at", "is", null)
      .orderBy("id", "desc")
      .limit(query.limit + 1);
    if (projectId) select = select.where("project_id", "=", projectId);
    if (after) select = select.where("id", "<", after);
    return page((await select.execute()).map(toWebhook), query.limit);
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
    const now = this.deps.clock.now();
    return this.inTransaction(async (trx, repo) => {
      const row = await trx.selectFrom("webhooks").selectAll().where("id", "=", id).executeTakeFirst();
      const found = row ? toWebhook(row) : null;
      if (!found || found.deletedAt !== null || !canSeeProject(ctx.actor, found.projectId)) throw notFound();
      await trx.updateTable("webhooks").set({ deleted_at: now }).where("id", "=", id).execute();
      await trx
        .updateTable("webhook_deliveries")
        .set({ status: "cancelled", locked_until: null })
        .where("webhook_id", "=", id)
        .where("status", "=", "pending")
        .execute();
      const deleted = { ...found, deletedAt: now };
      await this.audit(repo, ctx, "webhook.delete", deleted);
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
    let select = this.deps.store.database
      .selectFrom("webhook_deliveries as d")
      .innerJoin("alerts as a", "a.id", "d.alert_id")
      .selectAll("d")
      .select("a.type")
      .where("d.webhook_id", "=", id)
      .orderBy("d.id", "desc")
      .limit(query.limit + 1);
    if (query.status) select = select.where("d.status", "=", query.status);
    if (after) select = select.where("d.id", "<", after);
    const rows = await select.execute();
    return page(
      rows.map((row) => ({
        id: row.id,
        webhookId: row.webhook_id,
        alertId: row.alert_id,
        eventType: row.type,
        status: row.status as DeliveryStatus,
        attempts: row.attempts,
        responseStatus: row.response_status,
        error: row.error,
        createdAt: row.created_at,
        lastAttemptAt: row.last_attempt_at,
        deliveredAt: row.delivered_at,
        nextAttemptAt: row.status === "pending" ? row.next_attempt_at : null,
      })),
      query.limit,
    );
  }

  private async find(ctx: ActionContext, id: string): Promise<WebhookRecord> {
    const row = await this.deps.store.database
      .selectFrom("webhooks")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row || !canSeeProject(ctx.actor, row.project_id)) throw notFound();
    return toWebhook(row);
  }

  /** A Kysely transaction plus a `Repo` on it, so webhook rows and the audit entry commit together. */
  private inTransaction<T>(work: (trx: Transaction<Database>, repo: Repo) => Promise<T>): Promise<T> {
    const { store } = this.deps;
    return store.database.transaction().execute((trx) => work(trx, new Repo(trx, store.dialect)));
  }

  private async audit(repo: Repo, ctx: ActionContext, action: string, record: WebhookRecord): Promise<void> {
    const now = this.deps.clock.now();
    // The origin only: some endpoint URLs carry a token in their path or query.
    const details = { origin: new URL(record.url).origin, events: record.events };
    await repo.appendAudit(
      auditEntry(ctx, action, { type: "webhook", id: record.id, projectId: record.projectId }, details),
      now,
    );
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

function toWebhook(row: Selectable<WebhooksTable>): WebhookRecord {
  return {
    id: row.id,
    projectId: row.project_id,
    url: row.url,
    events: JSON.parse(row.events) as AlertEvent[],
    description: row.description,
    createdAt: row.created_at,
    deletedAt: row.deleted_at,
  };
}

function page<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows, next: null };
  const items = rows.slice(0, limit);
  return { items, next: items[items.length - 1]?.id ?? null };
}
