import { randomBytes } from "node:crypto";
import { ERRORS } from "@keysmith/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiResponse, createHarness, type Harness } from "../test-support/harness.js";

const HOUR = 3_600_000;
const unknown = (prefix: string) => `${prefix}_${"0".repeat(22)}`;

/** The body without its request id, which differs on every answer. */
const withoutRequestId = (res: ApiResponse) => {
  const { requestId, ...rest } = res.body.error;
  expect(requestId).toMatch(/^req_/);
  return { status: res.status, error: rest };
};

/**
 * Specific error codes (docs/errors.md): each missing thing has its own 404 code, each refusing
 * state its own 409 code, and another project's resource answers exactly like a missing one.
 */
describe("error codes", () => {
  let h: Harness;
  let a: { id: string };
  let b: { id: string };
  let bAdmin: string;
  let openapi: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

  beforeAll(async () => {
    h = await createHarness("sqlite", { masterKey: randomBytes(32) });
    a = await h.project();
    b = await h.project();
    bAdmin = (await h.api("POST", "/v1/root-keys", { projectId: b.id, scopes: ["admin"] })).body.key;
    openapi = JSON.parse((await h.keysmith.app.inject({ url: "/openapi.json" })).body);
  });
  afterAll(() => h.close());

  /** The codes `/openapi.json` declares for a route's 404 answer. */
  const declared404 = (method: string, path: string): string[] => {
    const response = openapi.paths[path]?.[method]?.responses["404"] as
      | {
          content: {
            "application/json": {
              schema: { properties: { error: { properties: { code: { enum: string[] } } } } };
            };
          };
        }
      | undefined;
    return response?.content["application/json"].schema.properties.error.properties.code.enum ?? [];
  };

  it("answers KEY_NOT_FOUND for an unknown key, and the same body for another project's key", async () => {
    const missing = await h.api("GET", `/v1/keys/${unknown("key")}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "KEY_NOT_FOUND", message: "No such key." });
    expect(missing.body.error).not.toHaveProperty("details");

    const keyOfA = await h.key(a.id);
    const hidden = await h.api("GET", `/v1/keys/${keyOfA.id}`, undefined, { key: bAdmin });
    // A different id in the path, the same answer: no oracle for whether A's key exists.
    expect(withoutRequestId(hidden)).toEqual(withoutRequestId(missing));
    expect(declared404("get", "/v1/keys/{id}")).toEqual(["KEY_NOT_FOUND"]);
  });

  it("answers PROJECT_NOT_FOUND for an unknown project, and the same body for another project", async () => {
    const missing = await h.api("GET", `/v1/projects/${unknown("proj")}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "PROJECT_NOT_FOUND", message: "No such project." });
    const hidden = await h.api("GET", `/v1/projects/${a.id}`, undefined, { key: bAdmin });
    expect(withoutRequestId(hidden)).toEqual(withoutRequestId(missing));
    // A projectId in a body answers the same code.
    const key = await h.api("POST", "/v1/keys", { projectId: unknown("proj") });
    expect(key.status).toBe(404);
    expect(key.body.error.code).toBe("PROJECT_NOT_FOUND");
    expect(declared404("post", "/v1/keys")).toEqual(["PROJECT_NOT_FOUND"]);
  });

  it("answers ROOT_KEY_NOT_FOUND, WEBHOOK_NOT_FOUND, SECRET_NOT_FOUND and SECRET_VERSION_NOT_FOUND", async () => {
    const rootKey = await h.api("POST", `/v1/root-keys/${unknown("root")}/revoke`);
    expect([rootKey.status, rootKey.body.error.code]).toEqual([404, "ROOT_KEY_NOT_FOUND"]);
    const webhook = await h.api("GET", `/v1/webhooks/${unknown("whk")}`);
    expect([webhook.status, webhook.body.error.code]).toEqual([404, "WEBHOOK_NOT_FOUND"]);

    const secret = await h.api("GET", `/v1/secrets/production/NOPE?projectId=${a.id}`);
    expect([secret.status, secret.body.error.code]).toEqual([404, "SECRET_NOT_FOUND"]);
    const set = await h.api("POST", `/v1/secrets/production/THERE?projectId=${a.id}`, { value: "v1" });
    expect(set.status).toBe(201);
    const version = await h.api("GET", `/v1/secrets/production/THERE?projectId=${a.id}&version=2`);
    expect(version.status).toBe(404);
    expect(version.body.error).toMatchObject({ code: "SECRET_VERSION_NOT_FOUND", details: { version: 2 } });
    expect(declared404("get", "/v1/secrets/{environment}/{name}").sort()).toEqual([
      "PROJECT_NOT_FOUND",
      "SECRET_NOT_FOUND",
      "SECRET_VERSION_NOT_FOUND",
    ]);
  });

  it("answers KEY_ALREADY_ROLLED and KEY_EXPIRED (409) where a roll is refused", async () => {
    const key = await h.key(a.id);
    expect((await h.api("POST", `/v1/keys/${key.id}/roll`, { gracePeriod: "1h" })).status).toBe(201);
    const again = await h.api("POST", `/v1/keys/${key.id}/roll`, { gracePeriod: "1h" });
    expect([again.status, again.body.error.code]).toEqual([409, "KEY_ALREADY_ROLLED"]);

    const expiring = await h.key(a.id, { expiresAt: new Date(h.clock.now() + HOUR).toISOString() });
    h.clock.advance(2 * HOUR);
    const expired = await h.api("POST", `/v1/keys/${expiring.id}/roll`, {});
    expect([expired.status, expired.body.error.code]).toEqual([409, "KEY_EXPIRED"]);
  });

  it("answers 422, not 400, for well-formed requests refused by a rule about meaning or state", async () => {
    const noProject = await h.api("POST", "/v1/keys", {});
    expect(noProject.status).toBe(422);
    expect(noProject.body.error).toMatchObject({ code: "UNPROCESSABLE", details: { field: "projectId" } });

    const twice = await h.api("POST", "/v1/keys", {
      projectId: a.id,
      ratelimits: [
        { name: "w", limit: 1, duration: "1m" },
        { name: "w", limit: 5, duration: "1h" },
      ],
    });
    // Items of a list that must be unique break the list's form: 400, for keys and identities alike.
    expect([twice.status, twice.body.error.code]).toEqual([400, "VALIDATION_ERROR"]);

    const backwards = await h.api(
      "GET",
      `/v1/usage?projectId=${a.id}&granularity=hour&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`,
    );
    expect([backwards.status, backwards.body.error.code]).toEqual([422, "UNPROCESSABLE"]);

    const metadata = await h.api("POST", "/v1/webhooks", {
      projectId: a.id,
      url: "http://169.254.169.254/latest/meta-data/",
      events: ["key.leaked"],
    });
    expect([metadata.status, metadata.body.error.code]).toEqual([422, "WEBHOOK_TARGET_REFUSED"]);
  });

  it("answers 400, not 422, for a value over its documented limit", async () => {
    // Under the schema's 65,536 characters, over the 64 KiB of UTF-8 the vault stores.
    const big = await h.api("POST", `/v1/secrets/production/BIG?projectId=${a.id}`, {
      value: "é".repeat(40_000),
    });
    expect(big.status).toBe(400);
    expect(big.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "value" } });
  });

  it("declares every registered code in the shared error schema of /openapi.json", () => {
    const response = openapi.paths["/v1/keys"]?.get?.responses["400"] as {
      content: {
        "application/json": {
          schema: { properties: { error: { properties: { code: { enum: string[] } } } } };
        };
      };
    };
    expect(response.content["application/json"].schema.properties.error.properties.code.enum).toEqual(
      Object.keys(ERRORS),
    );
  });
});
