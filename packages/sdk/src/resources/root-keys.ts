import type { Transport } from "../http.js";
import type { IssuedRootKey, ListQuery, Page, RootKey, RootKeyCreate } from "../types.js";
import { paginate, type RequestOptions, segment } from "./common.js";

/** `/v1/root-keys`: management credentials, never broader than the one creating them. */
export class RootKeys {
  constructor(private readonly transport: Transport) {}

  /** The answer's `key` is the plaintext, shown this once. */
  create(body: RootKeyCreate, options: RequestOptions = {}): Promise<IssuedRootKey> {
    return this.transport.json({ method: "POST", path: "/v1/root-keys", body, retry: "unsent", ...options });
  }

  list(query: ListQuery = {}, options: RequestOptions = {}): Promise<Page<RootKey>> {
    return this.transport.json({
      method: "GET",
      path: "/v1/root-keys",
      query,
      retry: "idempotent",
      ...options,
    });
  }

  iterate(query: Omit<ListQuery, "cursor"> = {}, options: RequestOptions = {}): AsyncGenerator<RootKey> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }

  revoke(id: string, options: RequestOptions = {}): Promise<RootKey> {
    const path = `/v1/root-keys/${segment(id)}/revoke`;
    return this.transport.json({ method: "POST", path, retry: "unsent", ...options });
  }
}
