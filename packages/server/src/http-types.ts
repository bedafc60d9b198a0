import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { Clock } from "./clock.js";
import type { ActionContext } from "./domain/access.js";
import type { RootKeyRecord } from "./domain/records.js";
import type { AuditService } from "./services/audit.js";
import type { IdentityService } from "./services/identities.js";
import type { KeyService } from "./services/keys.js";
import type { ProjectService } from "./services/projects.js";
import type { RoleService } from "./services/roles.js";
import type { RootKeyService } from "./services/root-keys.js";
import type { SecretService } from "./vault/secrets.js";
import type { Verifier } from "./verify/verifier.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated root key; set by the /v1 auth hook before any handler runs. */
    actor: RootKeyRecord | null;
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface Services {
  projects: ProjectService;
  keys: KeyService;
  rootKeys: RootKeyService;
  audit: AuditService;
  secrets: SecretService;
  identities: IdentityService;
  roles: RoleService;
  verifier: Verifier;
  clock: Clock;
}

/** The service call context for an authenticated request. */
export function contextOf(request: FastifyRequest): ActionContext {
  const actor = request.actor;
  if (!actor) throw new Error("contextOf called on an unauthenticated route");
  return { actor, requestId: request.id, sourceIp: request.ip ?? null };
}
