import { ERRORS, type ErrorBody, type ErrorCode, KeysmithError } from "@keysmith/core";
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { App } from "../http-types.js";
import { OUTAGE_RETRY_AFTER_SECONDS, unavailableError, unreachable } from "../storage/faults.js";

// Fastify's own error codes, mapped onto keysmith's registry.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "VALIDATION_ERROR",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
  FST_ERR_VALIDATION: "VALIDATION_ERROR",
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: "VALIDATION_ERROR",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "ROUTE_NOT_FOUND",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "UNPROCESSABLE",
  429: "RATE_LIMITED",
};

/** Schema keywords that have an error code of their own rather than VALIDATION_ERROR. */
const KEYWORD_CODES: Record<string, ErrorCode> = {
  "x-duration": "INVALID_DURATION",
  "x-meta-depth": "META_TOO_DEEP",
  "x-meta-bytes": "META_TOO_LARGE",
  "format:ip": "INVALID_IP",
};

function validationCode(errors: NonNullable<FastifyError["validation"]>): ErrorCode {
  for (const v of errors) {
    const name = v.keyword === "format" ? `format:${(v.params as { format?: string }).format}` : v.keyword;
    const code = KEYWORD_CODES[name];
    if (code) return code;
  }
  return "VALIDATION_ERROR";
}

interface Mapped {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

function mapError(error: FastifyError | KeysmithError | Error): Mapped {
  if (error instanceof KeysmithError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    };
  }
  // An unreachable database or Redis is an outage the client may wait out, not a fault.
  const outage = unavailableError(error);
  if (outage !== null) return { code: outage.code, message: outage.message };
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    // The parser's own message and position, not the generic validation details.
    const query = fastifyError.validation.find((v) => v.keyword === "x-permission-query");
    if (query) {
      return {
        code: "INVALID_PERMISSION_QUERY",
        message: query.message ?? ERRORS.INVALID_PERMISSION_QUERY.message,
        details: query.params,
      };
    }
    const details = fastifyError.validation.map((v) => ({
      path: `${fastifyError.validationContext ?? ""}${v.instancePath}`,
      message: v.message ?? "is invalid",
      ...(v.keyword === "additionalProperties"
        ? { field: (v.params as { additionalProperty?: string }).additionalProperty }
        : {}),
    }));
    const code = validationCode(fastifyError.validation);
    const message =
      code === "VALIDATION_ERROR" ? `Invalid request: ${fastifyError.message}` : ERRORS[code].message;
    return { code, message, details };
  }
  if (error instanceof SyntaxError || fastifyError.code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return { code: "INVALID_JSON", message: ERRORS.INVALID_JSON.message };
  }
  const byCode = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (byCode) return { code: byCode, message: fastifyError.message };
  const status = fastifyError.statusCode;
  if (status && status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? "VALIDATION_ERROR";
    return { code, message: fastifyError.message || ERRORS[code].message };
  }
  return { code: "INTERNAL_ERROR", message: ERRORS.INTERNAL_ERROR.message };
}

/** The driver's error code behind an outage (`ECONNREFUSED`, `57P01`, `SQLITE_READONLY`), never its message. */
function causeOf(error: unknown): string | undefined {
  if (unreachable(error) === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : (error as Error).name;
}

/**
 * One error handler for every route: `{ error: { code, message, requestId, details? } }` with
 * the registered status. A 5xx answer never carries the underlying error; it is logged instead,
 * to `logger` (Fastify has none of its own: see app.ts).
 */
export function errorHandling(app: App, logger: FastifyBaseLogger): void {
  app.setErrorHandler((error, request, reply) => {
    const mapped = mapError(error as FastifyError);
    const status = ERRORS[mapped.code].status;
    // Only a fault is an error, logged with its stack. An expected 503 (a locked vault, webhook
    // secrets this node cannot read, an outage) is a state the operator already heard of: one
    // warning line, no stack. A refused request (4xx) is the caller's business: one info line
    // with its code, never the raw error (a JSON parser's message quotes the body).
    if (mapped.code === "INTERNAL_ERROR")
      logger.error({ err: error, requestId: request.id }, "request failed");
    else if (status >= 500)
      logger.warn({ code: mapped.code, requestId: request.id, cause: causeOf(error) }, mapped.message);
    else logger.info({ code: mapped.code, status, requestId: request.id }, mapped.message);
    if (ERRORS[mapped.code].retryable && status === 503)
      reply.header("retry-after", String(OUTAGE_RETRY_AFTER_SECONDS));
    if (mapped.code === "UNAUTHORIZED") reply.header("www-authenticate", 'Bearer realm="keysmith"');
    const body: ErrorBody = {
      error: {
        code: mapped.code,
        message: mapped.message,
        requestId: request.id,
        ...(mapped.details === undefined ? {} : { details: mapped.details }),
      },
    };
    return reply.code(status).type("application/json").serializer(JSON.stringify).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: {
        code: "ROUTE_NOT_FOUND",
        message: `No route matches ${request.method} on this path.`,
        requestId: request.id,
      },
    };
    return reply.code(404).send(body);
  });
}

/**
 * Errors Fastify raises before a route is found (a path that is not valid UTF-8, a path
 * parameter over `maxParamLength`) skip the error handler; this gives them the same shape.
 * Pass it as Fastify's `frameworkErrors` option.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const body: ErrorBody = {
    error: {
      code: "VALIDATION_ERROR",
      message:
        error.code === "FST_ERR_MAX_PARAM_LENGTH"
          ? "A path parameter is longer than any id."
          : "The path is not a valid URL component.",
      requestId: request.id,
    },
  };
  reply.code(400).type("application/json").send(JSON.stringify(body));
}
