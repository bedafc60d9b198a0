import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";

/**
 * Every route of `/openapi.json`, fed hostile input by an admin root key: wrong types, huge
 * values, deep nesting, lone surrogates, `__proto__`/`constructor` keys, garbage path
 * parameters. No answer may be a 5xx, and a refused request (4xx) must change nothing.
 */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  [key: string]: unknown;
};

interface Operation {
  method: string;
  path: string;
  body: Schema | undefined;
  query: { name: string; schema: Schema }[];
}

const deep = (depth: number): unknown => {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

/** Values no schema of keysmith's takes as they are, or takes only up to a limit. */
const HOSTILE: unknown[] = [
  null,
  true,
  -1,
  1e308,
  -1e308,
  2 ** 53 + 1,
  0.5,
  "",
  "x".repeat(100_000),
  "\ud800",
  "a\udfffb",
  "../../../../etc/passwd",
  "' OR 1=1 --",
  ["$", "{jndi:ldap://x}"].join(""),
  "\u0000",
  "9999999999w",
  [],
  Array.from({ length: 2000 }, () => "s"),
  {},
  deep(40),
  deep(9),
];

/** Raw bodies JSON itself allows and a parser must still refuse or survive. */
const RAW_BODIES = [
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '{"a":1,"a":2}',
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
  `{"k":"${"\\ud800".repeat(100)}"}`,
  '"just a string"',
  "123",
  "null",
  "[]",
];

const PATH_GARBAGE = [
  "x",
  `key_${"A".repeat(22)}`,
  "%00",
  "..%2F..%2Fetc",
  "a".repeat(5000),
  "%F0%9F%9A%80",
  "%ED%A0%80",
];

describe("fuzzing every route from /openapi.json", () => {
  let h: Harness;
  let operations: Operation[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await createHarness("sqlite", { masterKey: randomBytes(32) });
    const doc = JSON.parse((await h.keysmith.app.inject({ url: "/openapi.json" })).body) as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: { content: Record<string, { schema: Schema }> };
            parameters?: { in: string; name: string; schema: Schema }[];
          }
        >
      >;
    };
    operations = Object.entries(doc.paths)
      // The change stream never ends; its parameters are two integers, fuzzed in routes/changes.test.ts.
      .filter(([path]) => path !== "/v1/keys/changes")
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({
          method: method.toUpperCase(),
          path,
          body: op.requestBody?.content["application/json"]?.schema,
          query: (op.parameters ?? []).filter((p) => p.in === "query"),
        })),
      );
    const project = await h.project();
    ids.project = project.id;
    ids.key = (await h.key(project.id)).id;
    ids.root = (await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] })).body.id;
    ids.webhook = (
      await h.api("POST", "/v1/webhooks", { url: "https://hooks.example.com/x", events: ["key.leaked"] })
    ).body.id;
    await h.api("POST", `/v1/secrets/production/FUZZ?projectId=${project.id}`, { value: "v" });
  });
  afterAll(() => h.close());

  /** A real resource for each path parameter, so hostile bodies reach the handlers. */
  const fill = (path: string): string =>
    path
      .replace("/v1/projects/{id}", `/v1/projects/${ids.project}`)
      .replace("/v1/keys/{id}", `/v1/keys/${ids.key}`)
      .replace("/v1/root-keys/{id}", `/v1/root-keys/${ids.root}`)
      .replace("/v1/webhooks/{id}", `/v1/webhooks/${ids.webhook}`)
      .replace("{environment}", "production")
      .replace("{name}", "FUZZ");
  const withProject = (url: string) =>
    url.startsWith("/v1/secrets") ? `${url}${url.includes("?") ? "&" : "?"}projectId=${ids.project}` : url;

  const auditHead = async () => (await h.api("GET", "/v1/audit?limit=1")).body.data[0]?.hash as string;

  function* cases(op: Operation): Generator<{ url: string; body?: unknown; raw?: boolean; what: string }> {
    const url = withProject(fill(op.path));
    const properties = op.body?.properties ?? {};
    for (const value of HOSTILE)
      yield { url, body: value, what: `body ${JSON.stringify(value)?.slice(0, 40)}` };
    for (const raw of RAW_BODIES) yield { url, body: raw, raw: true, what: `raw ${raw.slice(0, 40)}` };
    for (const name of Object.keys(properties)) {
      for (const value of HOSTILE) {
        yield { url, body: { [name]: value }, what: `${name}=${JSON.stringify(value)?.slice(0, 40)}` };
      }
    }
    for (const { name } of op.query) {
      for (const value of ["-1", "1e308", "abc", "x".repeat(5000), "%ED%A0%80", "true", "[]", "0"]) {
        const joiner = url.includes("?") ? "&" : "?";
        yield { url: `${url}${joiner}${name}=${value}`, what: `?${name}=${value.slice(0, 20)}` };
      }
    }
    if (op.path.includes("{")) {
      for (const garbage of PATH_GARBAGE) {
        const broken = withProject(op.path.replace(/\{[^}]+\}/g, garbage));
        yield { url: broken, body: op.body ? {} : undefined, what: `path ${garbage.slice(0, 20)}` };
      }
    }
  }

  it("answers no request with a 5xx, and a refused request changes nothing", async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const op of operations) {
      for (const c of cases(op)) {
        const before = await auditHead();
        const res = await h.api(
          op.method,
          c.url,
          c.body,
          c.raw ? { headers: { "content-type": "application/json" } } : {},
        );
        sent++;
        if (res.status >= 500)
          failures.push(`${op.method} ${op.path} ${c.what}: ${res.status} ${res.text.slice(0, 120)}`);
        if (res.status >= 400 && res.status < 500) {
          if (typeof res.body?.error?.code !== "string")
            failures.push(`${op.method} ${op.path} ${c.what}: no error code`);
          if ((await auditHead()) !== before)
            failures.push(`${op.method} ${op.path} ${c.what}: ${res.status} changed state`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
    // The admin key and the prototype are intact: nothing was polluted along the way.
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect((await h.api("GET", "/v1/projects")).status).toBe(200);
  });
});
