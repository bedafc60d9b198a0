import type { Transport } from "../http.js";
import type {
  Alert,
  AlertListQuery,
  CreatedWebhook,
  Delivery,
  DeliveryListQuery,
  Page,
  Webhook,
  WebhookCreate,
  WebhookListQuery,
} from "../types.js";
import { paginate, type RequestOptions, segment } from "./common.js";

/** `/v1/webhooks`: endpoints that receive alert events, signed per Standard Webhooks. */
export class Webhooks {
  constructor(private readonly transport: Transport) {}

  /** The answer's `secret` (whsec_…) signs the deliveries; it is shown this once. */
  create(body: WebhookCreate, options: RequestOptions = {}): Promise<CreatedWebhook> {
    return this.transport.json({ method: "POST", path: "/v1/webhooks", body, retry: "unsent", ...options });
  }

  list(query: WebhookListQuery = {}, options: RequestOptions = {}): Promise<Page<Webhook>> {
    return this.transport.json({
      method: "GET",
      path: "/v1/webhooks",
      query,
      retry: "idempotent",
      ...options,
    });
  }

  iterate(
    query: Omit<WebhookListQuery, "cursor"> = {},
    options: RequestOptions = {},
  ): AsyncGenerator<Webhook> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }

  get(id: string, options: RequestOptions = {}): Promise<Webhook> {
    const path = `/v1/webhooks/${segment(id)}`;
    return this.transport.json({ method: "GET", path, retry: "idempotent", ...options });
  }

  /** Deletes the endpoint; its pending deliveries are cancelled. */
  delete(id: string, options: RequestOptions = {}): Promise<Webhook> {
    const path = `/v1/webhooks/${segment(id)}`;
    return this.transport.json({ method: "DELETE", path, retry: "unsent", ...options });
  }

  /** The endpoint's delivery log, newest first. */
  deliveries(
    id: string,
    query: DeliveryListQuery = {},
    options: RequestOptions = {},
  ): Promise<Page<Delivery>> {
    const path = `/v1/webhooks/${segment(id)}/deliveries`;
    return this.transport.json({ method: "GET", path, query, retry: "idempotent", ...options });
  }
}

/** `GET /v1/alerts`: alerts raised (budget thresholds, anomalies, revocations…), newest first. */
export class Alerts {
  constructor(private readonly transport: Transport) {}

  list(query: AlertListQuery = {}, options: RequestOptions = {}): Promise<Page<Alert>> {
    return this.transport.json({ method: "GET", path: "/v1/alerts", query, retry: "idempotent", ...options });
  }

  iterate(query: Omit<AlertListQuery, "cursor"> = {}, options: RequestOptions = {}): AsyncGenerator<Alert> {
    return paginate((cursor) => this.list({ ...query, cursor }, options));
  }
}
