import { type ActionContext, decodeCursor, requireScope, SEQ_CURSOR } from "../domain/access.js";
import { type ChainReport, verifyAuditChain } from "../domain/audit-chain.js";
import type { AuditEntry, AuditFilter, Page } from "../domain/records.js";
import type { ServiceDeps } from "./context.js";

/** Reads of the append-only audit log. Writes happen inside each action's own transaction. */
export class AuditService {
  constructor(private readonly deps: ServiceDeps) {}

  list(
    ctx: ActionContext,
    filter: AuditFilter,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<AuditEntry>> {
    requireScope(ctx.actor, "audit:read");
    const scoped: AuditFilter =
      ctx.actor.projectId === null
        ? filter
        : {
            ...filter,
            projectId:
              filter.projectId && filter.projectId !== ctx.actor.projectId ? "-" : ctx.actor.projectId,
          };
    const before = decodeCursor(cursor, SEQ_CURSOR);
    return this.deps.store.auditLog.list(scoped, before === null ? null : Number(before), limit);
  }

  verify(ctx: ActionContext): Promise<ChainReport> {
    requireScope(ctx.actor, "audit:read");
    return verifyAuditChain((after, limit) => this.deps.store.auditLog.chainPage(after, limit));
  }
}
