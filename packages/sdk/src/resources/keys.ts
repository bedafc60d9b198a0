import { type KeyChangeEvent, readEvents } from "../change-stream.js";
import type { Transport } from "../http.js";
import type {
  CreditsBalance,
  CreditsOperation,
  IssuedKey,
  Key,
  KeyChangesQuery,
  KeyCreate,
  KeyImport,
  KeyImportResult,
  KeyListQuery,
  KeyUpdate,
  LeakOutcome,
  LeakReport,
  Page,
  RevokeOptions,
  RolledKey,
  RollOptions,
  UsageRange,
  UsageSeries,
  VerifyRequest,
} from "../types.js";
import type { VerifyKeyOptions, VerifyKeyResult } from "../verify.js";
import { paginate, type RequestOptions, segment } from "./common.js";

type Verify = (key: string, options?: VerifyKeyOptions) => Promise<VerifyKeyResult>;

/** `/v1/keys`: the keys your customers hold. */
export class Keys {
  constructor(
    private readonly transport: Transport,
    private readonly verifyKey: Verify,
  ) {}

  /** Issues a key. The answer's `key` is the plaintext: hand it over now, it is never shown again. */
  create(body: KeyCreate, options: RequestOptions = {}): Promise<IssuedKey> {
    return this.transport.json({ method: "POST", path: "/v1/keys", body, retry: "unsent", ...options });
  }

  /** One page of keys, newest first; `nextCursor` fetches the next. */
  list(query: KeyListQuery = {}, options: RequestOptions = {}): Promise<Page<Key>> {
    return this.transport.json({ method: "GET", path: "/v1/keys", query, retry: "idempotent", ...options });
  }

  /**
   * Every key matching `query`, across pages.
   *
   * @example for await (const key of client.keys.iterate({ projectId })) console.log(key.id)
   */
  iterate(query: Omit<KeyListQuery, "cursor"> = {}, options: RequestOptions = {}): AsyncGenerator<Key> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }

  get(id: string, options: RequestOptions = {}): Promise<Key> {
    return this.transport.json({
      method: "GET",
      path: `/v1/keys/${segment(id)}`,
      retry: "idempotent",
      ...options,
    });
  }

  update(id: string, body: KeyUpdate, options: RequestOptions = {}): Promise<Key> {
    const path = `/v1/keys/${segment(id)}`;
    return this.transport.json({ method: "PATCH", path, body, retry: "unsent", ...options });
  }

  /** Issues a successor; the old key keeps working for `gracePeriod` (default 24h), then expires. */
  roll(id: string, body: RollOptions = {}, options: RequestOptions = {}): Promise<RolledKey> {
    const path = `/v1/keys/${segment(id)}/roll`;
    return this.transport.json({ method: "POST", path, body, retry: "unsent", ...options });
  }

  /**
   * Sets, adds to or takes from a key's credits, atomically with concurrent verifications (a
   * decrement stops at 0). Not retried once sent: an increment must not count twice.
   *
   * @example await client.keys.credits(id, { op: "increment", amount: 100 }) // { remaining: 140 }
   */
  credits(id: string, body: CreditsOperation, options: RequestOptions = {}): Promise<CreditsBalance> {
    const path = `/v1/keys/${segment(id)}/credits`;
    return this.transport.json({ method: "POST", path, body, retry: "unsent", ...options });
  }

  /**
   * Imports up to 1000 keys by hash, all or none, idempotent on the hash: a migration from
   * another system without reissuing keys. Safe to retry.
   *
   * @example await client.keys.import({ projectId, keys: [{ hash, type: "secret", environment: "live" }] })
   */
  import(body: KeyImport, options: RequestOptions = {}): Promise<KeyImportResult> {
    return this.transport.json({
      method: "POST",
      path: "/v1/keys/import",
      body,
      retry: "idempotent",
      ...options,
    });
  }

  /** Revokes at once. */
  revoke(id: string, body: RevokeOptions = {}, options: RequestOptions = {}): Promise<Key> {
    const path = `/v1/keys/${segment(id)}/revoke`;
    return this.transport.json({ method: "POST", path, body, retry: "unsent", ...options });
  }

  /**
   * Reports key strings found where they should not be (`POST /v1/leaks`): each matching key is
   * revoked, or only flagged when its project's `leakPolicy` is `flag`, and a `key.leaked`
   * alert is raised. Strings that match no key are counted, never kept.
   *
   * @example await client.keys.reportLeaks({ keys: [found], source: "ci scan", url: buildUrl })
   */
  reportLeaks(body: LeakReport, options: RequestOptions = {}): Promise<LeakOutcome> {
    return this.transport.json({ method: "POST", path: "/v1/leaks", body, retry: "unsent", ...options });
  }

  /** The same as `client.verifyKey(key, options)`: local format check, optional cache, then the server. */
  verify(request: VerifyRequest, options: RequestOptions = {}): Promise<VerifyKeyResult> {
    const { key, ...fields } = request;
    return this.verifyKey(key, { ...fields, ...options });
  }

  /**
   * The change feed (`GET /v1/keys/changes`): every change that affects verification, as it
   * happens, from after `since` (an event's `seq`) or from now. Ends when the connection does;
   * resume with the last `seq` seen. A client with `cache` follows it for you.
   *
   * @example for await (const change of client.keys.changes({ signal })) console.log(change.type, change.keyId)
   */
  async *changes(options: KeyChangesQuery & RequestOptions = {}): AsyncGenerator<KeyChangeEvent> {
    const query = options.since === undefined ? {} : { since: options.since };
    const response = await this.transport.open({
      method: "GET",
      path: "/v1/keys/changes",
      query,
      signal: options.signal,
    });
    if (response.body === null) return;
    for await (const message of readEvents(response.body)) {
      if (message.data !== "") yield JSON.parse(message.data) as KeyChangeEvent;
    }
  }

  /** The key's verifications by outcome, and its spend, per minute, hour or day. */
  usage(id: string, range: UsageRange = {}, options: RequestOptions = {}): Promise<UsageSeries> {
    const path = `/v1/keys/${segment(id)}/usage`;
    return this.transport.json({ method: "GET", path, query: range, retry: "idempotent", ...options });
  }
}
