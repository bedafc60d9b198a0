import Ajv from "ajv";
import addFormats from "ajv-formats";
import type { App } from "../http-types.js";
import { isIp } from "../verify/ips.js";

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
    return ajv;
  };
  const strict = make(false);
  const coercing = make(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === "body" ? strict.compile(schema) : coercing.compile(schema),
  );
}
