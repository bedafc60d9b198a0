import type { AlertService } from "../alerts/alerts.js";
import { encodeCursor } from "../domain/access.js";
import { type App, contextOf } from "../http-types.js";
import type { WebhookService } from "../webhooks/endpoints.js";
import {
  Alert,
  AlertListQuery,
  alertView,
  CreatedWebhook,
  Delivery,
  DeliveryListQuery,
  deliveryView,
  Webhook,
  WebhookCreate,
  WebhookListQuery,
  webhookView,
} from "../webhooks/schemas.js";
import { ErrorOf, ErrorResponse, IdParams, ListOf } from "./schemas.js";

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };
const webhookNotFound = { 404: ErrorOf("WEBHOOK_NOT_FOUND") };

/** Webhook endpoints, their delivery log, and the alerts they carry. */
export function webhookRoutes(
  app: App,
  { webhooks, alerts }: { webhooks: WebhookService; alerts: AlertService },
): void {
  app.post(
    "/v1/webhooks",
    {
      config: { scope: "projects:write", noStore: true },
      schema: {
        tags: ["webhooks"],
        summary: "Create a webhook endpoint (the signing secret is in this response only)",
        body: WebhookCreate,
        // 503: WEBHOOK_SECRETS_LOCKED, on a node that cannot read the webhook key.
        response: {
          201: CreatedWebhook,
          ...errors,
          404: ErrorOf("PROJECT_NOT_FOUND"),
          422: ErrorResponse,
          503: ErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const { record, secret } = await webhooks.create(contextOf(request), request.body);
      return reply.code(201).send({ ...webhookView(record), secret });
    },
  );

  app.get(
    "/v1/webhooks",
    {
      config: { scope: "usage:read" },
      schema: {
        tags: ["webhooks"],
        summary: "List webhook endpoints, newest first",
        querystring: WebhookListQuery,
        response: { 200: ListOf(Webhook), ...errors },
      },
    },
    async (request) => {
      const page = await webhooks.list(contextOf(request), request.query);
      return { data: page.items.map(webhookView), nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/v1/webhooks/:id",
    {
      config: { scope: "usage:read" },
      schema: {
        tags: ["webhooks"],
        summary: "Read a webhook endpoint",
        params: IdParams("whk"),
        response: { 200: Webhook, ...errors, ...webhookNotFound },
      },
    },
    async (request) => webhookView(await webhooks.get(contextOf(request), request.params.id)),
  );

  app.delete(
    "/v1/webhooks/:id",
    {
      config: { scope: "projects:write" },
      schema: {
        tags: ["webhooks"],
        summary: "Delete a webhook endpoint; its pending deliveries are cancelled",
        params: IdParams("whk"),
        response: { 200: Webhook, ...errors, ...webhookNotFound },
      },
    },
    async (request) => webhookView(await webhooks.remove(contextOf(request), request.params.id)),
  );

  app.get(
    "/v1/webhooks/:id/deliveries",
    {
      config: { scope: "usage:read" },
      schema: {
        tags: ["webhooks"],
        summary: "The endpoint's delivery log, newest first",
        params: IdParams("whk"),
        querystring: DeliveryListQuery,
        response: { 200: ListOf(Delivery), ...errors, ...webhookNotFound },
      },
    },
    async (request) => {
      const page = await webhooks.deliveries(contextOf(request), request.params.id, request.query);
      return { data: page.items.map(deliveryView), nextCursor: encodeCursor(page.next) };
    },
  );

  app.get(
    "/v1/alerts",
    {
      config: { scope: "usage:read" },
      schema: {
        tags: ["webhooks"],
        summary: "Alerts raised, newest first",
        querystring: AlertListQuery,
        response: { 200: ListOf(Alert), ...errors },
      },
    },
    async (request) => {
      const page = await alerts.list(contextOf(request), request.query);
      return { data: page.items.map(alertView), nextCursor: encodeCursor(page.next) };
    },
  );
}
