import type { Operations } from "./generated/openapi.js";

/**
 * Named types for the keysmith API, all taken from the generated `Operations` (the server's
 * OpenAPI document), so they follow the routes: a schema change that breaks a name here
 * fails the build.
 */

type Query<K extends keyof Operations> = Operations[K] extends { query: infer Q } ? Q : never;
type Body<K extends keyof Operations> = Operations[K] extends { body: infer B } ? B : never;
type Answer<K extends keyof Operations> = Operations[K]["response"];
type Item<K extends keyof Operations> = Answer<K> extends { data: (infer I)[] } ? I : never;

/** One page of a list: `nextCursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type ListQuery = Query<"GET /v1/projects">;

export type Project = Answer<"GET /v1/projects/{id}">;
export type ProjectCreate = Body<"POST /v1/projects">;
export type ProjectUpdate = Body<"PATCH /v1/projects/{id}">;

export type Key = Answer<"GET /v1/keys/{id}">;
/** A created key: `key` is the plaintext, in this answer only. */
export type IssuedKey = Answer<"POST /v1/keys">;
export type KeyCreate = Body<"POST /v1/keys">;
export type KeyUpdate = Body<"PATCH /v1/keys/{id}">;
export type KeyListQuery = Query<"GET /v1/keys">;
export type RollOptions = Body<"POST /v1/keys/{id}/roll">;
/** The successor (`key` is its plaintext, in this answer only) and the rolled key as `previous`. */
export type RolledKey = Answer<"POST /v1/keys/{id}/roll">;
export type RevokeOptions = Body<"POST /v1/keys/{id}/revoke">;
/** `{ op: "set" | "increment" | "decrement", amount }`. */
export type CreditsOperation = Body<"POST /v1/keys/{id}/credits">;
export type CreditsBalance = Answer<"POST /v1/keys/{id}/credits">;
/** Up to 1000 keys known by the SHA-256 (hex) of their plaintext. */
export type KeyImport = Body<"POST /v1/keys/import">;
export type KeyImportResult = Answer<"POST /v1/keys/import">;
export type LeakReport = Body<"POST /v1/leaks">;
/** What a leak report did: counts, and per matching key whether it was revoked or only flagged. */
export type LeakOutcome = Answer<"POST /v1/leaks">;

export type Identity = Answer<"GET /v1/identities/{id}">;
export type IdentityCreate = Body<"POST /v1/identities">;
export type IdentityUpdate = Body<"PATCH /v1/identities/{id}">;
export type IdentityListQuery = Query<"GET /v1/identities">;
export type Role = Answer<"GET /v1/roles/{id}">;
export type RoleCreate = Body<"POST /v1/roles">;
export type RoleUpdate = Body<"PATCH /v1/roles/{id}">;
export type RoleListQuery = Query<"GET /v1/roles">;
/** The identity a verified key belongs to, with its shared rate limits as configured. */
export type VerifyIdentity = NonNullable<VerifyResponse["identity"]>;

export type KeyChangesQuery = Query<"GET /v1/keys/changes">;

export type VerifyRequest = Body<"POST /v1/keys/verify">;
export type VerifyResponse = Answer<"POST /v1/keys/verify">;
export type VerifyCode = VerifyResponse["code"];
export type KeyEnvironment = Key["environment"];

export type UsageRange = Query<"GET /v1/keys/{id}/usage">;
export type UsageQuery = Query<"GET /v1/usage">;
export type UsageSeries = Answer<"GET /v1/usage">;
/** `POST /v1/usage`: VALID verifications answered elsewhere (a local cache), per key. */
export type UsageReport = Body<"POST /v1/usage">;
export type UsageReportResult = Answer<"POST /v1/usage">;

export type RootKey = Answer<"POST /v1/root-keys/{id}/revoke">;
/** A created root key: `key` is the plaintext, in this answer only. */
export type IssuedRootKey = Answer<"POST /v1/root-keys">;
export type RootKeyCreate = Body<"POST /v1/root-keys">;

export type AuditEntry = Item<"GET /v1/audit">;
export type AuditQuery = Query<"GET /v1/audit">;
export type AuditVerification = Answer<"GET /v1/audit/verify">;

export type Webhook = Answer<"GET /v1/webhooks/{id}">;
/** A created endpoint: `secret` (whsec_…) signs its deliveries, shown in this answer only. */
export type CreatedWebhook = Answer<"POST /v1/webhooks">;
export type WebhookCreate = Body<"POST /v1/webhooks">;
export type WebhookListQuery = Query<"GET /v1/webhooks">;
export type Delivery = Item<"GET /v1/webhooks/{id}/deliveries">;
export type DeliveryListQuery = Query<"GET /v1/webhooks/{id}/deliveries">;

export type Alert = Item<"GET /v1/alerts">;
export type AlertListQuery = Query<"GET /v1/alerts">;

export type Secret = Answer<"DELETE /v1/secrets/{environment}/{name}">;
/** One version's value: handle it like the secret it is. */
export type SecretValue = Answer<"GET /v1/secrets/{environment}/{name}">;
export type SecretVersion = Item<"GET /v1/secrets/{environment}/{name}/versions">;
export type SecretExport = Answer<"GET /v1/secrets/export">;
export type SecretListQuery = Query<"GET /v1/secrets">;
export type SecretReadQuery = Query<"GET /v1/secrets/{environment}/{name}">;
export type SecretWrite = Body<"POST /v1/secrets/{environment}/{name}">;
export type SecretUpdate = Body<"PATCH /v1/secrets/{environment}/{name}">;
export type SecretVersionsQuery = Query<"GET /v1/secrets/{environment}/{name}/versions">;
export type SecretExportQuery = Query<"GET /v1/secrets/export">;
/** Which project's vault, for a root key bound to all projects. */
export type SecretScope = Query<"DELETE /v1/secrets/{environment}/{name}">;

// Parts of the answers above, named for the CLI and the dashboard (which import their API types
// from here, never their own copies).

export type KeyType = Key["type"];
export type KeyStatus = Key["status"];
/** A named rate-limit window of a key or a project's default. */
export type RateLimit = NonNullable<Key["ratelimits"]>[number];
export type Credits = NonNullable<Key["credits"]>;
export type Budget = NonNullable<Key["budget"]>;
/** A budget's or a refill's period as a create or update body takes it. */
export type Period = NonNullable<NonNullable<KeyCreate["budget"]>["period"]>;

export type UsageGranularity = UsageSeries["granularity"];
/** One bucket of a usage series: verifications by outcome code, and spend. */
export type UsageBucket = UsageSeries["data"][number];
/** The outcomes a usage bucket counts (every verify code but MALFORMED and NOT_FOUND). */
export type UsageOutcome = keyof UsageBucket["outcomes"];

/** The alert types; webhooks subscribe to them. */
export type AlertType = NonNullable<AlertListQuery["type"]>;
export type DeliveryStatus = Delivery["status"];

/** The dashboard's signed-in session (cookie): never the root key itself, only what identifies it. */
export type Session = Answer<"GET /v1/sessions/current">;
export type SessionRootKey = Session["rootKey"];

/** `POST /v1/ratelimit`: a call counted against a standalone limit (a login form per IP, a user id). */
export type RateLimitCheck = Body<"POST /v1/ratelimit">;
/** The decision: `success` false means over the limit (the route answers 200 either way). */
export type RateLimitCheckResult = Answer<"POST /v1/ratelimit">;
/** An override of a namespace's limit for an identifier, or an identifier prefix ending in `*`. */
export type RateLimitOverride = Answer<"PUT /v1/ratelimit/overrides">;
export type RateLimitOverrideSet = Body<"PUT /v1/ratelimit/overrides">;
export type RateLimitOverrideListQuery = Query<"GET /v1/ratelimit/overrides">;
