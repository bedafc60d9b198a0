import type { Transport } from "../http.js";
import type { Identity, IdentityCreate, IdentityListQuery, IdentityUpdate, Page } from "../types.js";
import { paginate, type RequestOptions, segment } from "./common.js";

/**
 * `/v1/identities`: the customer behind keys. Keys whose `ownerId` is an identity's `externalId`
 * share its rate limits and draw from its credit pool when they have no credits of their own.
 *
 * @example
 * await keysmith.identities.create({ projectId, externalId: "cus_42", ratelimits: [{ name: "org", limit: 1000, duration: "1m" }] });
 */
export class Identities {
  constructor(private readonly transport: Transport) {}

  create(body: IdentityCreate, options: RequestOptions = {}): Promise<Identity> {
    return this.transport.json({ method: "POST", path: "/v1/identities", body, retry: "unsent", ...options });
  }

  list(query: IdentityListQuery = {}, options: RequestOptions = {}): Promise<Page<Identity>> {
    return this.transport.json({
      method: "GET",
      path: "/v1/identities",
      query,
      retry: "idempotent",
      ...options,
    });
  }

  iterate(
    query: Omit<IdentityListQuery, "cursor"> = {},
    options: RequestOptions = {},
  ): AsyncGenerator<Identity> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }

  get(id: string, options: RequestOptions = {}): Promise<Identity> {
    const path = `/v1/identities/${segment(id)}`;
    return this.transport.json({ method: "GET", path, retry: "idempotent", ...options });
  }

  /** Changes reach the identity's keys at their next verification, on every node. */
  update(id: string, body: IdentityUpdate, options: RequestOptions = {}): Promise<Identity> {
    const path = `/v1/identities/${segment(id)}`;
    return this.transport.json({ method: "PATCH", path, body, retry: "unsent", ...options });
  }

  /** Deletes the identity; its keys stay and verify with `identity: null`. */
  delete(id: string, options: RequestOptions = {}): Promise<Identity> {
    const path = `/v1/identities/${segment(id)}`;
    return this.transport.json({ method: "DELETE", path, retry: "unsent", ...options });
  }
}
