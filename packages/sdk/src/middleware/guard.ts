import { isIP } from "node:net";
import { Keysmith } from "../client.js";
import { KeysmithApiError } from "../errors.js";
import type { KeyEnvironment, VerifyCode } from "../types.js";
import { CACHED, CACHING, VERIFY_PREPARED, type VerifyKeyResult } from "../verify.js";
import { callerOptions, fixedOptions, keyDigest } from "../verify-cache.js";
import { type DenialCode, denial, type ErrorBody, unavailable } from "./responses.js";

/** Who called: the verified key, handed to your route handler. */
export interface KeysmithIdentity {
  keyId: string;
  /** Your customer, as set on the key (`ownerId`), or null. */
  ownerId: string | null;
  projectId: string;
  type: "secret" | "publishable" | "restricted";
  environment: KeyEnvironment;
  scopes: string[];
  /** Your JSON, as set on the key. */
  meta: Record<string, unknown> | null;
  expiresAt: string | null;
  ratelimits: VerifyKeyResult["ratelimits"];
  credits: VerifyKeyResult["credits"];
  budget: VerifyKeyResult["budget"];
  /** The identity the key belongs to (your customer's shared limits and meta), or null. */
  identity: VerifyKeyResult["identity"];
  /** The roles the key holds; their scopes are in `scopes`. */
  roles: VerifyKeyResult["roles"];
}

/** The options every middleware takes. */
export interface GuardOptions {
  /** A client to verify with; or give `baseUrl` and `rootKey` and one is made. */
  client?: Keysmith | undefined;
  baseUrl?: string | undefined;
  /** A root key with the `keys:verify` scope. */
  rootKey?: string | undefined;
  /** Scopes the route needs; the key must grant every one. */
  scopes?: string | string[] | undefined;
  /**
   * A permission query the key must satisfy (`invoices:read AND (refunds:write OR billing:*)`),
   * on top of `scopes`; failing it answers 403 `INSUFFICIENT_SCOPE`. A query keysmith cannot
   * parse is a configuration error: 500 `AUTHENTICATION_MISCONFIGURED`, and `onError` gets the
   * `INVALID_PERMISSION_QUERY` error with the position.
   */
  permissions?: string | undefined;
  /** The price of one call (credits and spend); default: the project's cost table, else 1. */
  cost?: number | undefined;
  /**
   * The environment of keys to accept (default `live`): keysmith never takes a test key for a
   * live one unless asked, so an API that serves test keys sets `environment: "test"`.
   */
  environment?: KeyEnvironment | undefined;
  /**
   * Where the key arrives: `authorization` (the default, as `Authorization: Bearer <key>`) or
   * another header that carries the key alone, such as `x-api-key`.
   */
  header?: string | undefined;
  /** The realm named in `WWW-Authenticate` (default `api`). */
  realm?: string | undefined;
  /**
   * When keysmith cannot answer (down, timed out, a 5xx), let requests through with a null
   * identity instead of answering 503. Off by default: an outage then locks callers out rather
   * than letting anyone in. Never applies to a 4xx from keysmith (a wrong root key), which is a
   * configuration error and answers 500.
   */
  failOpen?: boolean | undefined;
  /** Told about every failure to verify (for your logs and metrics); never about rejected keys. */
  onError?: ((error: unknown) => void) | undefined;
}

/** What the request carries that verification needs, read by each framework's adapter. */
export interface GuardInput {
  /** The raw value of the configured header (the first one, if repeated). */
  credential: string | undefined;
  origin: string | undefined;
  ip: string | undefined;
}

export type Decision =
  | { allow: true; identity: KeysmithIdentity | null; headers: Record<string, string> }
  | { allow: false; status: number; headers: Record<string, string>; body: ErrorBody };

/**
 * The check one middleware runs on each request: a pure decision the adapter applies. A
 * decision from the local cache comes back as a value, a server's answer as a promise.
 */
export type Guard = (input: GuardInput) => Decision | Promise<Decision>;

// keysmith rejects longer origins as invalid input; no real Origin header is this long.
const MAX_ORIGIN_LENGTH = 300;

/**
 * Builds the framework-independent part of the middleware: reads the key, verifies it and
 * turns the answer into a status, headers and a JSON body. Misuse (no client and no
 * baseUrl/rootKey) throws here, at setup, not per request.
 */
export function createGuard(options: GuardOptions): Guard {
  const client = options.client ?? clientFrom(options);
  const header = (options.header ?? "authorization").toLowerCase();
  const realm = options.realm ?? "api";
  const context = { header, realm, scopes: options.scopes };
  const verifyOptions = {
    scopes: options.scopes,
    permissions: options.permissions,
    cost: options.cost,
    environment: options.environment,
  };

  // The route's options never change: encoded once, the cache key per request is one digest.
  const caching = client[CACHING];
  const fixed = fixedOptions(verifyOptions);
  const failed = (error: unknown): Decision => {
    report(options.onError, error);
    const configuration = error instanceof KeysmithApiError && error.status < 500 && error.status !== 429;
    if (!configuration && options.failOpen) return { allow: true, identity: null, headers: {} };
    return unavailable(configuration);
  };
  const decide = (result: VerifyKeyResult): Decision => {
    const headers = rateLimitHeaders(result);
    if (!result.valid) return denial(result.code as Exclude<VerifyCode, "VALID">, context, headers);
    return { allow: true, identity: identityOf(result), headers };
  };

  return (input) => {
    const key = readKey(header, input.credential);
    if (key === null) return denial("MISSING_KEY", context);
    const origin =
      input.origin !== undefined && input.origin.length <= MAX_ORIGIN_LENGTH ? input.origin : undefined;
    const ip = input.ip !== undefined && isIP(input.ip) !== 0 ? input.ip : undefined;
    let cacheKey: string | null = null;
    if (caching) {
      cacheKey = keyDigest(key) + fixed + callerOptions(origin, ip);
      const hit = client[CACHED](cacheKey);
      if (hit !== undefined) return cachedDecision(hit);
    }
    const fields = { ...verifyOptions, origin, ip };
    const answer = caching ? client[VERIFY_PREPARED](key, fields, cacheKey) : client.verifyKey(key, fields);
    return answer.then(decide, failed);
  };
}

// A cached answer is one frozen object served again and again: its decision is built once.
const cachedDecisions = new WeakMap<VerifyKeyResult, Decision>();

function cachedDecision(result: VerifyKeyResult): Decision {
  let decision = cachedDecisions.get(result);
  if (decision === undefined) {
    // Only VALID, unmetered answers are cached: always allowed, without rate-limit headers.
    decision = Object.freeze({
      allow: true as const,
      identity: Object.freeze(identityOf(result)),
      headers: Object.freeze(rateLimitHeaders(result)) as Record<string, string>,
    });
    cachedDecisions.set(result, decision);
  }
  return decision;
}

/** The key from `Authorization: Bearer <key>`, or the whole value of a custom header; null if absent. */
export function readKey(header: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (header === "authorization") {
    const match = /^Bearer\s+(.*)$/i.exec(value.trim());
    const key = match?.[1]?.trim() ?? "";
    return key === "" ? null : key;
  }
  const key = value.trim();
  return key === "" ? null : key;
}

function clientFrom(options: GuardOptions): Keysmith {
  if (!options.baseUrl || !options.rootKey) {
    throw new TypeError("keysmith middleware: pass `client`, or `baseUrl` and `rootKey`");
  }
  return new Keysmith({ baseUrl: options.baseUrl, rootKey: options.rootKey });
}

function identityOf(result: VerifyKeyResult): KeysmithIdentity {
  return {
    keyId: result.keyId as string,
    ownerId: result.ownerId,
    projectId: result.projectId as string,
    type: result.type as KeysmithIdentity["type"],
    environment: result.environment as KeyEnvironment,
    scopes: result.scopes,
    meta: result.meta,
    expiresAt: result.expiresAt,
    ratelimits: result.ratelimits,
    credits: result.credits,
    budget: result.budget,
    identity: result.identity,
    roles: result.roles,
  };
}

/** keysmith's rate-limit headers, passed on as they came; `Retry-After` only with a refusal. */
function rateLimitHeaders(result: VerifyKeyResult): Record<string, string> {
  const source = result.rateLimitHeaders;
  const headers: Record<string, string> = {};
  if (source["ratelimit-policy"]) headers["RateLimit-Policy"] = source["ratelimit-policy"];
  if (source.ratelimit) headers.RateLimit = source.ratelimit;
  if (result.code === "RATE_LIMITED") {
    headers["Retry-After"] = source["retry-after"] ?? String(secondsUntilReset(result));
  }
  return headers;
}

/**
 * Fallback when the answer came without Retry-After: the earliest reset of an exhausted window
 * (or of an unchecked one: `remaining` is null when keysmith's rate-limit store was down).
 */
function secondsUntilReset(result: VerifyKeyResult): number {
  const resets = result.ratelimits
    .filter((w) => w.remaining === null || w.remaining <= 0)
    .map((w) => Date.parse(w.reset));
  const earliest = resets.length ? Math.min(...resets) : Date.now() + 1000;
  return Math.max(1, Math.ceil((earliest - Date.now()) / 1000));
}

function report(onError: GuardOptions["onError"], error: unknown): void {
  try {
    onError?.(error);
  } catch {
    // A failing logger must not change the answer.
  }
}

export type { DenialCode, ErrorBody };
