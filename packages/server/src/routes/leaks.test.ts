import { generateKey } from "@keysmith/core";
import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { useHarness, useProject } from "../test-support/harness.js";

interface Alert {
  type: string;
  keyId: string;
  projectId: string;
  data: Record<string, unknown>;
}

describe.each(await testDialects())("POST /v1/leaks on %s", (dialect) => {
  const h = useHarness(dialect);
  const revoking = useProject(h);
  const flagging = useProject(h, { leakPolicy: "flag" });

  const report = (body: unknown, key?: string) => h.api("POST", "/v1/leaks", body, key ? { key } : {});
  const leakedAlerts = async (keyId: string): Promise<Alert[]> =>
    (await h.api("GET", `/v1/alerts?type=key.leaked&keyId=${keyId}`)).body.data;

  it("revokes a reported key: it answers REVOKED at verify, audited and alerted", async () => {
    const key = await h.key(revoking.id, { ownerId: "cus_7" });
    // Verified once first, so the answer sits in the verification cache the revoke must clear.
    expect((await h.verify({ key: key.key })).body.code).toBe("VALID");

    const url = "https://gist.example.com/abc";
    const res = await report({ keys: [key.key], source: "keysmith scan", url });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      received: 1,
      matched: 1,
      revoked: 1,
      flagged: 0,
      unknown: 0,
      keys: [{ keyId: key.id, projectId: revoking.id, action: "revoked" }],
    });
    expect((await h.verify({ key: key.key })).body.code).toBe("REVOKED");

    const audit = await h.api("GET", `/v1/audit?targetId=${key.id}&action=key.revoke`);
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0].details).toEqual({ reason: "leaked" });

    const alerts = await leakedAlerts(key.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ keyId: key.id, projectId: revoking.id });
    expect(alerts[0]?.data).toEqual({
      keyId: key.id,
      ownerId: "cus_7",
      action: "revoked",
      source: "keysmith scan",
      url,
    });

    // Reported again: nothing left to do, no second alert, and an answer like any unknown string.
    const again = await report({ keys: [key.key], source: "keysmith scan", url });
    expect(again.body).toEqual({ received: 1, matched: 0, revoked: 0, flagged: 0, unknown: 1, keys: [] });
    expect(await leakedAlerts(key.id)).toHaveLength(1);
  });

  it("only flags a key of a project whose leakPolicy is flag: it stays VALID, audited", async () => {
    const project = await h.api("GET", `/v1/projects/${flagging.id}`);
    expect(project.body.leakPolicy).toBe("flag");
    expect((await h.api("GET", `/v1/projects/${revoking.id}`)).body.leakPolicy).toBe("revoke");

    const key = await h.key(flagging.id);
    const res = await report({ keys: [key.key], source: "pastebin" });
    expect(res.body).toMatchObject({
      matched: 1,
      revoked: 0,
      flagged: 1,
      keys: [{ keyId: key.id, projectId: flagging.id, action: "flagged" }],
    });
    expect((await h.verify({ key: key.key })).body.code).toBe("VALID");

    const flagged = await h.api("GET", `/v1/audit?targetId=${key.id}&action=key.leak_flagged`);
    expect(flagged.body.data).toHaveLength(1);
    expect(flagged.body.data[0]).toMatchObject({
      actorType: "root_key",
      projectId: flagging.id,
      details: { source: "pastebin", url: null },
    });
    expect((await h.api("GET", `/v1/audit?targetId=${key.id}&action=key.revoke`)).body.data).toHaveLength(0);

    // Once per key and place: the same place again audits but does not alert twice; a new place does.
    await report({ keys: [key.key], source: "pastebin" });
    expect(await leakedAlerts(key.id)).toHaveLength(1);
    await report({ keys: [key.key], source: "pastebin", url: "https://pastebin.example/2" });
    const alerts = await leakedAlerts(key.id);
    expect(alerts).toHaveLength(2);
    expect(alerts.map((a) => a.data.action)).toEqual(["flagged", "flagged"]);
  });

  it("switches a project's leakPolicy with PATCH and refuses an unknown one", async () => {
    const project = await h.project();
    const patched = await h.api("PATCH", `/v1/projects/${project.id}`, { leakPolicy: "flag" });
    expect(patched.status).toBe(200);
    expect(patched.body.leakPolicy).toBe("flag");
    const bad = await h.api("PATCH", `/v1/projects/${project.id}`, { leakPolicy: "ignore" });
    expect(bad.status).toBe(400);
  });

  it("counts unknown and garbage strings without acting on them", async () => {
    const live = await h.key(revoking.id);
    const neverIssued = generateKey({ prefix: revoking.prefix, typeCode: "sk", environment: "live" }).key;
    // The right shape with a wrong checksum: not a keysmith key.
    const last = live.key.at(-1) === "A" ? "B" : "A";
    const lookalike = `${live.key.slice(0, -1)}${last}`;
    const res = await report({
      keys: ["garbage", "", lookalike, neverIssued, neverIssued],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 5, matched: 0, revoked: 0, flagged: 0, unknown: 4, keys: [] });
    expect((await h.verify({ key: live.key })).body.code).toBe("VALID");
  });

  it("treats another project's key as unknown for a root key bound to one project", async () => {
    const other = await h.project();
    const theirs = await h.key(other.id);
    const mine = await h.key(revoking.id);
    const bound = await h.api("POST", "/v1/root-keys", { projectId: revoking.id, scopes: ["keys:write"] });
    expect(bound.status).toBe(201);

    const res = await report({ keys: [theirs.key, mine.key] }, bound.body.key);
    expect(res.body).toMatchObject({ received: 2, matched: 1, revoked: 1, unknown: 1 });
    expect(res.body.keys).toEqual([{ keyId: mine.id, projectId: revoking.id, action: "revoked" }]);
    expect((await h.verify({ key: theirs.key })).body.code).toBe("VALID");
    expect((await h.verify({ key: mine.key })).body.code).toBe("REVOKED");
    // Without a place, the alert is once per key per day.
    expect((await leakedAlerts(mine.id))[0]?.data).toMatchObject({ source: null, url: null });
    // The other project's owners hear of their key, though the reporter learns nothing.
    await h.keysmith.alerts.drain();
    expect((await leakedAlerts(theirs.id)).map((a) => a.data.action)).toEqual(["reported"]);
    const reported = await h.api("GET", `/v1/audit?targetId=${theirs.id}&action=key.leak_reported`);
    expect(reported.body.data).toHaveLength(1);
    expect(reported.body.data[0]).toMatchObject({ actorId: bound.body.id, projectId: other.id });
  });

  it("answers alike for no key, another project's key and a revoked key: no oracle", async () => {
    const other = await h.project();
    const theirs = await h.key(other.id);
    const revoked = await h.key(revoking.id);
    await h.api("POST", `/v1/keys/${revoked.id}/revoke`);
    const bound = await h.api("POST", "/v1/root-keys", { projectId: revoking.id, scopes: ["keys:write"] });
    const neverIssued = generateKey({ prefix: revoking.prefix, typeCode: "sk", environment: "live" }).key;
    const answers = [];
    for (const candidate of ["not a key", neverIssued, theirs.key, revoked.key]) {
      const res = await report({ keys: [candidate] }, bound.body.key);
      answers.push([res.status, res.text.replace(/"requestId":"[^"]*"/, "")]);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual([
      200,
      JSON.stringify({ received: 1, matched: 0, revoked: 0, flagged: 0, unknown: 1, keys: [] }),
    ]);
    expect((await h.verify({ key: theirs.key })).body.code).toBe("VALID");
  });

  it("revokes a reported root key, and the root keys it created, when the caller may manage it", async () => {
    const leaked = await h.api("POST", "/v1/root-keys", { scopes: ["admin"], name: "leaked" });
    const child = await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] }, { key: leaked.body.key });
    const reporter = (await h.api("POST", "/v1/root-keys", { scopes: ["admin"] })).body.key;
    const res = await report({ keys: [leaked.body.key], source: "keysmith scan" }, reporter);
    expect(res.body).toEqual({
      received: 1,
      matched: 1,
      revoked: 1,
      flagged: 0,
      unknown: 0,
      keys: [{ keyId: leaked.body.id, projectId: null, action: "revoked" }],
    });
    expect((await h.api("GET", "/v1/keys", undefined, { key: leaked.body.key })).status).toBe(401);
    expect((await h.api("GET", "/v1/keys", undefined, { key: child.body.key })).status).toBe(401);
    const alerts = await leakedAlerts(leaked.body.id);
    expect(alerts.map((a) => a.data.action)).toEqual(["revoked"]);
    expect(res.text + JSON.stringify(alerts)).not.toContain(leaked.body.key);
  });

  it("leaves a root key the caller may not manage alone, and tells its owners", async () => {
    const admin = await h.api("POST", "/v1/root-keys", { scopes: ["admin"], name: "not yours" });
    const scanner = (await h.api("POST", "/v1/root-keys", { scopes: ["keys:write"] })).body.key;
    const res = await report({ keys: [admin.body.key] }, scanner);
    expect(res.body).toMatchObject({ matched: 0, revoked: 0, unknown: 1, keys: [] });
    expect((await h.api("GET", "/v1/keys", undefined, { key: admin.body.key })).status).toBe(200);
    await h.keysmith.alerts.drain();
    expect((await leakedAlerts(admin.body.id)).map((a) => a.data.action)).toEqual(["reported"]);
  });

  it("limits each root key to 30 reports a minute, with Retry-After", async () => {
    const reporter = (await h.api("POST", "/v1/root-keys", { scopes: ["keys:write"] })).body.key;
    h.clock.advance(60_000 - (h.clock.now() % 60_000));
    for (let i = 0; i < 30; i++) expect((await report({ keys: ["x"] }, reporter)).status).toBe(200);
    const limited = await report({ keys: ["x"] }, reporter);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // Another root key is not held back, and the limit resets with the window.
    expect((await report({ keys: ["x"] })).status).toBe(200);
    h.clock.advance(60_000);
    expect((await report({ keys: ["x"] }, reporter)).status).toBe(200);
  });

  it("needs a root key with keys:write, and a well-formed body", async () => {
    const key = await h.key(revoking.id);
    const readOnly = await h.api("POST", "/v1/root-keys", { scopes: ["keys:read"] });
    const forbidden = await report({ keys: [key.key] }, readOnly.body.key);
    expect(forbidden.status).toBe(403);
    expect((await h.api("POST", "/v1/leaks", { keys: [key.key] }, { key: null })).status).toBe(401);
    expect((await h.verify({ key: key.key })).body.code).toBe("VALID");

    for (const body of [
      {},
      { keys: [] },
      { keys: Array.from({ length: 1001 }, () => "x") },
      { keys: ["x".repeat(513)] },
      { keys: ["x"], extra: true },
      { keys: ["x"], url: "u".repeat(2001) },
    ]) {
      const res = await report(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION_ERROR");
    }
    expect((await report({ keys: Array.from({ length: 1000 }, (_, i) => `x${i}`) })).body.unknown).toBe(1000);
  });

  it("never echoes a reported key: not in the response, the logs, the audit log or alerts", async () => {
    const revoked = await h.key(revoking.id);
    const flagged = await h.key(flagging.id);
    const unknown = generateKey({ prefix: revoking.prefix, typeCode: "sk", environment: "live" }).key;
    const reported = [revoked.key, flagged.key, unknown];
    // A reporter that quotes a key in its url does not get it stored either.
    const res = await report({ keys: reported, source: "a scan", url: `https://x.example/?k=${unknown}` });
    expect(res.status).toBe(200);
    const bad = await report({ keys: [...reported, 42] });
    expect(bad.status).toBe(400);

    const alerts = await h.api("GET", "/v1/alerts?limit=500");
    const audit = await h.api("GET", "/v1/audit?limit=500");
    const leaked = (alerts.body.data as Alert[]).filter((a) => a.keyId === flagged.id);
    expect(leaked[0]?.data.url).toBe(`https://x.example/?k=${revoking.prefix}_sk_live_[redacted]`);
    const seen = [res.text, bad.text, alerts.text, audit.text, h.logs.join("\n")].join("\n");
    for (const key of reported) {
      expect(seen).not.toContain(key);
      expect(seen).not.toContain(key.slice(-20));
    }
  });
});
