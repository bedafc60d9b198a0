import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { parseDatabaseUrl } from "./storage/connect.js";
import { PUBLIC_ONLY } from "./webhooks/target-policy.js";

describe("loadConfig", () => {
  it("has documented defaults", () => {
    const result = loadConfig({});
    expect(result).toEqual({
      ok: true,
      config: {
        databaseUrl: "./.keysmith/keysmith.db",
        host: "127.0.0.1",
        port: 8787,
        logLevel: "info",
        cacheSize: 100_000,
        cacheTtlMs: "auto",
        cacheStaleIfError: 300_000,
        usageBufferRows: 1_000_000,
        bodyLimit: 1_048_576,
        trustProxy: false,
        lastUsedFlushMs: 5000,
        usageFlushMs: 1000,
        redisUrl: "",
        redisKeyPrefix: "keysmith:",
        rateLimitFailureMode: "open",
        redisTimeoutMs: 100,
        masterKey: "",
        masterPassphrase: "",
        githubScanningKeys: "",
        webhookAllowPrivate: PUBLIC_ONLY,
      },
    });
  });

  it("reads KEYSMITH_CACHE_STALE_IF_ERROR as a duration up to 24h, and says what it expects", () => {
    const stale = (value: string) => {
      const result = loadConfig({ KEYSMITH_CACHE_STALE_IF_ERROR: value });
      return result.ok ? result.config.cacheStaleIfError : result.error;
    };
    expect(stale("30s")).toBe(30_000);
    expect(stale("1h")).toBe(3_600_000);
    expect(stale("0")).toBe(0);
    expect(stale("120000")).toBe(120_000);
    expect(stale("2d")).toBe(
      'invalid configuration: KEYSMITH_CACHE_STALE_IF_ERROR="2d": expected 0 (off) or a duration up to 24h: 300s, 5m, 1h, or milliseconds',
    );
    expect(stale("five minutes")).toContain("KEYSMITH_CACHE_STALE_IF_ERROR");
    expect(stale("-1s")).toContain("expected 0 (off) or a duration");
  });

  it("takes flags over the environment over defaults", () => {
    const result = loadConfig({ KEYSMITH_PORT: "9000", KEYSMITH_HOST: "0.0.0.0" }, { port: "9100" });
    expect(result.ok && result.config.port).toBe(9100);
    expect(result.ok && result.config.host).toBe("0.0.0.0");
  });

  it("explains a bad value in one line naming the variable", () => {
    const result = loadConfig({ KEYSMITH_PORT: "eighty" });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBe(
        'invalid configuration: KEYSMITH_PORT="eighty": expected a port (0: any free one), a whole number from 0 to 65535',
      );
      expect(result.error).not.toContain("\n");
    }
    const level = loadConfig({ KEYSMITH_LOG_LEVEL: "loud" });
    expect(!level.ok && level.error).toMatch(/KEYSMITH_LOG_LEVEL/);
  });

  it("reads KEYSMITH_WEBHOOK_ALLOW_PRIVATE as a switch or CIDR ranges", () => {
    const on = loadConfig({ KEYSMITH_WEBHOOK_ALLOW_PRIVATE: "true" });
    expect(on.ok && on.config.webhookAllowPrivate.privateTargets.kind).toBe("all");
    const ranges = loadConfig({ KEYSMITH_WEBHOOK_ALLOW_PRIVATE: "10.1.0.0/16,::1/128" });
    expect(ranges.ok && ranges.config.webhookAllowPrivate.privateTargets.kind).toBe("ranges");
    const bad = loadConfig({ KEYSMITH_WEBHOOK_ALLOW_PRIVATE: "everything" });
    expect(!bad.ok && bad.error).toMatch(
      /^invalid configuration: KEYSMITH_WEBHOOK_ALLOW_PRIVATE="everything": /,
    );
  });
});

describe("a bad setting's message", () => {
  it.each([
    ["KEYSMITH_PORT", "abc", "expected a port (0: any free one), a whole number from 0 to 65535"],
    ["KEYSMITH_PORT", "70000", "expected a port (0: any free one), a whole number from 0 to 65535"],
    ["KEYSMITH_LOG_LEVEL", "loud", "expected fatal, error, warn, info, debug, trace or silent"],
    ["KEYSMITH_RATE_LIMIT_FAILURE_MODE", "maybe", "expected open or closed"],
    ["KEYSMITH_DATABASE_URL", "", "expected a postgres:// URL or a SQLite file path"],
    ["KEYSMITH_HOST", "", "expected an address to listen on: 127.0.0.1, 0.0.0.0, ::"],
    ["KEYSMITH_CACHE_SIZE", "-1", "expected a whole number from 1 to 10000000"],
    ["KEYSMITH_CACHE_TTL_MS", "soon", "expected auto or a whole number of milliseconds from 0 to 86400000"],
    ["KEYSMITH_BODY_LIMIT", "1mb", "expected a whole number from 1024 to 67108864"],
    ["KEYSMITH_REDIS_URL", "http://cache:6379", "expected a redis:// or rediss:// URL"],
    ["KEYSMITH_REDIS_KEY_PREFIX", "k".repeat(101), "expected at most 100 characters"],
    ["KEYSMITH_REDIS_TIMEOUT_MS", "0", "expected a whole number from 1 to 60000"],
  ])("names %s, the value %j and what is expected, in one line", (variable, value, expected) => {
    const result = loadConfig({ [variable]: value });
    expect(result).toEqual({
      ok: false,
      error: `invalid configuration: ${variable}=${JSON.stringify(value)}: ${expected}`,
    });
  });

  it("never echoes a URL's password", () => {
    const result = loadConfig({ KEYSMITH_REDIS_URL: "http://app:hunter2@cache:6379" });
    expect(!result.ok && result.error).toBe(
      'invalid configuration: KEYSMITH_REDIS_URL="http://app:***@cache:6379": expected a redis:// or rediss:// URL',
    );
  });
});

describe("parseDatabaseUrl", () => {
  it.each([
    ["postgres://u@h:5432/db", "postgres"],
    ["postgresql://u@h/db", "postgres"],
    ["sqlite:./x.db", "sqlite"],
    ["./data/keysmith.db", "sqlite"],
    [":memory:", "sqlite"],
  ])("reads %s as %s", (url, dialect) => expect(parseDatabaseUrl(url).dialect).toBe(dialect));

  it("resolves SQLite paths against the working directory", () => {
    expect(parseDatabaseUrl("sqlite:data/k.db").location).toBe(`${process.cwd()}/data/k.db`);
  });
});
