import type { Transport } from "../http.js";
import type { UsageQuery, UsageRange, UsageReport, UsageReportResult, UsageSeries } from "../types.js";
import type { RequestOptions } from "./common.js";

/**
 * `GET /v1/usage`: verifications by outcome, and spend, across a project's or an owner's keys;
 * `POST /v1/usage`: VALID verifications answered elsewhere, reported (the client's cache does it
 * by itself).
 */
export class Usage {
  constructor(private readonly transport: Transport) {}

  get(query: UsageQuery = {}, options: RequestOptions = {}): Promise<UsageSeries> {
    return this.transport.json({ method: "GET", path: "/v1/usage", query, retry: "idempotent", ...options });
  }

  /**
   * Counts VALID verifications your process answered without asking keysmith (at most 1000
   * keys a call); they land in the current minute. Keys this root key cannot see are skipped
   * and counted in `unknown`. Not retried: a lost answer may have been counted.
   */
  report(keys: UsageReport["keys"], options: RequestOptions = {}): Promise<UsageReportResult> {
    return this.transport.json({
      method: "POST",
      path: "/v1/usage",
      body: { keys },
      retry: "unsent",
      ...options,
    });
  }

  /** One project's series. */
  project(projectId: string, range: UsageRange = {}, options: RequestOptions = {}): Promise<UsageSeries> {
    return this.get({ ...range, projectId }, options);
  }

  /** One owner's (customer's) series, across their keys, optionally within one project. */
  owner(
    ownerId: string,
    range: UsageRange & { projectId?: string } = {},
    options: RequestOptions = {},
  ): Promise<UsageSeries> {
    return this.get({ ...range, ownerId }, options);
  }
}
