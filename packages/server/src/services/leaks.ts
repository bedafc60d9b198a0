import { hash } from "node:crypto";
import { hashKey, parseKey } from "@keysmith/core";
import type { AlertService } from "../alerts/alerts.js";
import type { Clock } from "../clock.js";
import type { KeyRecord } from "../storage/records.js";
import type { Store } from "../storage/store.js";
import { type ActionContext, auditEntry, canSeeProject, requireScope } from "./context.js";
import type { KeyService } from "./keys.js";

/** A report of strings found somewhere public: a paste, a commit, a scanner's output. */
export interface LeakReport {
  keys: readonly string[];
  /** Who or what found them (`keysmith scan`, `github-secret-scanning`…). */
  source?: string | undefined;
  /** Where they were found. */
  url?: string | undefined;
}

/**
 * What happened to one matching key: `revoked` now, only `flagged` (the project's leakPolicy
 * is `flag`), or `already_revoked` (nothing to do, no new alert).
 */
export type LeakAction = "revoked" | "flagged" | "already_revoked";

export interface LeakOutcome {
  /** Strings received, duplicates included. */
  received: number;
  /** Distinct keys found among them (a string reported twice counts once). */
  matched: number;
  revoked: number;
  flagged: number;
  /** Distinct strings that are no keysmith key this root key can see: counted, never kept. */
  unknown: number;
  keys: { keyId: string; projectId: string; action: LeakAction }[];
}

export interface LeakServiceDeps {
  store: Pick<Store, "getKeyByHash" | "getProject" | "transaction">;
  clock: Clock;
  keys: Pick<KeyService, "revoke">;
  alerts: Pick<AlertService, "raise">;
}

// Anything shaped like a keysmith key, checksum or not, so a reporter's `source` or `url` that
// quotes one (`…?key=acme_sk_live_…`) does not carry it into the audit log or an alert.
const KEY_SHAPE = /[a-z0-9]{2,12}_(?:sk|pk|rk|root)_(?:live|test)_[0-9A-Za-z]{8,}/g;

/**
 * Leaked keys: each reported string that is a checksum-valid keysmith key of a project the
 * caller can see is revoked through the key service (so caches, the change feed and the audit
 * log follow), or only flagged when its project's `leakPolicy` is `flag`; either raises a
 * `key.leaked` alert. Anything else is counted as unknown and forgotten: no string from the
 * report is stored, logged or answered.
 *
 * @example
 * const outcome = await leaks.report(ctx, { keys: [found], source: "keysmith scan" });
 * outcome.revoked // 1
 */
export class LeakService {
  constructor(private readonly deps: LeakServiceDeps) {}

  async report(ctx: ActionContext, input: LeakReport): Promise<LeakOutcome> {
    requireScope(ctx.actor, "keys:write");
    const source = clean(input.source);
    const url = clean(input.url);
    const outcome: LeakOutcome = {
      received: input.keys.length,
      matched: 0,
      revoked: 0,
      flagged: 0,
      unknown: 0,
      keys: [],
    };
    // Held for this request only, so a string reported twice counts once.
    const seen = new Set<string>();
    for (const text of input.keys) {
      const candidate = text.trim();
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      // Only checksum-valid keys are worth a lookup; a root key is no project's key.
      const parsed = parseKey(candidate);
      const key =
        parsed && parsed.type !== "root" ? await this.deps.store.getKeyByHash(hashKey(candidate)) : null;
      // Another project's key answers like an unknown string: the caller learns nothing of it.
      if (!key || !canSeeProject(ctx.actor, key.projectId)) {
        outcome.unknown++;
        continue;
      }
      const action = await this.handle(ctx, key, { source, url });
      outcome.matched++;
      if (action === "revoked") outcome.revoked++;
      if (action === "flagged") outcome.flagged++;
      outcome.keys.push({ keyId: key.id, projectId: key.projectId, action });
    }
    return outcome;
  }

  private async handle(
    ctx: ActionContext,
    key: KeyRecord,
    where: { source: string | null; url: string | null },
  ): Promise<LeakAction> {
    if (key.revokedAt !== null) return "already_revoked";
    const project = await this.deps.store.getProject(key.projectId);
    const action = project?.settings.leakPolicy === "flag" ? "flagged" : "revoked";
    if (action === "revoked") {
      await this.deps.keys.revoke(ctx, key.id, "leaked");
    } else {
      const now = this.deps.clock.now();
      await this.deps.store.transaction(async (repo) => {
        await repo.appendAudit(
          auditEntry(ctx, "key.leak_flagged", { type: "key", id: key.id, projectId: key.projectId }, where),
          now,
        );
      });
    }
    await this.deps.alerts.raise({
      type: "key.leaked",
      projectId: key.projectId,
      keyId: key.id,
      data: { keyId: key.id, ownerId: key.ownerId, action, source: where.source, url: where.url },
      idempotencyKey: idempotencyKey(key.id, where, this.deps.clock.now()),
    });
    return action;
  }
}

/** One alert per key and place it was found; without a place, one per key per UTC day. */
function idempotencyKey(keyId: string, where: { source: string | null; url: string | null }, now: number) {
  if (where.source === null && where.url === null) {
    return `key.leaked:${keyId}:${new Date(now).toISOString().slice(0, 10)}`;
  }
  const place = hash("sha256", `${where.source ?? ""}\n${where.url ?? ""}`, "hex").slice(0, 32);
  return `key.leaked:${keyId}:${place}`;
}

function clean(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed
    ? trimmed.replace(KEY_SHAPE, (key) => `${key.slice(0, key.lastIndexOf("_") + 1)}[redacted]`)
    : null;
}
