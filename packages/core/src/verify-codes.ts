/**
 * Verification outcomes in the order the checks run (SPEC §4): the first failing check is the
 * answer. Metering codes come last so that a key failing an earlier check consumes nothing.
 */
export const VERIFY_CODES = [
  "VALID",
  "MALFORMED",
  "NOT_FOUND",
  "REVOKED",
  "EXPIRED",
  "DISABLED",
  "ORIGIN_NOT_ALLOWED",
  "IP_NOT_ALLOWED",
  "ENVIRONMENT_MISMATCH",
  "INSUFFICIENT_SCOPE",
  "RATE_LIMITED",
  "USAGE_EXCEEDED",
  "BUDGET_EXCEEDED",
] as const;

export type VerifyCode = (typeof VERIFY_CODES)[number];
