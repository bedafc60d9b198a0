import { hash } from "node:crypto";
import { hashKey, parseKey } from "@keysmith/core";
import type { AlertService, RaiseAlertInput } from "../alerts/alerts.js";
import type { Clock } from "../clock.js";
import { type ActionContext, canSeeProject, hasScope, requireScope } from "../domain/access.js";
import type { KeyRecord, RootKeyRecord } from "../domain/records.js";
import type { Store } from "../storage/store.js";
import type { Write } from "../storage/unit-of-work.js";
import type { KeyService } from "./keys.js";
import { revokeRootKeyTree } from "./root-keys.js";

/** A report of strings found somewhere public: a paste, a commit, a scanner's output. */
export interface LeakReport {
  keys: readonly string[];
  /** Who or what found them (`keysmith scan`, `github-secret-scanning`…). */
  source?: string | undefined;
  /** Where they were found. */
  url?: string | undefined;
}

/**
 * What happened to one key the caller may manage: `revoked` now, or only `flagged` (its
 * project's leakPolicy is `flag`). Keys already revoked, keys out of the caller's reach and
 * strings that are no key are all counted as `unknown`, alike.
 */
export type LeakAction = "revoked" | "flagged";

export interface LeakOutcome {
  /** Strings received, duplicates included. */
  received: number;
  /** Distinct live keys the caller may manage found among them (a string reported twice counts once). */
  matched: number;
  revoked: number;
  flagged: number;
  /** Everything else, counted and never kept: no key, a revoked key, a key out of reach. */
  unknown: number;
  keys: { keyId: string; projectId: string | null; action: LeakAction }[];
}

export interface LeakServiceDeps {
  store: Pick<Store, "keys" | "rootKeys" | "projects">;
  write: Write;
  clock: Clock;
  keys: Pick<KeyService, "revoke">;
  alerts: Pick<AlertService, "raise" | "raiseLater">;
}

// Anything shaped like a keysmith key, checksum or not, so a reporter's `source` or `url` that
// quotes one (`…?key=acme_sk_live_…`) does not carry it into the audit log or an alert.
const KEY_SHAPE = /[a-z0-9]{2,12}_(?:sk|pk|rk|root)_(?:live|test)_[0-9A-Za-z]{8,}/g;

type Where = { source: string | null; url: string | null };
type Found = { kind: "key"; record: KeyRecord } | { kind: "root_key"; record: RootKeyRecord };

/**
 * Leaked keys. Each reported string that is a live, checksum-valid keysmith key the caller may
 * manage is revoked (customers' keys: or only flagged, by their project's `leakPolicy`; root
 * keys always, with the root keys they created) and raises `key.leaked`. A live key out of the
 * caller's reach is left alone but reported to its owners (an alert and an audit entry), after
 * the answer. The answer is no oracle: a string that is no key, a revoked key and a key out of
 * reach all count as `unknown`. No reported string is stored, logged or answered.
 *
 * @example
 * const outcome = await leaks.report(ctx, { keys: [found], source: "keysmith scan" });
 * outcome.revoked // 1
 */
export class LeakService {
  constructor(private readonly deps: LeakServiceDeps) {}

  async report(ctx: ActionContext, input: LeakReport): Promise<LeakOutcome> {
    requireScope(ctx.actor, "keys:write");
    const where = { source: clean(input.source), url: clean(input.url) };
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
      const found = await this.find(candidate);
      if (found === null || found.record.revokedAt !== null) {
        outcome.unknown++;
        continue;
      }
      if (!this.mayManage(ctx, found)) {
        outcome.unknown++;
        this.reportToOwners(ctx, found, where);
        continue;
      }
      const action = await this.handle(ctx, found, where);
      outcome.matched++;
      if (action === "revoked") outcome.revoked++;
      else outcome.flagged++;
      outcome.keys.push({ keyId: found.record.id, projectId: found.record.projectId, action });
    }
    return outcome;
  }

  /**
   * A report from a trusted partner (GitHub's secret scanning): every live keysmith key among the
   * tokens is handled as a leak, whatever its project; the answer labels each token a true or a
   * false positive by its SHA-256, never echoing it.
   *
   * @example await leaks.partnerReport(ctx, [{ token, type, url }], "github-secret-scanning")
   */
  async partnerReport(
    ctx: ActionContext,
    matches: readonly { token: string; type: string; url?: string | undefined }[],
    source: string,
  ): Promise<{ tokenHash: string; tokenType: string; truePositive: boolean }[]> {
    const labels = [];
    for (const match of matches) {
      const found = await this.find(match.token.trim());
      if (found !== null && found.record.revokedAt === null) {
        await this.handle(ctx, found, { source, url: clean(match.url) });
      }
      labels.push({
        tokenHash: hash("sha256", match.token, "hex"),
        tokenType: match.type,
        truePositive: found !== null,
      });
    }
    return labels;
  }

  private handle(ctx: ActionContext, found: Found, where: Where): Promise<LeakAction> {
    return found.kind === "key"
      ? this.handleKey(ctx, found.record, where)
      : this.handleRootKey(ctx, found.record, where);
  }

  /** Only checksum-valid keys are worth a lookup. */
  private async find(candidate: string): Promise<Found | null> {
    const parsed = parseKey(candidate);
    if (!parsed) return null;
    const hash = hashKey(candidate);
    if (parsed.type === "root") {
      const record = await this.deps.store.rootKeys.getByHash(hash);
      return record ? { kind: "root_key", record } : null;
    }
    const record = await this.deps.store.keys.getByHash(hash);
    return record ? { kind: "key", record } : null;
  }

  /** A customer's key of a project the caller is bound to; a root key the caller could revoke (admin, within its binding). */
  private mayManage(ctx: ActionContext, found: Found): boolean {
    if (found.kind === "key") return canSeeProject(ctx.actor, found.record.projectId);
    return hasScope(ctx.actor, "admin") && canSeeProject(ctx.actor, found.record.projectId);
  }

  private async handleKey(ctx: ActionContext, key: KeyRecord, where: Where): Promise<LeakAction> {
    const project = await this.deps.store.projects.get(key.projectId);
    const action = project?.settings.leakPolicy === "flag" ? "flagged" : "revoked";
    if (action === "revoked") {
      await this.deps.keys.revoke(ctx, key.id, "leaked");
    } else {
      await this.deps.write(ctx, (tx) =>
        tx.audit("key.leak_flagged", { type: "key", id: key.id, projectId: key.projectId }, where),
      );
    }
    await this.deps.alerts.raise(leakAlert(key, action, where, this.deps.clock.now()));
    return action;
  }

  /**
   * A leaked root key is always revoked, whatever the project's leakPolicy (which spares
   * customers' integrations; a management credential has none), with the root keys it created.
   */
  private async handleRootKey(ctx: ActionContext, root: RootKeyRecord, where: Where): Promise<LeakAction> {
    const now = this.deps.clock.now();
    await this.deps.write(ctx, (tx) => revokeRootKeyTree(tx, root, "leaked"));
    await this.deps.alerts.raise(leakAlert(root, "revoked", where, now));
    return "revoked";
  }

  /** For a key the caller cannot touch: its owners hear of it (audit and alert), after the answer. */
  private reportToOwners(ctx: ActionContext, found: Found, where: Where): void {
    const { record } = found;
    const now = this.deps.clock.now();
    const recorded = this.deps
      .write(ctx, (tx) =>
        tx.audit(
          "key.leak_reported",
          { type: found.kind, id: record.id, projectId: record.projectId },
          where,
        ),
      )
      .then(() => leakAlert(record, "reported", where, now));
    this.deps.alerts.raiseLater(recorded);
  }
}

function leakAlert(
  record: KeyRecord | RootKeyRecord,
  action: LeakAction | "reported",
  where: Where,
  now: number,
): RaiseAlertInput {
  const ownerId = "ownerId" in record ? record.ownerId : null;
  return {
    type: "key.leaked",
    projectId: record.projectId,
    keyId: record.id,
    data: { keyId: record.id, ownerId, action, source: where.source, url: where.url },
    idempotencyKey: idempotencyKey(
      `${record.id}:${action === "reported" ? "reported" : "handled"}`,
      where,
      now,
    ),
  };
}

/** One alert per key and place it was found; without a place, one per key per UTC day. */
function idempotencyKey(keyId: string, where: Where, now: number) {
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
