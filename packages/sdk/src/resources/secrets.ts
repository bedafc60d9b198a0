import type { Transport } from "../http.js";
import type {
  Page,
  Secret,
  SecretExport,
  SecretExportQuery,
  SecretListQuery,
  SecretReadQuery,
  SecretScope,
  SecretUpdate,
  SecretValue,
  SecretVersion,
  SecretVersionsQuery,
  SecretWrite,
} from "../types.js";
import { paginate, type RequestOptions, segment } from "./common.js";

/**
 * `/v1/secrets`: the vault — third-party credentials per project and environment, versioned
 * and encrypted at rest. Reads are audited. Values never appear in this client's errors.
 */
export class Secrets {
  constructor(private readonly transport: Transport) {}

  /** Names, versions and rotation state; never values. */
  list(query: SecretListQuery = {}, options: RequestOptions = {}): Promise<Page<Secret>> {
    return this.transport.json({
      method: "GET",
      path: "/v1/secrets",
      query,
      retry: "idempotent",
      ...options,
    });
  }

  iterate(query: Omit<SecretListQuery, "cursor"> = {}, options: RequestOptions = {}): AsyncGenerator<Secret> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }

  /** The current value, or `version`'s. */
  get(
    environment: string,
    name: string,
    query: SecretReadQuery = {},
    options: RequestOptions = {},
  ): Promise<SecretValue> {
    const path = secretPath(environment, name);
    return this.transport.json({ method: "GET", path, query, retry: "idempotent", ...options });
  }

  /** Writes a new version (creating the secret, or reviving a deleted one). */
  set(
    environment: string,
    name: string,
    body: SecretWrite,
    query: SecretScope = {},
    options: RequestOptions = {},
  ): Promise<Secret> {
    const path = secretPath(environment, name);
    return this.transport.json({ method: "POST", path, query, body, retry: "unsent", ...options });
  }

  /** Changes the rotation period without writing a value. */
  update(
    environment: string,
    name: string,
    body: SecretUpdate,
    query: SecretScope = {},
    options: RequestOptions = {},
  ): Promise<Secret> {
    const path = secretPath(environment, name);
    return this.transport.json({ method: "PATCH", path, query, body, retry: "unsent", ...options });
  }

  /** Soft delete: the versions stay and `restore` brings it back. */
  delete(
    environment: string,
    name: string,
    query: SecretScope = {},
    options: RequestOptions = {},
  ): Promise<Secret> {
    const path = secretPath(environment, name);
    return this.transport.json({ method: "DELETE", path, query, retry: "unsent", ...options });
  }

  restore(
    environment: string,
    name: string,
    query: SecretScope = {},
    options: RequestOptions = {},
  ): Promise<Secret> {
    const path = `${secretPath(environment, name)}/restore`;
    return this.transport.json({ method: "POST", path, query, retry: "unsent", ...options });
  }

  /** Who wrote each version and when, newest first (no values). */
  versions(
    environment: string,
    name: string,
    query: SecretVersionsQuery = {},
    options: RequestOptions = {},
  ): Promise<Page<SecretVersion>> {
    const path = `${secretPath(environment, name)}/versions`;
    return this.transport.json({ method: "GET", path, query, retry: "idempotent", ...options });
  }

  /** Every current value of one environment in one answer (audited once), e.g. for `.env`. */
  export(query: SecretExportQuery, options: RequestOptions = {}): Promise<SecretExport> {
    return this.transport.json({
      method: "GET",
      path: "/v1/secrets/export",
      query,
      retry: "idempotent",
      ...options,
    });
  }
}

function secretPath(environment: string, name: string): string {
  return `/v1/secrets/${segment(environment)}/${segment(name)}`;
}
