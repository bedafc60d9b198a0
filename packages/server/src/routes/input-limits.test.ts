import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { useHarness, useKey, useProject } from "../test-support/harness.js";
import { apiState } from "../test-support/state.js";

/** The JSON text of a body whose meta nests `depth` levels, built as text: too deep to stringify. */
function deepBody(projectId: string, depth: number): string {
  return `{"projectId":"${projectId}","meta":${'{"a":'.repeat(depth - 1)}{}${"}".repeat(depth - 1)}}`;
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe.each(await testDialects())("input limits on %s", (dialect) => {
  const h = useHarness(dialect);
  const project = useProject(h);
  const key = useKey(h, project);

  const refused: [string, () => [string, string, unknown], number, string][] = [
    [
      "a grace period of 9999999999 weeks",
      () => ["POST", `/v1/keys/${key.id}/roll`, { gracePeriod: "9999999999w" }],
      400,
      "INVALID_DURATION",
    ],
    [
      "a grace period past 10 years",
      () => ["POST", `/v1/keys/${key.id}/roll`, { gracePeriod: "3653d" }],
      400,
      "INVALID_DURATION",
    ],
    [
      "a grace period of 11 years in ms",
      () => ["POST", `/v1/keys/${key.id}/roll`, { gracePeriod: 11 * 365 * 86_400_000 }],
      400,
      "INVALID_DURATION",
    ],
    [
      "a rate-limit window past 10 years",
      () => [
        "POST",
        "/v1/keys",
        { projectId: project.id, ratelimits: [{ name: "x", limit: 1, duration: "99999999d" }] },
      ],
      400,
      "INVALID_DURATION",
    ],
    ["meta nested 5,000 deep", () => ["POST", "/v1/keys", deepBody(project.id, 5000)], 400, "JSON_TOO_DEEP"],
    [
      "meta nested 9 deep",
      () => ["POST", "/v1/keys", { projectId: project.id, meta: nested(9) }],
      400,
      "META_TOO_DEEP",
    ],
    [
      "meta over 64 KiB",
      () => ["POST", "/v1/keys", { projectId: project.id, meta: { blob: "x".repeat(70_000) } }],
      400,
      "META_TOO_LARGE",
    ],
    [
      "meta over 64 KiB on patch",
      () => ["PATCH", `/v1/keys/${key.id}`, { meta: { blob: "é".repeat(40_000) } }],
      400,
      "META_TOO_LARGE",
    ],
    [
      "a lone surrogate in a name",
      () => ["POST", "/v1/keys", { projectId: project.id, name: "bad \ud800 name" }],
      400,
      "INVALID_UNICODE",
    ],
    [
      "a lone low surrogate in a meta key",
      () => ["POST", "/v1/keys", { projectId: project.id, meta: { "\udc00": 1 } }],
      400,
      "INVALID_UNICODE",
    ],
    [
      "a hex IPv4 in allowedIps",
      () => ["POST", "/v1/keys", { projectId: project.id, allowedIps: ["0xa.1.2.3"] }],
      400,
      "INVALID_IP",
    ],
    [
      "an integer IPv4 in allowedIps",
      () => ["POST", "/v1/keys", { projectId: project.id, allowedIps: ["167837953"] }],
      400,
      "INVALID_IP",
    ],
    [
      "a leading-zero IPv4 range",
      () => ["POST", "/v1/keys", { projectId: project.id, allowedIps: ["010.1.0.0/16"] }],
      400,
      "INVALID_IP",
    ],
    [
      "an IPv4 prefix past 32",
      () => ["POST", "/v1/keys", { projectId: project.id, allowedIps: ["10.0.0.0/33"] }],
      400,
      "INVALID_IP",
    ],
    [
      "too many scopes",
      () => [
        "POST",
        "/v1/keys",
        { projectId: project.id, scopes: Array.from({ length: 101 }, (_, i) => `s:${i}`) },
      ],
      400,
      "VALIDATION_ERROR",
    ],
    [
      "a name of 201 characters",
      () => ["POST", "/v1/keys", { projectId: project.id, name: "n".repeat(201) }],
      400,
      "VALIDATION_ERROR",
    ],
    ["a list limit of 501", () => ["GET", "/v1/keys?limit=501", undefined], 400, "VALIDATION_ERROR"],
    ["a list limit of 0", () => ["GET", "/v1/keys?limit=0", undefined], 400, "VALIDATION_ERROR"],
    [
      "a forged cursor",
      () => ["GET", `/v1/keys?cursor=${Buffer.from("' OR 1=1 --").toString("base64url")}`, undefined],
      400,
      "INVALID_CURSOR",
    ],
    [
      "a cursor of 201 characters",
      () => ["GET", `/v1/keys?cursor=${"a".repeat(201)}`, undefined],
      400,
      "VALIDATION_ERROR",
    ],
  ];

  it.each(refused)("refuses %s with 400 and changes nothing", async (_name, request, status, code) => {
    const before = await apiState(h);
    const [method, url, body] = request();
    const headers = typeof body === "string" ? { "content-type": "application/json" } : undefined;
    const res = await h.api(method, url, body, headers ? { headers } : {});
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await apiState(h)).toBe(before);
  });

  it("refuses an IP in a non-standard form on verify, and matches only standard forms", async () => {
    const { key } = await h.key(project.id, { allowedIps: ["10.1.0.0/16"] });
    for (const ip of ["0xa.1.2.3", "167837953", "10.1.258", "fe80::1%eth0"]) {
      const res = await h.verify({ key, ip });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("INVALID_IP");
    }
    expect((await h.verify({ key, ip: "10.1.2.3" })).body.code).toBe("VALID");
    expect((await h.verify({ key, ip: "::ffff:10.1.2.3" })).body.code).toBe("VALID");
    expect((await h.verify({ key, ip: "10.2.0.1" })).body.code).toBe("IP_NOT_ALLOWED");
  });

  it("keeps meta at the limits: 8 deep and 64 KiB are taken as sent", async () => {
    const deep = nested(8);
    const big = { blob: "x".repeat(64 * 1024 - 20) };
    const a = await h.api("POST", "/v1/keys", { projectId: project.id, meta: deep });
    expect(a.status).toBe(201);
    expect(a.body.meta).toEqual(deep);
    const b = await h.api("POST", "/v1/keys", { projectId: project.id, meta: big });
    expect(b.status).toBe(201);
    expect(b.body.meta).toEqual(big);
  });

  it("takes a 10-year grace period and keeps well-formed astral characters", async () => {
    const { id } = await h.key(project.id);
    const rolled = await h.api("POST", `/v1/keys/${id}/roll`, { gracePeriod: "3652d" });
    expect(rolled.status).toBe(201);
    const named = await h.api("POST", "/v1/keys", { projectId: project.id, name: "rocket 🚀 \u00e9" });
    expect(named.status).toBe(201);
    expect((await h.api("GET", `/v1/keys/${named.body.id}`)).body.name).toBe("rocket 🚀 \u00e9");
  });
});
