import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

/** Answers that carry a secret must never be kept by a browser or a shared cache. */
describe("Cache-Control: no-store on every answer that carries a secret", () => {
  let h: Harness;
  let projectId: string;

  beforeAll(async () => {
    h = await createHarness("sqlite", { masterKey: randomBytes(32) });
    projectId = (await h.project()).id;
    await h.api("POST", `/v1/secrets/production/STRIPE_KEY?projectId=${projectId}`, { value: "sk_example" });
  });
  afterAll(() => h.close());

  it.each([
    ["key create", "POST", "/v1/keys", () => ({ projectId }), 201],
    ["root-key create", "POST", "/v1/root-keys", () => ({ scopes: ["keys:read"] }), 201],
    [
      "webhook create",
      "POST",
      "/v1/webhooks",
      () => ({ url: "https://hooks.example.com/a", events: ["key.leaked"] }),
      201,
    ],
    [
      "secret reveal",
      "GET",
      "/v1/secrets/production/STRIPE_KEY?projectId=PID",
      (): unknown => undefined,
      200,
    ],
    [
      "secret export",
      "GET",
      "/v1/secrets/export?environment=production&projectId=PID",
      (): unknown => undefined,
      200,
    ],
  ] as const)("%s", async (_name, method, url, body, status) => {
    const res = await h.api(method, url.replace("PID", projectId), body());
    expect(res.status).toBe(status);
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("on a roll, which answers the new key", async () => {
    const { id } = await h.key(projectId);
    const res = await h.api("POST", `/v1/keys/${id}/roll`, {});
    expect(res.status).toBe(201);
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("and not on answers without one", async () => {
    const res = await h.api("GET", "/v1/keys");
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBeUndefined();
  });
});
