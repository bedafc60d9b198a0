import { metaTooDeep, metaTooLarge, parseDuration } from "@keysmith/core";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { isIp } from "../domain/ips.js";
import type { App } from "../http-types.js";

/**
 * Keywords of keysmith's own, each answered with its own error code (plugins/errors.ts):
 * `x-duration` (INVALID_DURATION: a duration that parses and is at most 10 years),
 * `x-meta-depth` (META_TOO_DEEP) and `x-meta-bytes` (META_TOO_LARGE); the format `ip` answers
 * INVALID_IP.
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
