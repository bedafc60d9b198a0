/**
 * Every error the keysmith API can answer, declared once with its HTTP status and whether a
 * client may retry. `docs/errors.md` documents the same table with causes and fixes; a test
 * keeps the two in step.
 */
export const ERRORS = {
  VALIDATION_ERROR: { status: 400, retryable: false, message: "The request does not match the schema." },
  INVALID_JSON: { status: 400, retryable: false, message: "The request body is not valid JSON." },
  INVALID_CURSOR: { status: 400, retryable: false, message: "The cursor is not one this API issued." },
  INVALID_DURATION: {
    status: 400,
    retryable: false,
    message: "A duration is a whole number and a unit (ms, s, m, h, d, w) or milliseconds, at most 10 years.",
  },
  INVALID_IP: {
    status: 400,
    retryable: false,
    message:
      "An IP address or CIDR range must be in standard textual form (1.2.3.4, 10.0.0.0/8, 2001:db8::/32).",
  },
  INVALID_UNICODE: {
    status: 400,
    retryable: false,
    message: "A string holds a lone UTF-16 surrogate, which cannot be stored as sent.",
  },
  INVALID_PERMISSION_QUERY: {
    status: 400,
    retryable: false,
    message: "The permission query does not parse (AND, OR and parentheses over scopes).",
  },
  JSON_TOO_DEEP: { status: 400, retryable: false, message: "The JSON body is nested too deeply." },
  META_TOO_DEEP: { status: 400, retryable: false, message: "meta may be nested at most 8 levels deep." },
  META_TOO_LARGE: { status: 400, retryable: false, message: "meta may hold at most 64 KiB of JSON." },
  WEBHOOK_URL_CREDENTIALS: {
    status: 400,
    retryable: false,
    message: "A webhook URL must not carry a user name or password: deliveries are signed instead.",
  },
  WEBHOOK_TARGET_REFUSED: {
    status: 422,
    retryable: false,
    message: "Webhooks may not target this address (link-local, metadata, private or loopback).",
  },
  UNAUTHORIZED: { status: 401, retryable: false, message: "A valid root key is required as a Bearer token." },
  FORBIDDEN: { status: 403, retryable: false, message: "The root key lacks the scope this action needs." },
  PROJECT_NOT_FOUND: { status: 404, retryable: false, message: "No such project." },
  KEY_NOT_FOUND: { status: 404, retryable: false, message: "No such key." },
  ROOT_KEY_NOT_FOUND: { status: 404, retryable: false, message: "No such root key." },
  SECRET_NOT_FOUND: { status: 404, retryable: false, message: "No such secret." },
  SECRET_VERSION_NOT_FOUND: { status: 404, retryable: false, message: "The secret has no such version." },
  WEBHOOK_NOT_FOUND: { status: 404, retryable: false, message: "No such webhook endpoint." },
  RATELIMIT_OVERRIDE_NOT_FOUND: {
    status: 404,
    retryable: false,
    message: "No rate-limit override for this namespace and identifier.",
  },
  IDENTITY_NOT_FOUND: { status: 404, retryable: false, message: "No such identity." },
  ROLE_NOT_FOUND: { status: 404, retryable: false, message: "No such role." },
  ROUTE_NOT_FOUND: { status: 404, retryable: false, message: "No such route." },
  KEY_EXPIRED: { status: 409, retryable: false, message: "The key has expired; it cannot be rolled." },
  KEY_HASH_TAKEN: {
    status: 409,
    retryable: false,
    message: "A key with this hash belongs to another project.",
  },
  NO_CREDIT_LIMIT: {
    status: 409,
    retryable: false,
    message: "The key has no credit limit to increment or decrement; set one first.",
  },
  KEY_ALREADY_ROLLED: {
    status: 409,
    retryable: false,
    message: "The key was already rolled; roll its successor (rolledTo).",
  },
  PREFIX_TAKEN: { status: 409, retryable: false, message: "Another project already uses this key prefix." },
  IDENTITY_EXISTS: {
    status: 409,
    retryable: false,
    message: "The project already has an identity with this externalId.",
  },
  ROLE_EXISTS: { status: 409, retryable: false, message: "The project already has a role with this name." },
  KEY_REVOKED: { status: 409, retryable: false, message: "The key is revoked." },
  VAULT_DECRYPT_FAILED: {
    status: 409,
    retryable: false,
    message: "A stored secret failed its integrity check and cannot be decrypted.",
  },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, message: "The request body is too large." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, message: "Send the body as application/json." },
  UNPROCESSABLE: { status: 422, retryable: false, message: "The request is well-formed but not allowed." },
  UNKNOWN_ROLES: {
    status: 422,
    retryable: false,
    message: "The project has no role with one or more of these names.",
  },
  RATE_LIMITED: { status: 429, retryable: true, message: "Too many requests." },
  INTERNAL_ERROR: { status: 500, retryable: true, message: "Something went wrong on our side." },
  VAULT_LOCKED: {
    status: 503,
    retryable: false,
    message: "The vault is off: the server was started without a master key.",
  },
  WEBHOOK_SECRETS_LOCKED: {
    status: 503,
    retryable: false,
    message: "This server cannot read the key webhook signing secrets are sealed under.",
  },
  STORE_UNAVAILABLE: {
    status: 503,
    retryable: true,
    message: "The database is unreachable or refuses writes; retry after Retry-After.",
  },
  CACHE_UNAVAILABLE: {
    status: 503,
    retryable: true,
    message: "Redis is unreachable and this request needs it; retry after Retry-After.",
  },
} as const satisfies Record<string, { status: number; retryable: boolean; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Every registered code, in the registry's order (for schemas: one list, never a copy). */
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: unknown };
}

/**
 * An expected API failure with a registered code. Throw it from a route; the error handler
 * turns it into `{ error: { code, message, requestId } }` with the registered status.
 */
export class KeysmithError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, details?: unknown) {
    super(message ?? ERRORS[code].message);
    this.name = "KeysmithError";
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERRORS, value);
}
