import { Type } from "typebox";
import { ALERT_EVENTS, type AlertRecord } from "../alerts/alerts.js";
import { Id, ListQuery } from "../routes/schemas.js";
import type { DeliveryRecord, WebhookRecord } from "./endpoints.js";

/** Schemas and views of the webhook and alert routes; same conventions as routes/schemas.ts. */

const NullableString = (options: Record<string, unknown> = {}) =>
  Type.Unsafe<string | null>({ type: ["string", "null"], ...options });
const Timestamp = Type.String({ format: "date-time" });
const NullableTimestamp = NullableString({ format: "date-time" });

export const AlertEventSchema = Type.Union(ALERT_EVENTS.map((event) => Type.Literal(event)));
const DeliveryStatusSchema = Type.Union([
  Type.Literal("pending"),
  Type.Literal("delivered"),
  Type.Literal("failed"),
  Type.Literal("cancelled"),
]);

export const WebhookCreate = Type.Object(
  {
    url: Type.String({ pattern: "^[Hh][Tt][Tt][Pp][Ss]?://", maxLength: 2048, description: "http or https" }),
    events: Type.Array(AlertEventSchema, { minItems: 1, maxItems: ALERT_EVENTS.length, uniqueItems: true }),
    projectId: Type.Optional(Type.Union([Id("proj"), Type.Null()])),
    description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  projectId: NullableString({ description: "null: alerts of every project" }),
  description: NullableString(),
  createdAt: Timestamp,
  deletedAt: NullableTimestamp,
});

export const CreatedWebhook = Type.Intersect([
  Webhook,
  Type.Object({
    secret: Type.String({ description: "The signing secret (whsec_…). Shown this once; store it now." }),
  }),
]);

export const WebhookListQuery = Type.Object(
  { projectId: Type.Optional(Id("proj")), ...ListQuery },
  { additionalProperties: false },
);

export const Delivery = Type.Object({
  id: Type.String(),
  alertId: Type.String({ description: "Also the webhook-id header: the same on every attempt" }),
  eventType: Type.String(),
  status: DeliveryStatusSchema,
  attempts: Type.Integer(),
  responseStatus: Type.Unsafe<number | null>({ type: ["integer", "null"] }),
  error: NullableString({
    description:
      "Why the last attempt failed, as a class: timeout, connection_failed, http_status (see responseStatus), response_too_large, address_refused, secret_unavailable",
  }),
  createdAt: Timestamp,
  lastAttemptAt: NullableTimestamp,
  deliveredAt: NullableTimestamp,
  nextAttemptAt: NullableTimestamp,
});

export const DeliveryListQuery = Type.Object(
  { status: Type.Optional(DeliveryStatusSchema), ...ListQuery },
  { additionalProperties: false },
);

export const Alert = Type.Object({
  id: Type.String(),
  type: Type.String(),
  projectId: NullableString(),
  keyId: NullableString(),
  data: Type.Record(Type.String(), Type.Unknown()),
  createdAt: Timestamp,
});

export const AlertListQuery = Type.Object(
  {
    projectId: Type.Optional(Id("proj")),
    type: Type.Optional(AlertEventSchema),
    keyId: Type.Optional(
      Type.String({
        pattern: "^(key|root)_[0-9A-Za-z]{22}$",
        maxLength: 64,
        description: "A key's or root key's id",
      }),
    ),
    ...ListQuery,
  },
  { additionalProperties: false },
);

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function webhookView(w: WebhookRecord) {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    projectId: w.projectId,
    description: w.description,
    createdAt: iso(w.createdAt),
    deletedAt: isoOrNull(w.deletedAt),
  };
}

export function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    alertId: d.alertId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    responseStatus: d.responseStatus,
    error: d.error,
    createdAt: iso(d.createdAt),
    lastAttemptAt: isoOrNull(d.lastAttemptAt),
    deliveredAt: isoOrNull(d.deliveredAt),
    nextAttemptAt: isoOrNull(d.nextAttemptAt),
  };
}

export function alertView(a: AlertRecord) {
  return {
    id: a.id,
    type: a.type,
    projectId: a.projectId,
    keyId: a.keyId,
    data: a.data,
    createdAt: iso(a.createdAt),
  };
}
