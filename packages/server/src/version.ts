/** keysmith's version, shown in the OpenAPI document, `/healthz`-adjacent output and the CLI. */
export const VERSION = "0.1.0";
