import type { Transport } from "../http.js";
import type { AuditEntry, AuditQuery, AuditVerification, Page } from "../types.js";
import { paginate, type RequestOptions } from "./common.js";

/** `/v1/audit`: the append-only, hash-chained log of every management action. */
export class Audit {
  constructor(private readonly transport: Transport) {}

  list(query: AuditQuery = {}, options: RequestOptions = {}): Promise<Page<AuditEntry>> {
    return this.transport.json({ method: "GET", path: "/v1/audit", query, retry: "idempotent", ...options });
  }

  iterate(query: Omit<AuditQuery, "cursor"> = {}, options: RequestOptions = {}): AsyncGenerator<AuditEntry> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }

  /** Checks the hash chain: `valid` is false when an entry was changed or removed. */
  verify(options: RequestOptions = {}): Promise<AuditVerification> {
    return this.transport.json({ method: "GET", path: "/v1/audit/verify", retry: "idempotent", ...options });
  }
}
