import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";
import type { ChangeFeed } from "../changes.js";
import type { Clock } from "../clock.js";
import { type Actor, auditActor } from "../domain/access.js";
import { type AuditTarget, changeOf, type KeyChange } from "../domain/changes.js";
import type { AuditEntry } from "../domain/records.js";
import { type Repositories, repositories, type Store, TRANSACTION } from "./store.js";

/** What a unit of work's callback gets: the repositories bound to its transaction, and its audit. */
export interface WriteTx extends Omit<Repositories, "auditLog" | "changeLog"> {
  /** When the unit of work began; the audit entry carries it. */
  readonly now: number;
  /**
   * Appends the audit entry for what this unit of work did. When the action changes how keys
   * verify (`changeOf`), the change is logged in the same transaction and published to every
   * node's caches after the commit.
   */
  audit(action: string, target: AuditTarget, details?: Record<string, unknown>): Promise<AuditEntry>;
}

/** Runs `work` as one unit: all its writes, its audit entry and its change event commit together. */
export type Write = <T>(actor: Actor, work: (tx: WriteTx) => Promise<T>) => Promise<T>;

export interface UnitOfWorkDeps {
  store: Store;
  clock: Clock;
  /** Where changes are published after commit. Without one, a unit of work that announces a change fails. */
  changes?: ChangeFeed | undefined;
}

/**
 * The one write path. A feature describes what to write; the unit of work owns the transaction,
 * appends the audit entry, logs the change event and publishes it after the commit, so none of
 * them can be forgotten: a unit of work that writes without an audit entry is rolled back.
 *
 * @example
 * const write = unitOfWork({ store, clock, changes });
 * await write(ctx, async (tx) => {
 *   await tx.keys.update(next);
 *   await tx.audit("key.revoke", { type: "key", id: next.id, projectId: next.projectId });
 * });
 */
export function unitOfWork(deps: UnitOfWorkDeps): Write {
  return async (actor, work) => {
    const now = deps.clock.now();
    const announced: KeyChange[] = [];
    const result = await deps.store[TRANSACTION](async (trx) => {
      const watch = new WriteWatch();
      const { auditLog, changeLog, ...repos } = repositories({
        db: trx.withPlugin(watch),
        dialect: deps.store.dialect,
      });
      let audited = false;
      const tx: WriteTx = {
        ...repos,
        now,
        async audit(action, target, details = {}) {
          const entry = await auditLog.append(
            {
              ...auditActor(actor),
              action,
              targetType: target.type,
              targetId: target.id,
              projectId: target.projectId,
              details,
            },
            now,
          );
          audited = true;
          const change = changeOf(action, target);
          if (change) {
            if (!deps.changes)
              throw new Error(`${action} announces a change, and this unit of work has no feed`);
            await changeLog.record(change, now);
            announced.push(change);
          }
          return entry;
        },
      };
      const value = await work(tx);
      if (watch.wrote && !audited) {
        throw new Error("A unit of work wrote without an audit entry; call tx.audit() for what it did.");
      }
      return value;
    });
    for (const change of announced) await deps.changes?.publish(change);
    return result;
  };
}

/** Notes whether a transaction inserted, updated or deleted a row (an upsert that did nothing does not count). */
class WriteWatch implements KyselyPlugin {
  wrote = false;
  private readonly writes = new WeakSet<object>();

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (node.kind === "InsertQueryNode" || node.kind === "UpdateQueryNode" || node.kind === "DeleteQueryNode")
      this.writes.add(queryId);
    return node;
  }

  transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    // SQLite answers statements with `returning` as rows, without a count.
    if (this.writes.has(queryId) && (Number(result.numAffectedRows ?? 0) > 0 || result.rows.length > 0))
      this.wrote = true;
    return Promise.resolve(result);
  }
}
