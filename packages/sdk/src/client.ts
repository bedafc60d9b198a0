import { AnswerCache, type CacheOptions } from "./answer-cache.js";
import { type Fetch, Transport } from "./http.js";
import { nodeSender } from "./node-request.js";
import { Audit } from "./resources/audit.js";
import { Identities } from "./resources/identities.js";
import { Keys } from "./resources/keys.js";
import { Projects } from "./resources/projects.js";
import { RateLimits } from "./resources/ratelimits.js";
import { Roles } from "./resources/roles.js";
import { RootKeys } from "./resources/root-keys.js";
import { Secrets } from "./resources/secrets.js";
import { Usage } from "./resources/usage.js";
import { Alerts, Webhooks } from "./resources/webhooks.js";
import {
  CACHED,
  CACHING,
  VERIFY_PREPARED,
  type VerifyKeyOptions,
  type VerifyKeyResult,
  verifyKey,
  verifyPrepared,
} from "./verify.js";

export interface KeysmithOptions {
  /** Where keysmith listens, e.g. `http://127.0.0.1:8787`. Missing: the constructor throws. */
  baseUrl: string | undefined;
  /** A root key (`ks_root_live_…`); verifying needs the `keys:verify` scope. Missing: the constructor throws. */
  rootKey: string | undefined;
  /** Per try, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** Further tries after a failure that allows one (default 2); see `RetryPolicy`. */
  retries?: number;
  /**
   * The fetch to use. Default: on Node.js, requests go through `node:http` with a keep-alive
   * agent (a fraction of fetch's CPU a call), elsewhere through the global fetch.
   */
  fetch?: Fetch;
  /**
   * Reuse VALID answers of `verifyKey` for up to `ttlMs` (off by default). The client follows
   * keysmith's change feed and drops a key's answers when it is revoked or changed, usually
   * within milliseconds; should the feed be unavailable, a revoke can take up to `ttlMs` to be
   * seen here. Keys with rate limits, credits or a budget are never served from the cache
   * (every call must be counted). Cached calls are reported to keysmith in batches
   * (`POST /v1/usage`, every `reportIntervalMs`) so they show in its usage series. Call
   * `await close()` to stop following the feed and send the last report.
   */
  cache?: CacheOptions;
}

/**
 * The keysmith API client: typed methods for every route, and `verifyKey` for protecting an API.
 *
 * @example
 * const keysmith = new Keysmith({ baseUrl: process.env.KEYSMITH_URL, rootKey: process.env.KEYSMITH_ROOT_KEY });
 * const { valid, ownerId } = await keysmith.verifyKey(key, { scopes: "invoices:read" });
 */
export class Keysmith {
  readonly projects: Projects;
  readonly keys: Keys;
  readonly usage: Usage;
  readonly rootKeys: RootKeys;
  readonly secrets: Secrets;
  readonly audit: Audit;
  readonly webhooks: Webhooks;
  readonly alerts: Alerts;
  /** Standalone rate limits (`POST /v1/ratelimit`) and their overrides. */
  readonly ratelimits: RateLimits;
  readonly identities: Identities;
  readonly roles: Roles;
  private readonly transport: Transport;
  private readonly cache: AnswerCache | null;

  constructor(options: KeysmithOptions) {
    if (typeof options?.baseUrl !== "string" || !URL.canParse(options.baseUrl)) {
      throw new TypeError("Keysmith: baseUrl must be an absolute URL such as http://127.0.0.1:8787");
    }
    if (typeof options.rootKey !== "string" || options.rootKey.trim() === "") {
      throw new TypeError("Keysmith: rootKey is required (a root key with the keys:verify scope)");
    }
    const { baseUrl, rootKey } = options;
    this.transport = new Transport({
      baseUrl,
      rootKey,
      timeoutMs: options.timeoutMs ?? 5000,
      retries: Math.max(0, options.retries ?? 2),
      fetch: options.fetch ?? globalThis.fetch,
      // On Node.js, node:http unless a fetch was given: about a third of fetch's CPU a call.
      send: options.fetch ? null : nodeSender(),
    });
    this.projects = new Projects(this.transport);
    this.keys = new Keys(this.transport, (key, verifyOptions) => this.verifyKey(key, verifyOptions));
    this.usage = new Usage(this.transport);
    const usage = this.usage;
    this.cache = options.cache
      ? new AnswerCache(
          options.cache,
          { baseUrl, rootKey, fetch: options.fetch ?? globalThis.fetch },
          (keys) => usage.report(keys),
        )
      : null;
    this.rootKeys = new RootKeys(this.transport);
    this.secrets = new Secrets(this.transport);
    this.audit = new Audit(this.transport);
    this.identities = new Identities(this.transport);
    this.roles = new Roles(this.transport);
    this.webhooks = new Webhooks(this.transport);
    this.alerts = new Alerts(this.transport);
    this.ratelimits = new RateLimits(this.transport);
  }

  /**
   * Verifies a key your API received. A malformed or checksum-failing key answers MALFORMED
   * without a network call; a negative answer is a value (`valid: false` and a `code`), not an
   * error. Throws `KeysmithApiError` or `KeysmithConnectionError` only when keysmith could not
   * answer. A verification is retried only when the connection was never made, since one that
   * reached the server may have consumed a rate-limit slot, a credit or spend.
   *
   * @example
   * const result = await keysmith.verifyKey(key, { scopes: ["weather:read"], cost: 1, ip });
   * if (!result.valid) return reply.code(401).send({ error: result.code });
   */
  verifyKey(key: string, options: VerifyKeyOptions = {}): Promise<VerifyKeyResult> {
    return verifyKey(this.transport, this.cache, key, options);
  }

  /**
   * For the middleware (not public API): whether answers are cached, the cached answer for a
   * cache key the caller computed (see `cacheKeyOf`), and a verification that reuses that key.
   */
  get [CACHING](): boolean {
    return this.cache !== null;
  }

  [CACHED](cacheKey: string): VerifyKeyResult | undefined {
    return this.cache?.get(cacheKey);
  }

  [VERIFY_PREPARED](
    key: string,
    fields: Omit<VerifyKeyOptions, "signal">,
    cacheKey: string | null,
  ): Promise<VerifyKeyResult> {
    return verifyPrepared(this.transport, this.cache, key, fields, this.cache === null ? null : cacheKey);
  }

  /** Drops cached answers: all of them, or those of one key id. */
  clearCache(keyId?: string): void {
    this.cache?.forget(keyId);
  }

  /**
   * Stops following the change feed (the one open connection a cache keeps) and sends the last
   * report of cached verifications; the promise settles when it is sent. Idempotent.
   */
  close(): Promise<void> {
    return this.cache?.close() ?? Promise.resolve();
  }

  /** Reports the verifications answered from the cache so far now (they are also sent every `cache.reportIntervalMs`). */
  flushUsage(): Promise<void> {
    return this.cache?.flushUsage() ?? Promise.resolve();
  }
}
