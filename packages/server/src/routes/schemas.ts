import {
  DURATION_PATTERN,
  ERROR_CODES,
  type ErrorCode,
  MAX_DURATION_MS,
  MAX_META_BYTES,
  MAX_META_DEPTH,
  MAX_PERMISSION_QUERY_LENGTH,
  VERIFY_CODES,
} from "@keysmith/core";
import { type Static, type TSchema, Type } from "typebox";
import { ROOT_SCOPES } from "../domain/access.js";
import { ORIGIN_PATTERN } from "../domain/origins.js";
import { VAULT_ENVIRONMENT_PATTERN } from "../vault/names.js";

// Nullable primitives are written as JSON Schema type arrays (`["string", "null"]`) rather than
// anyOf: OpenAPI 3.1 reads them, and fast-json-stringify compiles them without trying branches.
function NullableString(options: Record<string, unknown> = {}) {
  return Type.Unsafe<string | null>({ type: ["string", "null"], ...options });
}
function NullableInteger(options: Record<string, unknown> = {}) {
  return Type.Unsafe<number | null>({ type: ["integer", "null"], ...options });
}
function NullableArray<T extends TSchema>(items: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<Static<T>[] | null>({ type: ["array", "null"], items, ...options });
}
const NullableObject = (description: string) =>
  Type.Unsafe<Record<string, unknown> | null>({
    type: ["object", "null"],
    additionalProperties: true,
    description,
  });

export const Id = (prefix: string) => Type.String({ pattern: `^${prefix}_[0-9A-Za-z]{22}$`, maxLength: 64 });
const Timestamp = Type.String({ format: "date-time" });
const NullableTimestamp = NullableString({ format: "date-time" });
const Scope = Type.String({ pattern: "^(\\*|[A-Za-z0-9_.-]+)(:(\\*|[A-Za-z0-9_.-]+))*$", maxLength: 128 });
const Scopes = Type.Array(Scope, { maxItems: 100 });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const OwnerId = Type.String({ minLength: 1, maxLength: 200 });
const Origin = Type.String({ pattern: ORIGIN_PATTERN.source, maxLength: 300 });
// Checked (standard forms only, INVALID_IP with details.field) and normalized by the key service.
const IpRange = Type.String({ minLength: 2, maxLength: 64 });
const KeyTypeSchema = Type.Union([
  Type.Literal("secret"),
  Type.Literal("publishable"),
  Type.Literal("restricted"),
]);
const EnvironmentSchema = Type.Union([Type.Literal("live"), Type.Literal("test")]);
const KeyStatusSchema = Type.Union([
  Type.Literal("active"),
  Type.Literal("revoked"),
  Type.Literal("expired"),
  Type.Literal("disabled"),
]);
/** `30s`, `15m`, `24h`, `7d` or integer milliseconds; at most 10 years (`x-duration`, INVALID_DURATION). */
export const DurationSchema = Type.Union(
  [Type.String({ pattern: DURATION_PATTERN }), Type.Integer({ minimum: 0 })],
  { "x-duration": true, description: `At most 10 years (${MAX_DURATION_MS} ms)` },
);

/** Free JSON a caller attaches (`meta`): at most 8 levels deep and 64 KiB serialized. */
export const MetaSchema = Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), {
  "x-meta-depth": MAX_META_DEPTH,
  "x-meta-bytes": MAX_META_BYTES,
  description: `Your JSON: at most ${MAX_META_DEPTH} levels deep and ${MAX_META_BYTES / 1024} KiB`,
});

// ── metering ──────────────────────────────────────────────────────────────────────────────
const RateLimitSpecSchema = Type.Object(
  {
    name: Type.String({ pattern: "^[A-Za-z0-9_.-]{1,40}$" }),
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
    duration: DurationSchema,
  },
  { additionalProperties: false },
);
const RateLimitSpecs = Type.Array(RateLimitSpecSchema, { maxItems: 10 });
const PeriodSchema = Type.Union([Type.Literal("day"), Type.Literal("month")]);
const BudgetInput = Type.Object(
  {
    limit: Type.Number({ exclusiveMinimum: 0, maximum: 1e15 }),
    period: Type.Optional(PeriodSchema),
    thresholds: Type.Optional(
      Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 1 }), { minItems: 1, maxItems: 10 }),
    ),
    hardCap: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const BudgetOutput = Type.Object({
  limit: Type.Number(),
  period: Type.String(),
  thresholds: Type.Array(Type.Number()),
  hardCap: Type.Boolean(),
});
const RefillSchema = Type.Object(
  { amount: Type.Number({ minimum: 0, maximum: 1e15 }), interval: PeriodSchema },
  { additionalProperties: false },
);
const CreditsInput = Type.Object(
  {
    remaining: Type.Number({ minimum: 0, maximum: 1e15 }),
    refill: Type.Optional(Type.Union([RefillSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
const CreditsOutput = Type.Object({
  remaining: Type.Number(),
  refill: Type.Union([Type.Object({ amount: Type.Number(), interval: Type.String() }), Type.Null()]),
});
const RateLimitOutput = Type.Object({
  name: Type.String(),
  limit: Type.Integer(),
  duration: Type.Union([Type.String(), Type.Integer()]),
});
const CostTable = Type.Record(Type.String({ maxLength: 128 }), Type.Number({ minimum: 0, maximum: 1e12 }), {
  maxProperties: 200,
});
const AnomalyPolicy = Type.Union([Type.Literal("alert"), Type.Literal("disable")]);
const LeakPolicy = Type.Union([Type.Literal("revoke"), Type.Literal("flag")]);

const errorBody = (codes: readonly ErrorCode[], description: string) =>
  Type.Object({
    error: Type.Object({
      code: Type.Unsafe<ErrorCode>({ type: "string", enum: [...codes], description }),
      message: Type.String(),
      requestId: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  });

/** The body of every error answer; `code` lists the whole registry (packages/core/src/errors.ts). */
export const ErrorResponse = errorBody(
  ERROR_CODES,
  "A stable machine code: match on it, not on message. docs/errors.md gives each one's cause and fix.",
);

/** An error answer that names the only codes a route can give for one status: `404: ErrorOf("KEY_NOT_FOUND")`. */
export const ErrorOf = (...codes: ErrorCode[]) =>
  errorBody(codes, `One of ${codes.join(", ")}; docs/errors.md gives each one's cause and fix.`);

/** `{ data, nextCursor }`, the shape of every list. */
export const ListOf = <T extends TSchema>(item: T) =>
  Type.Object({ data: Type.Array(item), nextCursor: NullableString() });

export const ListQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

export const IdParams = (prefix: string) => Type.Object({ id: Id(prefix) }, { additionalProperties: false });

// ── projects ──────────────────────────────────────────────────────────────────────────────
export const Project = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String(),
  publishableScopes: Type.Array(Type.String()),
  defaultRatelimits: Type.Union([Type.Array(RateLimitOutput), Type.Null()]),
  costTable: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()]),
  budget: Type.Union([BudgetOutput, Type.Null()]),
  anomalyPolicy: Type.String(),
  leakPolicy: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ProjectCreate = Type.Object(
  {
    name: Name,
    prefix: Type.String({ pattern: "^[a-z0-9]{2,12}$", description: "2–12 of [a-z0-9]; ks is reserved" }),
    publishableScopes: Type.Optional(Scopes),
    ...projectSettings(),
  },
  { additionalProperties: false },
);

export const ProjectPatch = Type.Object(
  { name: Type.Optional(Name), publishableScopes: Type.Optional(Scopes), ...projectSettings() },
  { additionalProperties: false, minProperties: 1 },
);

function projectSettings() {
  return {
    defaultRatelimits: Type.Optional(Type.Union([RateLimitSpecs, Type.Null()])),
    costTable: Type.Optional(Type.Union([CostTable, Type.Null()])),
    budget: Type.Optional(Type.Union([BudgetInput, Type.Null()])),
    anomalyPolicy: Type.Optional(AnomalyPolicy),
    leakPolicy: Type.Optional(LeakPolicy),
  };
}

// ── keys ──────────────────────────────────────────────────────────────────────────────────
export const Key = Type.Object({
  id: Type.String(),
  projectId: Type.String(),
  type: KeyTypeSchema,
  environment: EnvironmentSchema,
  status: KeyStatusSchema,
  start: Type.String({ description: "The key's visible start, e.g. acme_sk_live_3fTz" }),
  last4: Type.String(),
  ownerId: NullableString(),
  name: NullableString(),
  scopes: Type.Array(Type.String()),
  meta: NullableObject("Your JSON, returned on every verification"),
  allowedOrigins: NullableArray(Type.String()),
  allowedIps: NullableArray(Type.String()),
  enabled: Type.Boolean(),
  expiresAt: NullableTimestamp,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastUsedAt: NullableTimestamp,
  revokedAt: NullableTimestamp,
  rolledFrom: NullableString(),
  rolledTo: NullableString(),
  ratelimits: Type.Union([Type.Array(RateLimitOutput), Type.Null()]),
  credits: Type.Union([CreditsOutput, Type.Null()]),
  budget: Type.Union([BudgetOutput, Type.Null()]),
  roles: Type.Array(Type.String(), { description: "The names of the roles the key holds" }),
});

export const IssuedKeyResponse = Type.Intersect([
  Type.Object({ key: Type.String({ description: "The plaintext key. Shown this once; store it now." }) }),
  Key,
]);

const keySettings = {
  ownerId: Type.Optional(Type.Union([OwnerId, Type.Null()])),
  name: Type.Optional(Type.Union([Name, Type.Null()])),
  scopes: Type.Optional(Scopes),
  meta: Type.Optional(Type.Union([MetaSchema, Type.Null()])),
  expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
  enabled: Type.Optional(Type.Boolean()),
  allowedOrigins: Type.Optional(Type.Union([Type.Array(Origin, { maxItems: 50 }), Type.Null()])),
  allowedIps: Type.Optional(Type.Union([Type.Array(IpRange, { maxItems: 100 }), Type.Null()])),
  ratelimits: Type.Optional(Type.Union([RateLimitSpecs, Type.Null()])),
  credits: Type.Optional(Type.Union([CreditsInput, Type.Null()])),
  budget: Type.Optional(Type.Union([BudgetInput, Type.Null()])),
  roles: Type.Optional(
    Type.Array(RoleName(), { maxItems: 50, description: "Names of the project's roles the key holds" }),
  ),
};

export const CreditsOperation = Type.Object(
  {
    op: Type.Union([Type.Literal("set"), Type.Literal("increment"), Type.Literal("decrement")]),
    amount: Type.Number({ minimum: 0, maximum: 1e15 }),
  },
  { additionalProperties: false },
);

export const CreditsBalance = Type.Object({ remaining: Type.Number() });

export const KeyCreate = Type.Object(
  {
    projectId: Type.Optional(Id("proj")),
    type: Type.Optional(KeyTypeSchema),
    environment: Type.Optional(EnvironmentSchema),
    ...keySettings,
  },
  { additionalProperties: false },
);

export const KeyImport = Type.Object(
  {
    projectId: Id("proj"),
    keys: Type.Array(
      Type.Object(
        {
          hash: Type.String({ pattern: "^[0-9a-fA-F]{64}$", description: "SHA-256 (hex) of the plaintext" }),
          start: Type.Optional(
            Type.String({ maxLength: 32, description: "The plaintext's first characters, for display" }),
          ),
          ownerId: Type.Optional(Type.Union([OwnerId, Type.Null()])),
          type: KeyTypeSchema,
          environment: EnvironmentSchema,
          scopes: Type.Optional(Scopes),
          name: Type.Optional(Type.Union([Name, Type.Null()])),
          meta: Type.Optional(Type.Union([MetaSchema, Type.Null()])),
          expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

export const KeyImportResponse = Type.Object({
  imported: Type.Integer({ description: "Keys new to keysmith; a hash imported before counts once" }),
  ids: Type.Array(Type.String(), { description: "Each row's key id, in order" }),
});

export const KeyPatch = Type.Object(keySettings, { additionalProperties: false, minProperties: 1 });

export const KeyListQuery = Type.Object(
  {
    projectId: Type.Optional(Id("proj")),
    ownerId: Type.Optional(OwnerId),
    environment: Type.Optional(EnvironmentSchema),
    type: Type.Optional(KeyTypeSchema),
    status: Type.Optional(KeyStatusSchema),
    ...ListQuery,
  },
  { additionalProperties: false },
);

export const RollBody = Type.Object(
  {
    gracePeriod: Type.Optional(DurationSchema),
  },
  { additionalProperties: false },
);

export const RevokeBody = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const RolledKeyResponse = Type.Intersect([IssuedKeyResponse, Type.Object({ previous: Key })]);

// ── verify ────────────────────────────────────────────────────────────────────────────────
export const VerifyBody = Type.Object(
  {
    key: Type.String({ maxLength: 512 }),
    scopes: Type.Optional(Type.Union([Scope, Type.Array(Scope, { maxItems: 100 })])),
    // Parsed by the `x-permission-query` keyword (INVALID_PERMISSION_QUERY, with the position).
    permissions: Type.Optional(
      Type.String({
        maxLength: MAX_PERMISSION_QUERY_LENGTH,
        "x-permission-query": true,
        description:
          "A boolean query over scopes: AND, OR (uppercase; AND binds tighter) and parentheses, at most 32 deep, e.g. `invoices:read AND (refunds:write OR billing:*)`. Each scope is checked like `scopes`; the key must satisfy the query (else INSUFFICIENT_SCOPE) and hold every one of `scopes` too.",
      }),
    ),
    cost: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000_000 })),
    environment: Type.Optional(EnvironmentSchema),
    origin: Type.Optional(Type.String({ maxLength: 300 })),
    ip: Type.Optional(Type.String({ format: "ip", maxLength: 64 })),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
        maxItems: 10,
        description: "Labels this call's usage is split by (`GET /v1/usage?tag=`)",
      }),
    ),
  },
  { additionalProperties: false },
);

export const VerifyResponse = Type.Object({
  valid: Type.Boolean(),
  code: Type.Union(VERIFY_CODES.map((c) => Type.Literal(c))),
  keyId: NullableString(),
  ownerId: NullableString(),
  projectId: NullableString(),
  type: NullableString(),
  environment: NullableString(),
  scopes: Type.Array(Type.String()),
  meta: NullableObject("The key's meta"),
  expiresAt: NullableTimestamp,
  ratelimits: Type.Array(
    Type.Object({
      name: Type.String(),
      limit: Type.Integer(),
      remaining: Type.Union([Type.Integer(), Type.Null()], {
        description: "Null when the rate-limit store was unreachable and nothing was counted (see degraded)",
      }),
      reset: Timestamp,
    }),
  ),
  credits: Type.Union([Type.Object({ remaining: Type.Number() }), Type.Null()]),
  budget: Type.Union([
    Type.Object({ spent: Type.Number(), limit: Type.Number(), period: Type.String(), resetAt: Timestamp }),
    Type.Null(),
  ]),
  degraded: Type.Optional(
    Type.Literal(true, {
      description:
        "Present when part of the answer was not checked: the rate-limit store (Redis) was unreachable and KEYSMITH_RATE_LIMIT_FAILURE_MODE decided",
    }),
  ),
  identity: Type.Union([
    Type.Object({
      id: Type.String(),
      externalId: Type.String(),
      meta: NullableObject("The identity's meta"),
      ratelimits: Type.Array(RateLimitOutput, { description: "The limits every key of the identity shares" }),
    }),
    Type.Null(),
  ]),
  roles: Type.Array(Type.String(), { description: "The roles the key holds; their scopes are in scopes" }),
});

// ── root keys ─────────────────────────────────────────────────────────────────────────────
const RootScopeSchema = Type.Union(ROOT_SCOPES.map((s) => Type.Literal(s)));

export const RootKey = Type.Object({
  id: Type.String(),
  projectId: NullableString(),
  name: NullableString(),
  start: Type.String(),
  last4: Type.String(),
  scopes: Type.Array(Type.String()),
  status: Type.Union([Type.Literal("active"), Type.Literal("revoked"), Type.Literal("expired")]),
  expiresAt: NullableTimestamp,
  createdAt: Timestamp,
  createdBy: NullableString(),
  revokedAt: NullableTimestamp,
  lastUsedAt: NullableTimestamp,
  environments: NullableArray(Type.String(), {
    description: "The vault environments this key may touch; null for all",
  }),
});

export const RootKeyCreate = Type.Object(
  {
    projectId: Type.Optional(Type.Union([Id("proj"), Type.Null()])),
    scopes: Type.Array(RootScopeSchema, { minItems: 1, maxItems: ROOT_SCOPES.length }),
    name: Type.Optional(Type.Union([Name, Type.Null()])),
    expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    environments: Type.Optional(
      Type.Union([
        Type.Array(Type.String({ pattern: VAULT_ENVIRONMENT_PATTERN }), { minItems: 1, maxItems: 50 }),
        Type.Null(),
      ]),
    ),
  },
  { additionalProperties: false },
);

export const IssuedRootKeyResponse = Type.Intersect([Type.Object({ key: Type.String() }), RootKey]);

// ── audit ─────────────────────────────────────────────────────────────────────────────────
export const AuditEntrySchema = Type.Object({
  id: Type.String(),
  seq: Type.Integer(),
  at: Timestamp,
  actorType: Type.String(),
  actorId: NullableString(),
  action: Type.String(),
  targetType: NullableString(),
  targetId: NullableString(),
  projectId: NullableString(),
  requestId: NullableString(),
  sourceIp: NullableString(),
  details: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Type.String(),
  hash: Type.String(),
});

export const AuditQuery = Type.Object(
  {
    projectId: Type.Optional(Id("proj")),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    actorId: Type.Optional(Type.String({ maxLength: 64 })),
    targetId: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    ...ListQuery,
  },
  { additionalProperties: false },
);

export const AuditVerifyResponse = Type.Object({
  valid: Type.Boolean(),
  checked: Type.Integer(),
  brokenAt: NullableInteger(),
  reason: NullableString(),
  headHash: Type.String(),
});

// ── identities and roles (SPEC §10) ───────────────────────────────────────────────────────
function RoleName() {
  return Type.String({ pattern: "^[A-Za-z0-9_.:-]{1,64}$", description: "1–64 of [A-Za-z0-9_.:-]" });
}
const ExternalId = Type.String({
  minLength: 1,
  maxLength: 200,
  description: "The ownerId of the identity's keys",
});

export const Identity = Type.Object({
  id: Type.String(),
  projectId: Type.String(),
  externalId: Type.String(),
  meta: NullableObject("Your JSON, returned on every verification of the identity's keys"),
  ratelimits: Type.Union([Type.Array(RateLimitOutput), Type.Null()], {
    description: "Shared by every key of the identity",
  }),
  credits: Type.Union([CreditsOutput, Type.Null()], {
    description: "The pool the identity's keys without credits of their own draw from",
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const identitySettings = {
  meta: Type.Optional(Type.Union([MetaSchema, Type.Null()])),
  ratelimits: Type.Optional(Type.Union([RateLimitSpecs, Type.Null()])),
  credits: Type.Optional(Type.Union([CreditsInput, Type.Null()])),
};

export const IdentityCreate = Type.Object(
  { projectId: Type.Optional(Id("proj")), externalId: ExternalId, ...identitySettings },
  { additionalProperties: false },
);

export const IdentityPatch = Type.Object(
  { externalId: Type.Optional(ExternalId), ...identitySettings },
  { additionalProperties: false, minProperties: 1 },
);

export const ProjectListQuery = Type.Object(
  { projectId: Type.Optional(Id("proj")), ...ListQuery },
  { additionalProperties: false },
);

export const Role = Type.Object({
  id: Type.String(),
  projectId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const RoleCreate = Type.Object(
  { projectId: Type.Optional(Id("proj")), name: RoleName(), scopes: Scopes },
  { additionalProperties: false },
);

export const RolePatch = Type.Object(
  { name: Type.Optional(RoleName()), scopes: Type.Optional(Scopes) },
  { additionalProperties: false, minProperties: 1 },
);
