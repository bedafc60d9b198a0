import { type Kysely, sql, type Transaction } from "kysely";
import type { Dialect } from "./connect.js";
import { AlertRepository } from "./repositories/alerts.js";
import { type AuditReads, AuditRepository } from "./repositories/audit.js";
import { type ChangeLogReads, ChangeLogRepository } from "./repositories/changes.js";
import { type IdentityReads, IdentityRepository } from "./repositories/identities.js";
import { type KeyReads, KeyRepository } from "./repositories/keys.js";
import { MetaRepository } from "./repositories/meta.js";
import { type ProjectReader, ProjectRepository } from "./repositories/projects.js";
import {
  type RateLimitOverrideReads,
  RateLimitOverrideRepository,
} from "./repositories/ratelimit-overrides.js";
import { type RoleReads, RoleRepository } from "./repositories/roles.js";
import { type RootKeyReads, RootKeyRepository } from "./repositories/root-keys.js";
import { type SessionReads, SessionRepository } from "./repositories/sessions.js";
import type { RepositoryScope } from "./repositories/shared.js";
import { UsageRepository } from "./repositories/usage.js";
import { type VaultReads, VaultRepository } from "./repositories/vault.js";
import { type WebhookReads, WebhookRepository } from "./repositories/webhooks.js";
import type { Database } from "./schema.js";

export { isUniqueViolation } from "./repositories/shared.js";

/** Every repository, bound to one executor: what a unit of work writes through. */
export function repositories(scope: RepositoryScope) {
  return {
    meta: new MetaRepository(scope.db),
    projects: new ProjectRepository(scope.db),
    keys: new KeyRepository(scope.db),
    rootKeys: new RootKeyRepository(scope.db),
    auditLog: new AuditRepository(scope),
    changeLog: new ChangeLogRepository(scope.db),
    usage: new UsageRepository(scope.db),
    sessions: new SessionRepository(scope.db),
    webhooks: new WebhookRepository(scope),
    alerts: new AlertRepository(scope.db),
    vault: new VaultRepository(scope.db),
    ratelimitOverrides: new RateLimitOverrideRepository(scope.db),
    identities: new IdentityRepository(scope.db),
    roles: new RoleRepository(scope.db),
  };
}
export type Repositories = ReturnType<typeof repositories>;

/** Opens a transaction; only the unit of work (`unit-of-work.ts`) calls it. */
export const TRANSACTION: unique symbol = Symbol("keysmith.transaction");

/**
 * keysmith's storage: one repository per area, each a narrow interface over Kysely, on SQLite
 * or Postgres. Outside a unit of work the store offers reads, and the counters metering
 * changes atomically (credits, usage, spend, last use); every audited change goes through
 * `unitOfWork`, which owns the transaction, the audit entry and the change event.
 */
export class Store {
  readonly meta: MetaRepository;
  readonly projects: ProjectReader;
  readonly keys: KeyReads;
  readonly rootKeys: RootKeyReads;
  readonly auditLog: AuditReads;
  readonly changeLog: ChangeLogReads;
  readonly usage: UsageRepository;
  readonly sessions: SessionReads;
  readonly webhooks: WebhookReads;
  /** Raising an alert is not audited: it is system upkeep, atomic with its fan-out. */
  readonly alerts: AlertRepository;
  readonly vault: VaultReads;
  readonly ratelimitOverrides: RateLimitOverrideReads;
  readonly identities: IdentityReads;
  readonly roles: RoleReads;

  constructor(
    private readonly kysely: Kysely<Database>,
    readonly dialect: Dialect,
  ) {
    const all = repositories({ db: kysely, dialect });
    this.meta = all.meta;
    this.projects = all.projects;
    this.keys = all.keys;
    this.rootKeys = all.rootKeys;
    this.auditLog = all.auditLog;
    this.changeLog = all.changeLog;
    this.usage = all.usage;
    this.sessions = all.sessions;
    this.webhooks = all.webhooks;
    this.alerts = all.alerts;
    this.vault = all.vault;
    this.ratelimitOverrides = all.ratelimitOverrides;
    this.identities = all.identities;
    this.roles = all.roles;
  }

  /** Runs `work` in one transaction. Features never call this: they write through `unitOfWork`. */
  [TRANSACTION]<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.kysely.transaction().execute(work);
  }

  /** True when the database answers a trivial query. */
  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.kysely);
      return true;
    } catch {
      return false;
    }
  }

  /** The connection pool, for migrations and the storage areas not yet behind a repository. */
  get database(): Kysely<Database> {
    return this.kysely;
  }

  close(): Promise<void> {
    return this.kysely.destroy();
  }
}
