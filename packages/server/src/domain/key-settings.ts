import { type ErrorCode, isGranted, KeysmithError, type KeyType, metaProblem } from "@keysmith/core";
import { normalizeCidr } from "./ips.js";
import { normalizeOrigin } from "./origins.js";
import type { ProjectRecord } from "./records.js";

export interface KeySettings {
  type: KeyType;
  scopes: string[];
  meta: Record<string, unknown> | null;
  allowedOrigins: string[] | null;
  allowedIps: string[] | null;
  expiresAt: number | null;
}

/**
 * Applies the rules that tie a key's type to its settings, normalizing origins and IP ranges.
 * Shared by create, patch and roll so the three can never disagree. Throws UNPROCESSABLE with
 * the offending field in `details`.
 */
export function checkKeySettings(project: ProjectRecord, input: KeySettings, now: number): KeySettings {
  const fail = (field: string, message: string): never => {
    throw new KeysmithError("UNPROCESSABLE", message, { field });
  };
  const allowedOrigins = normalizeList(input.allowedOrigins, normalizeOrigin, {
    field: "allowedOrigins",
    what: "an origin",
    code: "VALIDATION_ERROR",
  });
  const allowedIps = normalizeList(input.allowedIps, normalizeCidr, {
    field: "allowedIps",
    what: "an IP address or CIDR range in standard form",
    code: "INVALID_IP",
  });
  const scopes = [...new Set(input.scopes)];
  if (input.type === "restricted" && (scopes.length === 0 || scopes.includes("*"))) {
    fail("scopes", "A restricted key needs an explicit, non-empty scope list (not *).");
  }
  if (input.type === "publishable") {
    if (!allowedOrigins?.length)
      fail("allowedOrigins", "A publishable key needs at least one allowed origin.");
    const notPublic = scopes.filter((s) => !isGranted(project.publishableScopes, s));
    if (notPublic.length) {
      throw new KeysmithError(
        "UNPROCESSABLE",
        `Publishable keys may only hold scopes the project marks public (publishableScopes); not: ${notPublic.join(", ")}.`,
        { field: "scopes", scopes: notPublic },
      );
    }
  }
  // The HTTP schema checks the same limits first; this holds them for in-process callers.
  const metaCode = metaProblem(input.meta);
  if (metaCode) throw new KeysmithError(metaCode, undefined, { field: "meta" });
  if (input.expiresAt !== null && input.expiresAt <= now)
    fail("expiresAt", "expiresAt must be in the future.");
  return { ...input, scopes, allowedOrigins, allowedIps };
}

function normalizeList(
  values: string[] | null,
  normalize: (value: string) => string | null,
  { field, what, code }: { field: string; what: string; code: ErrorCode },
): string[] | null {
  if (values === null) return null;
  const out = new Set<string>();
  for (const value of values) {
    const normalized = normalize(value);
    if (normalized === null) {
      throw new KeysmithError(code, `${JSON.stringify(value)} is not ${what}.`, { field });
    }
    out.add(normalized);
  }
  return [...out];
}

/** Parses an ISO 8601 timestamp from the API into milliseconds; null stays null. */
export function parseTimestamp(value: string | null | undefined, field: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new KeysmithError("VALIDATION_ERROR", `${field} is not an ISO 8601 timestamp.`, { field });
  return ms;
}
