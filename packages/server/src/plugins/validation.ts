import {
  compilePermissionQuery,
  KeysmithError,
  metaTooDeep,
  metaTooLarge,
  parseDuration,
} from "@keysmith/core";
import Ajv, { type SchemaValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { isIp } from "../domain/ips.js";
import type { App } from "../http-types.js";

/**
 * Keywords of keysmith's own, each answered with its own error code (plugins/errors.ts):
 * `x-duration` (INVALID_DURATION: a duration that parses and is at most 10 years),
 * `x-meta-depth` (META_TOO_DEEP), `x-meta-bytes` (META_TOO_LARGE) and `x-permission-query`
 * (INVALID_PERMISSION_QUERY, its message and `{ position, expected, found }` kept); the format
 * `ip` answers INVALID_IP.
 */
function addKeysmithKeywords(ajv: Ajv.default): void {
  ajv.addKeyword({
    keyword: "x-duration",
    errors: false,
    validate: (_schema: unknown, data: unknown) =>
      (typeof data !== "string" && typeof data !== "number") || parseDuration(data) !== null,
  });
  ajv.addKeyword({
    keyword: "x-meta-depth",
    errors: false,
    // The schema carries the limit for readers of /openapi.json; the core holds the one check.
    validate: (_max: number, data: unknown) => !metaTooDeep(data),
  });
  ajv.addKeyword({
    keyword: "x-meta-bytes",
    errors: false,
    validate: (_max: number, data: unknown) => data === null || !metaTooLarge(data),
  });
  // Ajv runs this before `maxLength`, so an over-long query answers INVALID_PERMISSION_QUERY too.
  // The compiled query is cached: the verifier's own compile of the same text is a cache hit.
  const permissionQuery: SchemaValidateFunction = (_schema: unknown, data: unknown) => {
    if (typeof data !== "string") return true;
    try {
      compilePermissionQuery(data);
      return true;
    } catch (error) {
      if (!(error instanceof KeysmithError)) throw error;
      permissionQuery.errors = [
        {
          keyword: "x-permission-query",
          message: error.message,
          params: error.details as Record<string, unknown>,
        },
      ];
      return false;
    }
  };
  ajv.addKeyword({ keyword: "x-permission-query", validate: permissionQuery });
}

/**
 * Two validators: bodies are checked strictly (no type coercion, unknown fields rejected
 * rather than silently dropped), while query strings and path parameters, which arrive as
 * text, are coerced to the schema's types.
 */
export function validation(app: App): void {
  const make = (coerceTypes: boolean) => {
    const ajv = new Ajv.default({
      coerceTypes,
      useDefaults: true,
      removeAdditional: false,
      allErrors: false,
      strict: false,
    });
    addFormats.default(ajv, ["date-time", "uri"]);
    ajv.addFormat("ip", { type: "string", validate: isIp });
    addKeysmithKeywords(ajv);
    return ajv;
  };
  const strict = make(false);
  const coercing = make(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === "body" ? strict.compile(schema) : coercing.compile(schema),
  );
}
