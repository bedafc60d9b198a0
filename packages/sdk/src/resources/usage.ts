import type { Transport } from "../http.js";
import type { UsageQuery, UsageRange, UsageSeries } from "../types.js";
import type { RequestOptions } from "./common.js";

/** `GET /v1/usage`: verifications by outcome, and spend, across a project's or an owner's keys. */
export class Usage {
  constructor(private readonly transport: Transport) {}

  get(query: UsageQuery = {}, options: RequestOptions = {}): Promise<UsageSeries> {
    return this.transport.json({ method: "GET", path: "/v1/usage", query, retry: "idempotent", ...options });
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
