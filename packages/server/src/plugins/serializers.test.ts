import fastJson from "fast-json-stringify";
import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import { RootKey, VerifyResponse } from "../routes/schemas.js";
import { compileSerializer, serializerSchema } from "./serializers.js";

const base = {
  valid: true,
  code: "VALID",
  keyId: "key_1",
  ownerId: null,
  projectId: "proj_1",
  type: "secret",
  environment: "live",
  scopes: ["invoices:read"],
  meta: { plan: "pro", nested: { a: [1, 2] } },
  expiresAt: null,
  ratelimits: [],
  credits: null,
  budget: null,
  identity: null,
  roles: [],
};
const metered = {
  ...base,
  code: "RATE_LIMITED",
  valid: false,
  expiresAt: "2027-01-01T00:00:00.000Z",
  ratelimits: [
    { name: "burst", limit: 10, remaining: 0, reset: "2026-12-06T00:00:01.000Z" },
    { name: "daily", limit: 1000, remaining: null, reset: "2026-12-07T00:00:00.000Z" },
  ],
  credits: { remaining: 41.5 },
  budget: { spent: 12.25, limit: 100, period: "month", resetAt: "2027-01-01T00:00:00.000Z" },
  identity: { id: "id_1", externalId: "cus_1", meta: null, ratelimits: [] },
  roles: ["reader"],
  degraded: true,
};

describe("response serializers", () => {
  it("write every verify answer exactly as fast-json-stringify does from the original schema", () => {
    const original = fastJson(VerifyResponse as Parameters<typeof fastJson>[0]);
    const fast = compileSerializer(VerifyResponse);
    for (const answer of [base, metered]) {
      expect(fast(answer)).toBe(original(answer));
      expect(JSON.parse(fast(answer))).toEqual(answer);
    }
  });

  it("keep the schema's other shapes: nullable arrays, string-literal unions, dates", () => {
    const original = fastJson(RootKey as Parameters<typeof fastJson>[0]);
    const fast = compileSerializer(RootKey);
    const rootKey = {
      id: "rk_1",
      projectId: null,
      name: "ci",
      start: "ks_root_live_",
      last4: "abcd",
      scopes: ["keys:verify"],
      status: "active",
      expiresAt: null,
      createdAt: "2026-12-06T00:00:00.000Z",
      createdBy: null,
      revokedAt: null,
      lastUsedAt: "2026-12-06T01:00:00.000Z",
      environments: ["live"],
    };
    expect(fast(rootKey)).toBe(original(rootKey));
  });

  it("turns T | null into a nullable T and literal unions into strings, and leaves other unions alone", () => {
    const schema = Type.Object({
      a: Type.Union([Type.Object({ x: Type.Number() }), Type.Null()]),
      b: Type.Union([Type.Literal("on"), Type.Literal("off")]),
      c: Type.Union([Type.String(), Type.Number()]),
    });
    const copy = serializerSchema(schema) as { properties: Record<string, Record<string, unknown>> };
    expect(copy.properties.a).toMatchObject({ type: "object", nullable: true });
    expect(copy.properties.a?.anyOf).toBeUndefined();
    expect(copy.properties.b).toMatchObject({ type: "string" });
    expect(copy.properties.c?.anyOf).toHaveLength(2);
    // The original is not touched: the OpenAPI document is built from it.
    expect((schema.properties.a as { anyOf?: unknown[] }).anyOf).toHaveLength(2);
  });
});
