import { parseDuration } from "@keysmith/core";
import { z } from "zod";
import { isCidr } from "./domain/ips.js";
import { parseTargetPolicy } from "./webhooks/target-policy.js";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * `KEYSMITH_TRUST_PROXY`: which hops may set `X-Forwarded-For` — `false` (none, the default), a
 * hop count (`1`: the proxy in front), or addresses/CIDRs of the proxies (`127.0.0.1,10.0.0.0/8`),
 * as Fastify's `trustProxy` takes them. `true` trusts every hop, so any client can name its own
 * address; it is accepted for compatibility and warned about at startup.
 */
const trustProxyText = z.string().transform((text, ctx): boolean | number | string[] => {
  const value = text.trim().toLowerCase();
  if (["", "false", "no", "off"].includes(value)) return false;
  if (["true", "yes", "on"].includes(value)) return true;
  if (/^[0-9]{1,2}$/.test(value)) return Number(value) === 0 ? false : Number(value);
  const addresses = value.split(",").map((a) => a.trim());
  const bad = addresses.filter((a) => !isCidr(a));
  if (bad.length === 0) return addresses;
  ctx.addIssue({
    code: "custom",
    message: `expected false, a hop count (1) or proxy addresses/CIDRs (127.0.0.1,10.0.0.0/8); not an address: ${bad.join(", ")}`,
  });
  return z.NEVER;
});

/** Every setting, its environment variable and its default. The README's table mirrors it. */
export const CONFIG_VARIABLES = {
  databaseUrl: { env: "KEYSMITH_DATABASE_URL", default: "./.keysmith/keysmith.db" },
  host: { env: "KEYSMITH_HOST", default: "127.0.0.1" },
  port: { env: "KEYSMITH_PORT", default: "8787" },
  logLevel: { env: "KEYSMITH_LOG_LEVEL", default: "info" },
  cacheSize: { env: "KEYSMITH_CACHE_SIZE", default: "100000" },
  cacheTtlMs: { env: "KEYSMITH_CACHE_TTL_MS", default: "auto" },
  // How long a cached key keeps verifying past its TTL while the database is unreachable.
  cacheStaleIfError: { env: "KEYSMITH_CACHE_STALE_IF_ERROR", default: "5m" },
  // Usage rows (key × minute × outcome) held while the database refuses writes, before dropping.
  usageBufferRows: { env: "KEYSMITH_USAGE_BUFFER_ROWS", default: "1000000" },
  bodyLimit: { env: "KEYSMITH_BODY_LIMIT", default: "1048576" },
  trustProxy: { env: "KEYSMITH_TRUST_PROXY", default: "false" },
  lastUsedFlushMs: { env: "KEYSMITH_LAST_USED_FLUSH_MS", default: "5000" },
  usageFlushMs: { env: "KEYSMITH_USAGE_FLUSH_MS", default: "1000" },
  redisUrl: { env: "KEYSMITH_REDIS_URL", default: "" },
  redisKeyPrefix: { env: "KEYSMITH_REDIS_KEY_PREFIX", default: "keysmith:" },
  rateLimitFailureMode: { env: "KEYSMITH_RATE_LIMIT_FAILURE_MODE", default: "open" },
  redisTimeoutMs: { env: "KEYSMITH_REDIS_TIMEOUT_MS", default: "100" },
  // The vault's master key: 32 bytes in base64, or a passphrase for scrypt. Neither: vault off.
  masterKey: { env: "KEYSMITH_MASTER_KEY", default: "" },
  masterPassphrase: { env: "KEYSMITH_MASTER_PASSPHRASE", default: "" },
  // GitHub's secret-scanning public keys (its meta/public_keys/secret_scanning JSON, or a path to it).
  githubScanningKeys: { env: "KEYSMITH_GITHUB_SCANNING_KEYS", default: "" },
  // Webhook targets in private ranges and on loopback: false, true, or CIDR ranges (webhooks/target-policy.ts).
  webhookAllowPrivate: { env: "KEYSMITH_WEBHOOK_ALLOW_PRIVATE", default: "false" },
} as const;

export type ConfigName = keyof typeof CONFIG_VARIABLES;

/** A whole number within bounds, from text; the error says what is expected, not how parsing failed. */
function wholeNumber(min: number, max: number, what?: string) {
  const range = `a whole number from ${min} to ${max}`;
  const expected = what ? `expected ${what}, ${range}` : `expected ${range}`;
  return z
    .string()
    .trim()
    .regex(/^[0-9]+$/, expected)
    .transform(Number)
    .pipe(z.number().int().min(min, expected).max(max, expected));
}

const STALE_IF_ERROR_MAX_MS = 86_400_000;
const STALE_IF_ERROR_EXPECTED = "expected 0 (off) or a duration up to 24h: 300s, 5m, 1h, or milliseconds";

/** A duration (`5m`, `300s`, `0`, or milliseconds) up to 24 hours. */
const staleIfErrorText = z.string().transform((text, ctx): number => {
  const value = text.trim();
  const ms = /^[0-9]{1,10}$/.test(value) ? Number(value) : parseDuration(value);
  if (ms !== null && ms <= STALE_IF_ERROR_MAX_MS) return ms;
  ctx.addIssue({ code: "custom", message: STALE_IF_ERROR_EXPECTED });
  return z.NEVER;
});

/** One of a few words; the error lists them (zod's own message quotes and pipes them). */
function oneOf<const T extends readonly [string, ...string[]]>(words: T) {
  const last = words[words.length - 1];
  const expected = `expected ${words.length === 2 ? words.join(" or ") : `${words.slice(0, -1).join(", ")} or ${last}`}`;
  return z.enum(words, { error: expected });
}

const schema = z.object({
  databaseUrl: z.string().min(1, "expected a postgres:// URL or a SQLite file path"),
  host: z.string().min(1, "expected an address to listen on: 127.0.0.1, 0.0.0.0, ::"),
  port: wholeNumber(0, 65_535, "a port (0: any free one)"),
  logLevel: oneOf(LOG_LEVELS),
  cacheSize: wholeNumber(1, 10_000_000),
  cacheTtlMs: z.union([z.literal("auto"), wholeNumber(0, 86_400_000)], {
    error: "expected auto or a whole number of milliseconds from 0 to 86400000",
  }),
  cacheStaleIfError: staleIfErrorText,
  usageBufferRows: wholeNumber(1000, 100_000_000),
  bodyLimit: wholeNumber(1024, 64 * 1024 * 1024),
  trustProxy: trustProxyText,
  lastUsedFlushMs: wholeNumber(100, 3_600_000),
  usageFlushMs: wholeNumber(50, 60_000),
  redisUrl: z.union([
    z.literal(""),
    z.string().regex(/^rediss?:\/\//, "expected a redis:// or rediss:// URL"),
  ]),
  redisKeyPrefix: z.string().max(100, "expected at most 100 characters"),
  rateLimitFailureMode: oneOf(["open", "closed"]),
  redisTimeoutMs: wholeNumber(1, 60_000),
  // Checked by the vault (vault/master-key.ts), whose messages never echo the value.
  masterKey: z.string(),
  masterPassphrase: z.string(),
  githubScanningKeys: z.string(),
  webhookAllowPrivate: z.string().transform((text, ctx) => {
    try {
      return parseTargetPolicy(text);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  }),
});

export type Config = z.infer<typeof schema>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; error: string };

/**
 * Parses configuration once: flags (`overrides`) win over the environment, which wins over
 * the defaults. Returns a one-line reason instead of throwing, for the CLI to print.
 *
 * @example loadConfig(process.env, { port: "9000" })
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  overrides: Partial<Record<ConfigName, string | undefined>> = {},
): ConfigResult {
  const raw: Record<string, string> = {};
  for (const [name, spec] of Object.entries(CONFIG_VARIABLES)) {
    raw[name] = overrides[name as ConfigName] ?? env[spec.env] ?? spec.default;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0];
  const name = String(issue?.path[0] ?? "");
  const variable = CONFIG_VARIABLES[name as ConfigName]?.env ?? name;
  return {
    ok: false,
    error: `invalid configuration: ${variable}=${JSON.stringify(withoutPassword(raw[name] ?? ""))}: ${issue?.message}`,
  };
}

/** A URL's password is never echoed in an error (`postgres://app:***@db/keysmith`). */
function withoutPassword(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, "$1***@");
}
