/** Turns keysmith's OpenAPI document into the source of src/generated/openapi.ts. */
export function openapiToTypeScript(document: Record<string, unknown>): string;
