import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { useHarness, useProject } from "../test-support/harness.js";

const MINUTE = 60_000;

describe.each(await testDialects())("POST /v1/usage (an SDK cache's report) on %s", (dialect) => {
  const h = useHarness(dialect);
  const project = useProject(h);

  const minuteOf = (key: { id: string }) => {
    const start = h.clock.now() - (h.clock.now() % MINUTE);
    const range = `granularity=minute&from=${new Date(start).toISOString()}&to=${new Date(start + MINUTE).toISOString()}`;
    return h
      .api("GET", `/v1/keys/${key.id}/usage?${range}`)
      .then((res) => res.body.data[0]?.outcomes as Record<string, number>);
  };

  it("counts reported VALID verifications in the current minute, beside the ones keysmith answered", async () => {
    const key = await h.key(project.id);
    const other = await h.key(project.id);
    expect((await h.verify({ key: key.key })).body.code).toBe("VALID");
    const res = await h.api("POST", "/v1/usage", {
      keys: [
        { keyId: key.id, count: 41 },
        { keyId: other.id, count: 2 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recorded: 43, unknown: 0 });
    expect(await minuteOf(key)).toMatchObject({ VALID: 42 });
    expect(await minuteOf(other)).toMatchObject({ VALID: 2 });
  });

  it("skips keys it cannot see, without naming them, and counts the rest", async () => {
    const key = await h.key(project.id);
    const elsewhere = await h.project();
    const foreign = await h.key(elsewhere.id);
    const bound = await h.api("POST", "/v1/root-keys", { projectId: project.id, scopes: ["keys:verify"] });
    const res = await h.api(
      "POST",
      "/v1/usage",
      {
        keys: [
          { keyId: key.id, count: 3 },
          { keyId: foreign.id, count: 5 },
          { keyId: "key_0000000000000000000000", count: 7 },
        ],
      },
      { key: bound.body.key },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ recorded: 3, unknown: 2 });
    expect(res.text).not.toContain(foreign.id);
    expect(await minuteOf(foreign)).toMatchObject({ VALID: 0 });
  });

  it("refuses a malformed report as a whole and counts nothing", async () => {
    const key = await h.key(project.id);
    for (const body of [
      {},
      { keys: [] },
      { keys: [{ keyId: key.id, count: 0 }] },
      { keys: [{ keyId: key.id, count: 1.5 }] },
      {
        keys: [
          { keyId: key.id, count: 1 },
          { keyId: "nope", count: 1 },
        ],
      },
      { keys: [{ keyId: key.id, count: 1, extra: true }] },
    ]) {
      const res = await h.api("POST", "/v1/usage", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
    }
    expect(await minuteOf(key)).toMatchObject({ VALID: 0 });
  });

  it("needs the keys:verify scope", async () => {
    const key = await h.key(project.id);
    const reader = await h.api("POST", "/v1/root-keys", { scopes: ["usage:read"] });
    const res = await h.api(
      "POST",
      "/v1/usage",
      { keys: [{ keyId: key.id, count: 1 }] },
      { key: reader.body.key },
    );
    expect(res.status).toBe(403);
    expect(await minuteOf(key)).toMatchObject({ VALID: 0 });
  });
});
