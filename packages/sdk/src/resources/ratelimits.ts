import type { Transport } from "../http.js";
import type {
  Page,
  RateLimitCheck,
  RateLimitCheckResult,
  RateLimitOverride,
  RateLimitOverrideListQuery,
  RateLimitOverrideSet,
} from "../types.js";
import { paginate, type RequestOptions } from "./common.js";

/** `/v1/ratelimit/overrides`: per-identifier (or `prefix*`) limits that replace a namespace's. */
export class RateLimitOverrides {
  constructor(private readonly transport: Transport) {}

  /** Creates or replaces the override of `namespace` for `identifier` (`user_*` for a prefix). */
  set(body: RateLimitOverrideSet, options: RequestOptions = {}): Promise<RateLimitOverride> {
    return this.transport.json({
      method: "PUT",
      path: "/v1/ratelimit/overrides",
      body,
      retry: "idempotent",
      ...options,
    });
  }

  /** One page of a namespace's overrides, by identifier. */
  list(query: RateLimitOverrideListQuery, options: RequestOptions = {}): Promise<Page<RateLimitOverride>> {
    return this.transport.json({
      method: "GET",
      path: "/v1/ratelimit/overrides",
      query,
      retry: "idempotent",
      ...options,
    });
  }

  /** Every override of a namespace, across pages. */
  iterate(
    query: Omit<RateLimitOverrideListQuery, "cursor">,
    options: RequestOptions = {},
  ): AsyncGenerator<RateLimitOverride> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }

  /** Deletes the override named exactly (a trailing `*` included); answers it. */
  delete(namespace: string, identifier: string, options: RequestOptions = {}): Promise<RateLimitOverride> {
    return this.transport.json({
      method: "DELETE",
      path: "/v1/ratelimit/overrides",
      query: { namespace, identifier },
      retry: "unsent",
      ...options,
    });
  }
}

/** `/v1/ratelimit`: standalone rate limits for anything that is not a key. */
export class RateLimits {
  readonly overrides: RateLimitOverrides;

  constructor(private readonly transport: Transport) {
    this.overrides = new RateLimitOverrides(transport);
  }

  /**
   * Counts one call (or `cost`) against `identifier`'s limit in `namespace`; the most specific
   * override applies when there is one. `success: false` is an answer, not an error. Retried only
   * when the connection was never made, since a call that reached keysmith was counted.
   *
   * @example
   * const { success, reset } = await keysmith.ratelimits.limit({ namespace: "login", identifier: ip, limit: 5, duration: "1m" });
   * if (!success) return reply.code(429).header("retry-after", secondsUntil(reset)).send();
   */
  limit(body: RateLimitCheck, options: RequestOptions = {}): Promise<RateLimitCheckResult> {
    return this.transport.json({ method: "POST", path: "/v1/ratelimit", body, retry: "unsent", ...options });
  }
}
