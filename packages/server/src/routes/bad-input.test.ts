import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { useHarness, useKey, useProject } from "../test-support/harness.js";
import { apiState } from "../test-support/state.js";

describe.each(await testDialects())("bad input on %s", (dialect) => {
  const h = useHarness(dialect);
  const project = useProject(h);
  const key = useKey(h, project);

  const json = { "content-type": "application/json" };
  const cases: [string, string, string, unknown, Record<string, string>, number, string][] = [
    ["bad JSON", "POST", "/v1/keys", '{"projectId": ', json, 400, "INVALID_JSON"],
    ["a JSON array", "POST", "/v1/keys", "[1,2]", json, 400, "VALIDATION_ERROR"],
    [
      "prototype poisoning",
      "POST",
      "/v1/projects",
      '{"name":"x","prefix":"xx","__proto__":{"admin":true}}',
      json,
      400,
      "INVALID_JSON",
    ],
    ["a wrong type", "POST", "/v1/keys", { projectId: 42 }, {}, 400, "VALIDATION_ERROR"],
    [
      "a string for a boolean",
      "POST",
      "/v1/keys",
      { projectId: "PID", enabled: "true" },
      {},
      400,
      "VALIDATION_ERROR",
    ],
    ["an unknown field", "POST", "/v1/keys", { projectId: "PID", admin: true }, {}, 400, "VALIDATION_ERROR"],
    ["an unknown type", "POST", "/v1/keys", { projectId: "PID", type: "super" }, {}, 400, "VALIDATION_ERROR"],
    [
      "a bad scope",
      "POST",
      "/v1/keys",
      { projectId: "PID", scopes: ["no spaces"] },
      {},
      400,
      "VALIDATION_ERROR",
    ],
    [
      "a bad timestamp",
      "POST",
      "/v1/keys",
      { projectId: "PID", expiresAt: "tomorrow" },
      {},
      400,
      "VALIDATION_ERROR",
    ],
    ["a bad id", "GET", "/v1/keys/not-an-id", undefined, {}, 400, "VALIDATION_ERROR"],
    ["an unknown key id", "GET", "/v1/keys/key_0000000000000000000000", undefined, {}, 404, "KEY_NOT_FOUND"],
    ["an unknown query field", "GET", "/v1/keys?sort=asc", undefined, {}, 400, "VALIDATION_ERROR"],
    ["a bad grace period", "POST", "/v1/keys/KID/roll", { gracePeriod: "soon" }, {}, 400, "VALIDATION_ERROR"],
    ["a negative cost", "POST", "/v1/keys/verify", { key: "x", cost: -1 }, {}, 400, "VALIDATION_ERROR"],
    ["a key that is not a string", "POST", "/v1/keys/verify", { key: 12345 }, {}, 400, "VALIDATION_ERROR"],
    ["an empty JSON body", "POST", "/v1/keys", "", json, 400, "VALIDATION_ERROR"],
    [
      "text/plain",
      "POST",
      "/v1/keys",
      "projectId=x",
      { "content-type": "text/plain" },
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "form encoding",
      "POST",
      "/v1/projects",
      "name=x&prefix=yy",
      { "content-type": "application/x-www-form-urlencoded" },
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    ["an empty patch", "PATCH", "/v1/keys/KID", {}, {}, 400, "VALIDATION_ERROR"],
    ["an unknown route", "GET", "/v1/nope", undefined, {}, 404, "ROUTE_NOT_FOUND"],
  ];

  it.each(cases)(
    "answers %s with a stable code and changes nothing",
    async (_label, method, url, body, headers, status, code) => {
      const before = await apiState(h);
      const fill = (text: string) => text.replaceAll("PID", project.id).replaceAll("KID", key.id);
      const payload =
        typeof body === "string"
          ? fill(body)
          : body === undefined
            ? undefined
            : JSON.parse(fill(JSON.stringify(body)));
      const res = await h.api(method, fill(url), payload, { headers });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(res.body.error.requestId).toBe(res.headers["x-request-id"]);
      expect(typeof res.body.error.message).toBe("string");
      expect(await apiState(h)).toBe(before);
    },
  );

  it("answers a huge body with 413 and changes nothing", async () => {
    const before = await apiState(h);
    const res = await h.api("POST", "/v1/keys", {
      projectId: project.id,
      meta: { blob: "x".repeat(2 * 1024 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await apiState(h)).toBe(before);
  });

  it("never echoes a key from a rejected body", async () => {
    const { key } = await h.key(project.id);
    const res = await h.verify({ key, extra: key });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain(key);
  });

  it("survives a database failure with a 500 that carries no internals", async () => {
    const { app } = await import("../test-support/failing-app.js").then((m) => m.failingApp());
    const res = await app.inject({
      method: "GET",
      url: "/v1/projects",
      headers: { authorization: `Bearer ${h.rootKey}` },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json().error).toMatchObject({
      code: "INTERNAL_ERROR",
      message: "Something went wrong on our side.",
    });
    expect(res.body).not.toMatch(/boom|stack|at /);
    await app.close();
  });
});
