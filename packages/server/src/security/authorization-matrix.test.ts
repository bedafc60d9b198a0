import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT_SCOPES, type RootScope } from "../domain/access.js";
import { createHarness, type Harness } from "../test-support/harness.js";

/**
 * The authorization matrix, generated from `/openapi.json`: every operation × every kind of
 * caller that must be refused. A route added without a declared scope, or without an example
 * below, fails here; so does one that answers a refused caller with anything but the right
 * 401/403/404 (or 200 with nothing of another project in it), changes state for it, or 500s.
 */

interface Operation {
  method: string;
  path: string;
  scope: string | undefined;
  /** The codes the route's 404 answer declares in /openapi.json (none when it declares no 404). */
  notFoundCodes: string[];
}

/** A request that the route's own scope holder, bound to project A, may make, and what a key bound to project B gets. */
interface Example {
  request(): Promise<{ url: string; body?: unknown }>;
  /**
   * For a root key with the scope but bound to project B: a status, `filtered` (200 without A's
   * data: lists answer another project's id as if it did not exist, with an empty page), or
   * `not-found-answer` (verify: 200 with code NOT_FOUND, SPEC §4).
   */
  otherProject: 403 | 404 | "filtered" | "not-found-answer";
  /** The positive control's status (default 200). */
  ok?: number;
  /** Server-Sent Events: the positive cases never end, so only the refusals are sent. */
  stream?: boolean;
}

/** Routes that take no root key: sign-in takes one in its body; the session routes read the cookie. */
const WITHOUT_ROOT_KEY = new Set([
  "POST /v1/sessions",
  "GET /v1/sessions/current",
  "DELETE /v1/sessions/current",
  // Authenticated by GitHub's signature over the body (routes/github-leaks.test.ts).
  "POST /v1/leaks/github",
]);

describe("the authorization matrix, from /openapi.json", () => {
  let h: Harness;
  let operations: Operation[];
  let a: { id: string; prefix: string };
  let b: { id: string; prefix: string };
  let keyA: { id: string; key: string };
  let bAdmin: string;
  const lacking = new Map<string, string>();
  let examples: Record<string, Example>;
  let counter = 0;

  const fresh = async () => h.key(a.id);
  const rootKeyOfA = async () =>
    (await h.api("POST", "/v1/root-keys", { projectId: a.id, scopes: ["keys:read"] })).body as {
      id: string;
      key: string;
    };
  const webhookOfA = async () =>
    (
      await h.api("POST", "/v1/webhooks", {
        projectId: a.id,
        url: "https://hooks.example.com/keysmith",
        events: ["key.leaked"],
      })
    ).body as { id: string };
  const secretOfA = async (name: string) => {
    const res = await h.api("POST", `/v1/secrets/production/${name}?projectId=${a.id}`, { value: "s3cret" });
    expect(res.status).toBe(201);
    return name;
  };
  const name = () => `SECRET_${++counter}`;
  const identityOfA = async () =>
    (await h.api("POST", "/v1/identities", { projectId: a.id, externalId: `cus_${++counter}` })).body as {
      id: string;
    };
  const roleOfA = async () =>
    (await h.api("POST", "/v1/roles", { projectId: a.id, name: `role${++counter}`, scopes: ["a:b"] }))
      .body as {
      id: string;
    };

  beforeAll(async () => {
    h = await createHarness("sqlite", { masterKey: randomBytes(32) });
    type Codes = { properties?: { code?: { enum?: string[] } } };
    type NotFound = { content?: { "application/json"?: { schema?: { properties?: { error?: Codes } } } } };
    const doc = JSON.parse((await h.keysmith.app.inject({ url: "/openapi.json" })).body) as {
      paths: Record<
        string,
        Record<string, { "x-keysmith-scope"?: string; responses?: Record<string, NotFound> }>
      >;
    };
    operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        scope: op["x-keysmith-scope"],
        notFoundCodes:
          op.responses?.["404"]?.content?.["application/json"]?.schema?.properties?.error?.properties?.code
            ?.enum ?? [],
      })),
    );
    a = await h.project();
    b = await h.project();
    keyA = await h.key(a.id);
    bAdmin = (await h.api("POST", "/v1/root-keys", { projectId: b.id, scopes: ["admin"] })).body.key;
    for (const scope of ROOT_SCOPES) {
      const others = ROOT_SCOPES.filter((s) => s !== scope && s !== "admin");
      const res = await h.api("POST", "/v1/root-keys", { projectId: a.id, scopes: others });
      lacking.set(scope, res.body.key);
    }

    examples = {
      "POST /v1/projects": {
        request: async () => ({ url: "/v1/projects", body: { name: "n", prefix: `m${++counter}x` } }),
        otherProject: 403,
        ok: 201,
      },
      "GET /v1/projects": { request: async () => ({ url: "/v1/projects" }), otherProject: "filtered" },
      "GET /v1/projects/{id}": { request: async () => ({ url: `/v1/projects/${a.id}` }), otherProject: 404 },
      "PATCH /v1/projects/{id}": {
        request: async () => ({ url: `/v1/projects/${a.id}`, body: { name: "renamed" } }),
        otherProject: 404,
      },
      "POST /v1/keys/verify": {
        request: async () => ({ url: "/v1/keys/verify", body: { key: keyA.key } }),
        otherProject: "not-found-answer",
      },
      "POST /v1/keys": {
        request: async () => ({ url: "/v1/keys", body: { projectId: a.id } }),
        otherProject: 404,
        ok: 201,
      },
      "GET /v1/keys": {
        request: async () => ({ url: `/v1/keys?projectId=${a.id}` }),
        otherProject: "filtered",
      },
      "GET /v1/keys/{id}": { request: async () => ({ url: `/v1/keys/${keyA.id}` }), otherProject: 404 },
      "PATCH /v1/keys/{id}": {
        request: async () => ({ url: `/v1/keys/${keyA.id}`, body: { name: "renamed" } }),
        otherProject: 404,
      },
      "POST /v1/keys/{id}/roll": {
        request: async () => ({ url: `/v1/keys/${(await fresh()).id}/roll`, body: { gracePeriod: "1h" } }),
        otherProject: 404,
        ok: 201,
      },
      "POST /v1/keys/import": {
        request: async () => ({
          url: "/v1/keys/import",
          body: {
            projectId: a.id,
            keys: [{ hash: randomBytes(32).toString("hex"), type: "secret", environment: "live" }],
          },
        }),
        otherProject: 404,
        ok: 201,
      },
      "POST /v1/keys/{id}/credits": {
        request: async () => ({ url: `/v1/keys/${keyA.id}/credits`, body: { op: "set", amount: 5 } }),
        otherProject: 404,
      },
      "POST /v1/keys/{id}/revoke": {
        request: async () => ({ url: `/v1/keys/${(await fresh()).id}/revoke` }),
        otherProject: 404,
      },
      "POST /v1/leaks": {
        request: async () => ({ url: "/v1/leaks", body: { keys: ["not a key"] } }),
        otherProject: "filtered",
      },
      "POST /v1/root-keys": {
        request: async () => ({ url: "/v1/root-keys", body: { projectId: a.id, scopes: ["keys:read"] } }),
        otherProject: 403,
        ok: 201,
      },
      "GET /v1/root-keys": {
        request: async () => ({ url: "/v1/root-keys?limit=500" }),
        otherProject: "filtered",
      },
      "POST /v1/root-keys/{id}/revoke": {
        request: async () => ({ url: `/v1/root-keys/${(await rootKeyOfA()).id}/revoke` }),
        otherProject: 404,
      },
      "GET /v1/audit": {
        request: async () => ({ url: `/v1/audit?projectId=${a.id}` }),
        otherProject: "filtered",
      },
      "GET /v1/audit/verify": {
        request: async () => ({ url: "/v1/audit/verify" }),
        otherProject: "filtered",
      },
      "POST /v1/webhooks": {
        request: async () => ({
          url: "/v1/webhooks",
          body: { projectId: a.id, url: "https://hooks.example.com/k", events: ["key.leaked"] },
        }),
        otherProject: 404,
        ok: 201,
      },
      "GET /v1/webhooks": { request: async () => ({ url: "/v1/webhooks" }), otherProject: "filtered" },
      "GET /v1/webhooks/{id}": {
        request: async () => ({ url: `/v1/webhooks/${(await webhookOfA()).id}` }),
        otherProject: 404,
      },
      "DELETE /v1/webhooks/{id}": {
        request: async () => ({ url: `/v1/webhooks/${(await webhookOfA()).id}` }),
        otherProject: 404,
      },
      "GET /v1/webhooks/{id}/deliveries": {
        request: async () => ({ url: `/v1/webhooks/${(await webhookOfA()).id}/deliveries` }),
        otherProject: 404,
      },
      "GET /v1/alerts": {
        request: async () => ({ url: `/v1/alerts?projectId=${a.id}` }),
        otherProject: "filtered",
      },
      "GET /v1/keys/{id}/usage": {
        request: async () => ({ url: `/v1/keys/${keyA.id}/usage` }),
        otherProject: 404,
      },
      "GET /v1/usage": { request: async () => ({ url: `/v1/usage?projectId=${a.id}` }), otherProject: 404 },
      "POST /v1/usage": {
        request: async () => ({ url: "/v1/usage", body: { keys: [{ keyId: keyA.id, count: 1 }] } }),
        otherProject: "filtered",
      },
      "GET /v1/secrets": {
        request: async () => ({ url: `/v1/secrets?projectId=${a.id}` }),
        otherProject: 404,
      },
      "GET /v1/secrets/export": {
        request: async () => ({ url: `/v1/secrets/export?projectId=${a.id}&environment=production` }),
        otherProject: 404,
      },
      "POST /v1/secrets/{environment}/{name}": {
        request: async () => ({
          url: `/v1/secrets/production/${name()}?projectId=${a.id}`,
          body: { value: "v" },
        }),
        otherProject: 404,
        ok: 201,
      },
      "GET /v1/secrets/{environment}/{name}": {
        request: async () => ({ url: `/v1/secrets/production/${await secretOfA(name())}?projectId=${a.id}` }),
        otherProject: 404,
      },
      "PATCH /v1/secrets/{environment}/{name}": {
        request: async () => ({
          url: `/v1/secrets/production/${await secretOfA(name())}?projectId=${a.id}`,
          body: { rotateEvery: "90d" },
        }),
        otherProject: 404,
      },
      "DELETE /v1/secrets/{environment}/{name}": {
        request: async () => ({ url: `/v1/secrets/production/${await secretOfA(name())}?projectId=${a.id}` }),
        otherProject: 404,
      },
      "POST /v1/secrets/{environment}/{name}/restore": {
        request: async () => {
          const secret = await secretOfA(name());
          await h.api("DELETE", `/v1/secrets/production/${secret}?projectId=${a.id}`);
          return { url: `/v1/secrets/production/${secret}/restore?projectId=${a.id}` };
        },
        otherProject: 404,
      },
      "GET /v1/secrets/{environment}/{name}/versions": {
        request: async () => ({
          url: `/v1/secrets/production/${await secretOfA(name())}/versions?projectId=${a.id}`,
        }),
        otherProject: 404,
      },
      "POST /v1/ratelimit": {
        request: async () => ({
          url: "/v1/ratelimit",
          body: { namespace: "matrix", identifier: `id${++counter}`, limit: 10, duration: "1m" },
        }),
        // Namespaces span projects: any root key with the scope may count against them.
        otherProject: "filtered",
      },
      "PUT /v1/ratelimit/overrides": {
        request: async () => ({
          url: "/v1/ratelimit/overrides",
          body: { namespace: "matrix", identifier: `id${++counter}`, limit: 10, duration: "1m" },
        }),
        otherProject: 403,
      },
      "GET /v1/ratelimit/overrides": {
        request: async () => ({ url: "/v1/ratelimit/overrides?namespace=matrix" }),
        otherProject: "filtered",
      },
      "DELETE /v1/ratelimit/overrides": {
        request: async () => {
          const identifier = `id${++counter}`;
          await h.api("PUT", "/v1/ratelimit/overrides", {
            namespace: "matrix",
            identifier,
            limit: 1,
            duration: "1s",
          });
          return { url: `/v1/ratelimit/overrides?namespace=matrix&identifier=${identifier}` };
        },
        otherProject: 403,
      },
      "POST /v1/identities": {
        request: async () => ({
          url: "/v1/identities",
          body: { projectId: a.id, externalId: `cus_${++counter}` },
        }),
        otherProject: 404,
        ok: 201,
      },
      "GET /v1/identities": {
        request: async () => ({ url: `/v1/identities?projectId=${a.id}` }),
        otherProject: "filtered",
      },
      "GET /v1/identities/{id}": {
        request: async () => ({ url: `/v1/identities/${(await identityOfA()).id}` }),
        otherProject: 404,
      },
      "PATCH /v1/identities/{id}": {
        request: async () => ({
          url: `/v1/identities/${(await identityOfA()).id}`,
          body: { meta: { a: 1 } },
        }),
        otherProject: 404,
      },
      "DELETE /v1/identities/{id}": {
        request: async () => ({ url: `/v1/identities/${(await identityOfA()).id}` }),
        otherProject: 404,
      },
      "POST /v1/roles": {
        request: async () => ({
          url: "/v1/roles",
          body: { projectId: a.id, name: `role${++counter}`, scopes: ["a:b"] },
        }),
        otherProject: 404,
        ok: 201,
      },
      "GET /v1/roles": {
        request: async () => ({ url: `/v1/roles?projectId=${a.id}` }),
        otherProject: "filtered",
      },
      "GET /v1/roles/{id}": {
        request: async () => ({ url: `/v1/roles/${(await roleOfA()).id}` }),
        otherProject: 404,
      },
      "PATCH /v1/roles/{id}": {
        request: async () => ({ url: `/v1/roles/${(await roleOfA()).id}`, body: { scopes: ["c:d"] } }),
        otherProject: 404,
      },
      "DELETE /v1/roles/{id}": {
        request: async () => ({ url: `/v1/roles/${(await roleOfA()).id}` }),
        otherProject: 404,
      },
      "GET /v1/keys/changes": {
        request: async () => ({ url: "/v1/keys/changes" }),
        otherProject: 404,
        stream: true,
      },
    };
  });
  afterAll(() => h.close());

  /** The audit log's head: every change the API makes appends to it. */
  const auditHead = async () => (await h.api("GET", "/v1/audit?limit=1")).body.data[0]?.hash as string;

  const send = (op: Operation, request: { url: string; body?: unknown }, authorization?: string) =>
    h.api(op.method, request.url, request.body, {
      key: null,
      headers: authorization === undefined ? {} : { authorization },
    });

  it("lists every operation with a declared scope, and an example for each", () => {
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations) {
      const id = `${op.method} ${op.path}`;
      if (WITHOUT_ROOT_KEY.has(id)) {
        expect(["none", "session"], `${id} takes no root key`).toContain(op.scope);
        continue;
      }
      expect(ROOT_SCOPES as readonly string[], `${id} declares a root-key scope`).toContain(op.scope);
      expect(examples[id], `${id} has an example in the authorization matrix`).toBeDefined();
    }
  });

  it("refuses every caller without the route's scope and project, and never answers 500", async () => {
    const failures: string[] = [];
    const expectStatus = (id: string, who: string, status: number, wanted: number | number[]) => {
      const allowed = [wanted].flat();
      if (!allowed.includes(status))
        failures.push(`${id} — ${who}: ${status}, expected ${allowed.join(" or ")}`);
    };
    for (const op of operations) {
      const id = `${op.method} ${op.path}`;
      if (WITHOUT_ROOT_KEY.has(id)) continue;
      const example = examples[id] as Example;
      const scope = op.scope as RootScope;
      const request = await example.request();
      const before = await auditHead();

      const refusals: [string, string | undefined, number][] = [
        ["no Authorization header", undefined, 401],
        ["a malformed bearer", "Bearer not-a-key", 401],
        ["a truncated root key", `Bearer ${h.rootKey.slice(0, -3)}`, 401],
        ["Basic credentials", `Basic ${Buffer.from(`x:${h.rootKey}`).toString("base64")}`, 401],
        ["a project key as bearer", `Bearer ${keyA.key}`, 401],
        [`a root key lacking ${scope}`, `Bearer ${lacking.get(scope)}`, 403],
      ];
      for (const [who, authorization, status] of refusals) {
        const res = await send(op, request, authorization);
        expectStatus(id, who, res.status, status);
        if (res.status >= 400 && res.status < 500 && status === 403) {
          expect(res.body.error.details).toEqual({ required: scope });
        }
      }
      expect(await auditHead(), `${id}: a refused caller changed nothing`).toBe(before);
      if (example.stream) continue;

      const other = await send(op, request, `Bearer ${bAdmin}`);
      if (other.status >= 500) failures.push(`${id} — another project's admin: ${other.status}`);
      if (typeof example.otherProject === "number") {
        expectStatus(id, "another project's admin", other.status, example.otherProject);
        // A hidden resource answers a code the route declares for a missing one (no oracle).
        if (other.status === 404 && !op.notFoundCodes.includes(other.body.error?.code))
          failures.push(`${id} — 404 ${other.body.error?.code} is not among ${op.notFoundCodes.join(", ")}`);
        expect(await auditHead(), `${id}: another project's admin changed nothing`).toBe(before);
      } else if (example.otherProject === "not-found-answer") {
        expectStatus(id, "another project's admin", other.status, 200);
        expect(other.body.code).toBe("NOT_FOUND");
      } else {
        expectStatus(id, "another project's admin", other.status, 200);
        for (const secret of [a.id, keyA.id]) {
          if (other.text.includes(secret)) failures.push(`${id} — another project's admin sees ${secret}`);
        }
      }

      // The positive control: the same request from an admin succeeds, so each refusal above was
      // about the caller, not a broken example.
      const fine = await send(op, await example.request(), `Bearer ${h.rootKey}`);
      expectStatus(id, "the unbound admin", fine.status, example.ok ?? 200);
    }
    expect(failures).toEqual([]);
  });
});
