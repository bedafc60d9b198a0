import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

describe("health, metrics and the OpenAPI document", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness("sqlite");
  });
  afterAll(() => h.close());

  it("answers /healthz and /readyz without a key", async () => {
    expect((await h.api("GET", "/healthz", undefined, { key: null })).body).toEqual({ status: "ok" });
    expect((await h.api("GET", "/readyz", undefined, { key: null })).body).toEqual({
      status: "ready",
      database: true,
      changeFeed: "local",
      cache: "normal",
    });
  });

  it("counts requests and verification outcomes in /metrics", async () => {
    const project = await h.project();
    const { key } = await h.key(project.id);
    await h.verify({ key });
    await h.verify({ key: "nope" });
    const metrics = await h.api("GET", "/metrics", undefined, { key: null });
    expect(metrics.headers["content-type"]).toMatch(/text\/plain/);
    expect(metrics.text).toMatch(/keysmith_verifications_total\{code="VALID"\} 1/);
    expect(metrics.text).toMatch(/keysmith_verifications_total\{code="MALFORMED"\} 1/);
    expect(metrics.text).toMatch(
      /keysmith_http_requests_total\{method="POST",route="\/v1\/keys\/verify",status="200"\} 2/,
    );
    expect(metrics.text).toMatch(
      /keysmith_http_request_duration_seconds_bucket\{le="0.005",route="\/v1\/keys\/verify"\}/,
    );
    expect(metrics.text).toMatch(/keysmith_verify_cache_keys 1/);
  });

  it("serves an OpenAPI 3.1 document generated from the route schemas, and /docs", async () => {
    const doc = await h.api("GET", "/openapi.json", undefined, { key: null });
    expect(doc.body.openapi).toBe("3.1.0");
    for (const path of [
      "/v1/projects",
      "/v1/keys",
      "/v1/keys/{id}",
      "/v1/keys/{id}/roll",
      "/v1/keys/{id}/revoke",
      "/v1/keys/verify",
      "/v1/root-keys",
      "/v1/audit",
    ]) {
      expect(doc.body.paths).toHaveProperty(path);
    }
    expect(
      doc.body.paths["/v1/keys/verify"].post.requestBody.content["application/json"].schema.required,
    ).toEqual(["key"]);
    const docs = await h.api("GET", "/docs/", undefined, { key: null });
    expect(docs.status).toBe(200);
    expect(docs.text).toMatch(/swagger/i);
  });
});
