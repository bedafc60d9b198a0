import type { Key as ApiKey } from "@keysmith/sdk";
import { describe, expect, it } from "vitest";
import { changedFields, emptyKeyForm, keyFormFrom, keyFormToBody } from "./key-form";

const KEY: ApiKey = {
  id: "key_1",
  projectId: "proj_1",
  type: "restricted",
  environment: "live",
  status: "active",
  start: "acme_rk_live_3fTz",
  last4: "9xQa",
  ownerId: "cus_42",
  name: "Checkout",
  scopes: ["invoices:read"],
  meta: { plan: "pro" },
  allowedOrigins: null,
  allowedIps: ["10.0.0.0/8"],
  enabled: true,
  expiresAt: "2020-01-01T00:00:00.000Z",
  createdAt: "2019-01-01T00:00:00.000Z",
  updatedAt: "2019-01-01T00:00:00.000Z",
  lastUsedAt: null,
  revokedAt: null,
  rolledFrom: null,
  rolledTo: null,
  ratelimits: [{ name: "burst", limit: 50, duration: 1000 }],
  credits: { remaining: 100, refill: { amount: 100, interval: "month" } },
  budget: { limit: 500, period: "month", thresholds: [0.8, 1], hardCap: true },
  roles: [],
};

describe("the key form", () => {
  it("creates with only what was filled in, so the server's defaults apply", () => {
    const result = keyFormToBody(emptyKeyForm("test"), "create");
    expect(result).toEqual({ ok: true, body: { type: "secret", environment: "test" } });
  });

  it("turns every option into the API's shape", () => {
    const result = keyFormToBody(
      {
        ...emptyKeyForm(),
        type: "publishable",
        name: " Web ",
        ownerId: "cus_1",
        scopes: "catalog:read, catalog:list",
        allowedOrigins: "https://app.example.com\nhttps://*.example.com",
        allowedIps: "",
        ratelimits: [{ name: "burst", limit: "50", duration: "1s" }],
        creditsRemaining: "1000",
        refillAmount: "1000",
        refillInterval: "month",
        budgetLimit: "500",
        budgetThresholds: "50, 80%, 100",
        budgetHardCap: false,
        meta: '{"plan":"pro"}',
      },
      "create",
    );
    expect(result).toEqual({
      ok: true,
      body: {
        type: "publishable",
        environment: "live",
        name: "Web",
        ownerId: "cus_1",
        scopes: ["catalog:read", "catalog:list"],
        allowedOrigins: ["https://app.example.com", "https://*.example.com"],
        ratelimits: [{ name: "burst", limit: 50, duration: "1s" }],
        credits: { remaining: 1000, refill: { amount: 1000, interval: "month" } },
        budget: { limit: 500, period: "month", thresholds: [0.5, 0.8, 1], hardCap: false },
        meta: { plan: "pro" },
      },
    });
  });

  it("says which fields are wrong", () => {
    const result = keyFormToBody(
      {
        ...emptyKeyForm(),
        type: "restricted",
        ratelimits: [{ name: "bad name", limit: "0", duration: "soon" }],
        budgetLimit: "-1",
        meta: "[1]",
        expiresAt: "2001-01-01T00:00",
      },
      "create",
    );
    expect(result.ok).toBe(false);
    expect(Object.keys(result.ok ? {} : result.errors).sort()).toEqual([
      "budgetLimit",
      "expiresAt",
      "meta",
      "ratelimits.0.duration",
      "ratelimits.0.limit",
      "ratelimits.0.name",
      "scopes",
    ]);
  });

  it("edits by sending only what changed, null to clear", () => {
    const initial = keyFormFrom(KEY);
    const before = keyFormToBody(initial, "edit");
    expect(before.ok).toBe(true);
    if (!before.ok) return;
    // An untouched form changes nothing, even with an expiry in the past.
    const same = keyFormToBody(initial, "edit");
    expect(same.ok && changedFields(before.body, same.body)).toEqual({});

    const next = keyFormToBody(
      { ...initial, scopes: "invoices:read invoices:write", allowedIps: "", budgetLimit: "" },
      "edit",
    );
    expect(next.ok && changedFields(before.body, next.body)).toEqual({
      scopes: ["invoices:read", "invoices:write"],
      allowedIps: null,
      budget: null,
    });
  });
});
