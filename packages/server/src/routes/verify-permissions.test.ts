import { KeysmithError, MAX_PERMISSION_QUERY_LENGTH, parsePermissionQuery } from "@keysmith/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

// Permission queries are decided in the verifier and the schema, above storage: SQLite suffices.
describe("POST /v1/keys/verify with permissions (SPEC §10)", () => {
  let h: Harness;
  let projectId: string;
  const SPEC_QUERY = "invoices:read AND (refunds:write OR billing:*)";

  beforeAll(async () => {
    h = await createHarness("sqlite");
    projectId = (await h.project()).id;
  });
  afterAll(() => h.close());

  it.each([
    [["invoices:read", "refunds:write"], "VALID"],
    [["invoices:*", "billing:*"], "VALID"],
    [["*"], "VALID"],
    [["invoices:read", "billing:read"], "INSUFFICIENT_SCOPE"],
    [["refunds:write", "billing:*"], "INSUFFICIENT_SCOPE"],
  ])("a key with %j answers %s to the SPEC's example query", async (scopes, code) => {
    const { key } = await h.key(projectId, { scopes });
    const res = await h.verify({ key, permissions: SPEC_QUERY });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code, valid: code === "VALID", scopes });
  });

  it("needs both `scopes` (all of them) and `permissions` when both are given", async () => {
    const { key } = await h.key(projectId, { scopes: ["a:read", "b:write"] });
    const verify = async (scopes: string[], permissions: string) =>
      (await h.verify({ key, scopes, permissions })).body.code;
    expect(await verify(["a:read"], "b:write OR c:read")).toBe("VALID");
    expect(await verify(["a:read", "c:read"], "b:write")).toBe("INSUFFICIENT_SCOPE");
    expect(await verify(["a:read"], "c:read AND b:write")).toBe("INSUFFICIENT_SCOPE");
  });

  it("consumes no rate limit when the query fails", async () => {
    const { key } = await h.key(projectId, {
      scopes: ["a:read"],
      ratelimits: [{ name: "burst", limit: 1, duration: "1m" }],
    });
    for (let i = 0; i < 3; i++) {
      expect((await h.verify({ key, permissions: "a:write" })).body.code).toBe("INSUFFICIENT_SCOPE");
    }
    const res = await h.verify({ key, permissions: "a:read OR a:write" });
    expect(res.body).toMatchObject({ code: "VALID", ratelimits: [{ name: "burst", remaining: 0 }] });
  });

  it("answers 400 INVALID_PERMISSION_QUERY with the position, before looking at the key", async () => {
    const { key } = await h.key(projectId, { scopes: ["*"] });
    for (const candidate of [key, "not-a-key", `${key.slice(0, -1)}0`]) {
      const res = await h.verify({ key: candidate, permissions: "a:read AND (b:write OR" });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: "INVALID_PERMISSION_QUERY",
        message:
          'Invalid permission query at position 22: expected a scope or "(", found the end of the query.',
        details: { position: 22, expected: ["scope", "("], found: "end" },
      });
      expect(res.text).not.toContain(key);
    }
  });

  it.each([
    ["a lowercase operator", "a:read and b:read", 7, "operators are uppercase"],
    ["a missing parenthesis", "(a:read OR b:read", 17, '")"'],
    ["a stray character", "a:read && b:read", 7, '"&"'],
    ["an invalid scope", "a:read AND b::read", 11, "is not a scope"],
    ["an empty query", "", 0, "a scope"],
    ["parentheses 33 deep", `${"(".repeat(33)}a${")".repeat(33)}`, 32, "more than 32 deep"],
  ])("refuses %s at its position", async (_label, permissions, position, text) => {
    const { key } = await h.key(projectId, { scopes: ["*"] });
    const res = await h.verify({ key, permissions });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_PERMISSION_QUERY");
    expect(res.body.error.details.position).toBe(position);
    expect(res.body.error.message).toContain(`at position ${position}:`);
    expect(res.body.error.message).toContain(text);
  });

  it(`answers INVALID_PERMISSION_QUERY, not VALIDATION_ERROR, past ${MAX_PERMISSION_QUERY_LENGTH} characters`, async () => {
    const { key } = await h.key(projectId, { scopes: ["*"] });
    const long = Array.from({ length: 300 }, (_, i) => `s:${i}`).join(" OR ");
    const res = await h.verify({ key, permissions: long });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: "INVALID_PERMISSION_QUERY",
      details: { position: MAX_PERMISSION_QUERY_LENGTH },
    });
  });

  it("answers VALIDATION_ERROR to a query that is not a string", async () => {
    const { key } = await h.key(projectId);
    for (const permissions of [42, ["a:read"], null]) {
      const res = await h.verify({ key, permissions });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
    }
  });

  it("documents the field in /openapi.json with its length limit", async () => {
    const doc = await h.api("GET", "/openapi.json", undefined, { key: null });
    const body = doc.body.paths["/v1/keys/verify"].post.requestBody.content["application/json"].schema;
    expect(body.properties.permissions).toMatchObject({
      type: "string",
      maxLength: MAX_PERMISSION_QUERY_LENGTH,
    });
  });

  it("in process: throws INVALID_PERMISSION_QUERY for a bad query whatever the key, and takes a parsed one", async () => {
    const { key } = await h.key(projectId, { scopes: ["a:read"] });
    const verifier = h.keysmith.verifier;
    for (const candidate of [key, "garbage"]) {
      expect(() => verifier.verify({ key: candidate, permissions: "a:read OR" })).toThrow(KeysmithError);
    }
    const parsed = parsePermissionQuery("a:read AND (b:read OR a:*)");
    const wide = parsePermissionQuery("a:read OR b:read");
    if (!parsed.ok || !wide.ok) throw new Error("the queries parse");
    expect((await verifier.verify({ key, permissions: parsed.query })).code).toBe("INSUFFICIENT_SCOPE");
    expect((await verifier.verify({ key, permissions: wide.query })).code).toBe("VALID");
  });
});
