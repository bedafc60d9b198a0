import { describe, expect, it } from "vitest";
import type { AppOptions } from "../app.js";
import { loadConfig } from "../config.js";
import { createHarness } from "../test-support/harness.js";

/** The source address the audit log records for a request from 127.0.0.1 carrying this X-Forwarded-For. */
async function auditedSource(
  trustProxy: AppOptions["trustProxy"],
  forwardedFor: string,
): Promise<string | null> {
  const h = await createHarness("sqlite", trustProxy === undefined ? {} : { trustProxy });
  try {
    const created = await h.api(
      "POST",
      "/v1/projects",
      { name: "p", prefix: "proxy" },
      { headers: { "x-forwarded-for": forwardedFor } },
    );
    expect(created.status).toBe(201);
    const audit = await h.api("GET", `/v1/audit?targetId=${created.body.id}`);
    return audit.body.data[0].sourceIp;
  } finally {
    await h.close();
  }
}

describe("client addresses behind proxies", () => {
  const spoofed = "6.6.6.6, 203.0.113.9";

  it("ignores X-Forwarded-For unless a trusted proxy is configured (the default)", async () => {
    expect(await auditedSource(undefined, spoofed)).toBe("127.0.0.1");
  });

  it("takes only as many hops as configured: one proxy in front names the client", async () => {
    expect(await auditedSource(1, spoofed)).toBe("203.0.113.9");
  });

  it("takes hops only from the configured proxy addresses", async () => {
    expect(await auditedSource(["127.0.0.1"], spoofed)).toBe("203.0.113.9");
    expect(await auditedSource(["10.0.0.0/8"], spoofed)).toBe("127.0.0.1");
  });

  it("parses KEYSMITH_TRUST_PROXY as false, a hop count or proxy addresses, and names a bad one", () => {
    const parse = (value: string) => loadConfig({ KEYSMITH_TRUST_PROXY: value });
    expect(parse("false")).toMatchObject({ ok: true, config: { trustProxy: false } });
    expect(parse("0")).toMatchObject({ ok: true, config: { trustProxy: false } });
    expect(parse("2")).toMatchObject({ ok: true, config: { trustProxy: 2 } });
    expect(parse("127.0.0.1, 10.0.0.0/8")).toMatchObject({
      ok: true,
      config: { trustProxy: ["127.0.0.1", "10.0.0.0/8"] },
    });
    expect(parse("true")).toMatchObject({ ok: true, config: { trustProxy: true } });
    const bad = parse("127.0.0.1,0xa.0.0.1");
    expect(bad.ok).toBe(false);
    expect(bad.ok === false && bad.error).toMatch(/KEYSMITH_TRUST_PROXY=.*not an address: 0xa\.0\.0\.1/);
  });
});
