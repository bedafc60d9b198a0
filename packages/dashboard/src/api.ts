import type {
  Alert,
  Key as ApiKey,
  AuditEntry,
  AuditVerification as AuditVerify,
  CreatedWebhook,
  Delivery,
  Identity,
  IssuedKey,
  Page as List,
  Project,
  Role,
  RolledKey,
  Secret,
  SecretValue,
  SecretVersion,
  Session as SessionInfo,
  UsageSeries as Usage,
  UsageRange,
  Webhook,
} from "@keysmith/sdk";

/** An answer other than 2xx, with the API's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

/**
 * A query string of the set values. Only ids, filters and names ever go here: keys, root keys
 * and secret values travel in request and response bodies, never in a URL.
 *
 * @example queryString({ projectId: "proj_1", status: "" }) // "?projectId=proj_1"
 */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * The dashboard's only way to the server. The session cookie rides along by itself (HttpOnly,
 * so no script reads it); the CSRF token is held in memory and sent on every write.
 */
export class Api {
  private csrfToken: string | null = null;

  constructor(private readonly onUnauthorized: () => void = () => {}) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (method !== "GET" && this.csrfToken) headers["x-csrf-token"] = this.csrfToken;
    const response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 204) return undefined as T;
    const parsed = (await response.json().catch(() => null)) as {
      error?: { code?: string; message?: string; requestId?: string };
    } | null;
    if (!response.ok) {
      const error = parsed?.error;
      if (response.status === 401 && path !== "/v1/sessions") {
        this.csrfToken = null;
        this.onUnauthorized();
      }
      throw new ApiError(
        response.status,
        error?.code ?? "HTTP_ERROR",
        error?.message ?? `The server answered ${response.status}.`,
        error?.requestId ?? null,
      );
    }
    return parsed as T;
  }

  // ── session ──────────────────────────────────────────────────────────────────────────
  /** Exchanges a root key for a session cookie. The key is sent once, in the body. */
  async signIn(rootKey: string): Promise<SessionInfo> {
    const session = await this.request<SessionInfo>("POST", "/v1/sessions", { rootKey });
    this.csrfToken = session.csrfToken;
    return session;
  }

  async session(): Promise<SessionInfo> {
    const session = await this.request<SessionInfo>("GET", "/v1/sessions/current");
    this.csrfToken = session.csrfToken;
    return session;
  }

  async signOut(): Promise<void> {
    try {
      await this.request<void>("DELETE", "/v1/sessions/current");
    } finally {
      this.csrfToken = null;
    }
  }

  // ── projects and keys ────────────────────────────────────────────────────────────────
  projects(): Promise<List<Project>> {
    return this.request("GET", `/v1/projects${queryString({ limit: 500 })}`);
  }

  createProject(body: { name: string; prefix: string; publishableScopes?: string[] }): Promise<Project> {
    return this.request("POST", "/v1/projects", body);
  }

  keys(query: Query): Promise<List<ApiKey>> {
    return this.request("GET", `/v1/keys${queryString(query)}`);
  }

  key(id: string): Promise<ApiKey> {
    return this.request("GET", `/v1/keys/${encodeURIComponent(id)}`);
  }

  createKey(body: Record<string, unknown>): Promise<IssuedKey> {
    return this.request("POST", "/v1/keys", body);
  }

  updateKey(id: string, body: Record<string, unknown>): Promise<ApiKey> {
    return this.request("PATCH", `/v1/keys/${encodeURIComponent(id)}`, body);
  }

  rollKey(id: string, gracePeriod: string): Promise<RolledKey> {
    return this.request("POST", `/v1/keys/${encodeURIComponent(id)}/roll`, { gracePeriod });
  }

  revokeKey(id: string, reason?: string): Promise<ApiKey> {
    return this.request("POST", `/v1/keys/${encodeURIComponent(id)}/revoke`, reason ? { reason } : {});
  }

  // ── identities and roles ──────────────────────────────────────────────────────────────
  identities(query: Query = {}): Promise<List<Identity>> {
    return this.request("GET", `/v1/identities${queryString(query)}`);
  }

  identity(id: string): Promise<Identity> {
    return this.request("GET", `/v1/identities/${encodeURIComponent(id)}`);
  }

  roles(query: Query = {}): Promise<List<Role>> {
    return this.request("GET", `/v1/roles${queryString(query)}`);
  }

  createRole(body: { projectId: string; name: string; scopes: string[] }): Promise<Role> {
    return this.request("POST", "/v1/roles", body);
  }

  updateRole(id: string, body: { name?: string; scopes?: string[] }): Promise<Role> {
    return this.request("PATCH", `/v1/roles/${encodeURIComponent(id)}`, body);
  }

  deleteRole(id: string): Promise<Role> {
    return this.request("DELETE", `/v1/roles/${encodeURIComponent(id)}`);
  }

  // ── usage, alerts, webhooks ──────────────────────────────────────────────────────────
  keyUsage(id: string, query: UsageRange): Promise<Usage> {
    return this.request("GET", `/v1/keys/${encodeURIComponent(id)}/usage${queryString({ ...query })}`);
  }

  usage(query: UsageRange & { projectId?: string; ownerId?: string }): Promise<Usage> {
    return this.request("GET", `/v1/usage${queryString({ ...query })}`);
  }

  alerts(query: Query): Promise<List<Alert>> {
    return this.request("GET", `/v1/alerts${queryString(query)}`);
  }

  webhooks(query: Query = {}): Promise<List<Webhook>> {
    return this.request("GET", `/v1/webhooks${queryString(query)}`);
  }

  webhook(id: string): Promise<Webhook> {
    return this.request("GET", `/v1/webhooks/${encodeURIComponent(id)}`);
  }

  createWebhook(body: {
    url: string;
    events: string[];
    projectId?: string | null;
    description?: string | null;
  }): Promise<CreatedWebhook> {
    return this.request("POST", "/v1/webhooks", body);
  }

  deleteWebhook(id: string): Promise<Webhook> {
    return this.request("DELETE", `/v1/webhooks/${encodeURIComponent(id)}`);
  }

  deliveries(id: string, query: Query): Promise<List<Delivery>> {
    return this.request("GET", `/v1/webhooks/${encodeURIComponent(id)}/deliveries${queryString(query)}`);
  }

  // ── audit ────────────────────────────────────────────────────────────────────────────
  audit(query: Query): Promise<List<AuditEntry>> {
    return this.request("GET", `/v1/audit${queryString(query)}`);
  }

  auditVerify(): Promise<AuditVerify> {
    return this.request("GET", "/v1/audit/verify");
  }

  // ── vault ────────────────────────────────────────────────────────────────────────────
  secrets(query: Query): Promise<List<Secret>> {
    return this.request("GET", `/v1/secrets${queryString(query)}`);
  }

  /** Reads a secret's value: the server records every reveal in the audit log. */
  revealSecret(
    secret: Pick<Secret, "projectId" | "environment" | "name">,
    version?: number,
  ): Promise<SecretValue> {
    const path = `/v1/secrets/${encodeURIComponent(secret.environment)}/${encodeURIComponent(secret.name)}`;
    return this.request("GET", `${path}${queryString({ projectId: secret.projectId, version })}`);
  }

  secretVersions(secret: Pick<Secret, "projectId" | "environment" | "name">): Promise<List<SecretVersion>> {
    const path = `/v1/secrets/${encodeURIComponent(secret.environment)}/${encodeURIComponent(secret.name)}`;
    return this.request("GET", `${path}/versions${queryString({ projectId: secret.projectId, limit: 100 })}`);
  }
}
