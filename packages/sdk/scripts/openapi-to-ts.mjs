/**
 * Turns keysmith's OpenAPI 3.1 document into TypeScript types: one `Operations` entry per
 * route ("GET /v1/keys/{id}") with its path parameters, query, body, success status and
 * answer. Covers the JSON Schema subset the server emits (type and type arrays, enum, const,
 * anyOf/oneOf, allOf, object properties and additionalProperties, array items); anything else
 * becomes `unknown` rather than a guess. Pure: document in, source text out.
 */

const METHODS = ["get", "post", "put", "patch", "delete"];
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const HEADER = `// Generated from keysmith's OpenAPI document by scripts/generate-types.mjs. Do not edit:
// after changing a route schema, build the server and run \`npm run generate -w @keysmith/sdk\`.
`;

/**
 * @param {Record<string, any>} document the server's `/openapi.json`
 * @returns {string} the source of src/generated/openapi.ts
 */
export function openapiToTypeScript(document) {
  const operations = [];
  let errorSchema = null;
  for (const path of Object.keys(document.paths ?? {}).sort()) {
    const item = document.paths[path];
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operations.push(renderOperation(method, path, operation));
      errorSchema = widestErrorSchema(errorSchema, operation);
    }
  }
  const lines = [HEADER];
  lines.push(`/** keysmith API ${document.info?.version ?? ""}: every route, keyed by method and path. */`);
  lines.push("export interface Operations {");
  for (const op of operations) lines.push(op);
  lines.push("}");
  lines.push("");
  lines.push("/** The body of every error answer. */");
  lines.push(`export type ErrorResponse = ${errorSchema ? render(errorSchema, 0) : "unknown"};`);
  lines.push("");
  lines.push(
    "/** Every error code the server can answer (docs/errors.md gives each one's cause and fix). */",
  );
  lines.push('export type ErrorCode = ErrorResponse["error"]["code"];');
  return `${lines.join("\n")}\n`;
}

function renderOperation(method, path, operation) {
  const pad = "    ";
  const members = [];
  const parameters = operation.parameters ?? [];
  const params = parameters.filter((p) => p.in === "path");
  const query = parameters.filter((p) => p.in === "query");
  if (params.length) members.push(`${pad}params: ${renderParameters(params, 2)};`);
  if (query.length) members.push(`${pad}query: ${renderParameters(query, 2)};`);
  const body = operation.requestBody?.content?.["application/json"]?.schema;
  if (body) members.push(`${pad}body: ${render(body, 2)};`);
  const [status, response] = successResponse(operation);
  members.push(`${pad}status: ${status};`);
  members.push(`${pad}response: ${response ? render(response, 2) : "unknown"};`);
  const doc = operation.summary ? `  /** ${escapeComment(operation.summary)} */\n` : "";
  return `${doc}  ${JSON.stringify(`${method.toUpperCase()} ${path}`)}: {\n${members.join("\n")}\n  };`;
}

/** Parameters as an object type; one with a default may be left out by the caller. */
function renderParameters(parameters, depth) {
  const pad = "  ".repeat(depth + 1);
  const props = parameters.map((p) => {
    const optional = !p.required || p.schema?.default !== undefined ? "?" : "";
    const doc = p.description ? `${pad}/** ${escapeComment(p.description)} */\n` : "";
    return `${doc}${pad}${propertyName(p.name)}${optional}: ${render(p.schema ?? {}, depth + 1)};`;
  });
  return `{\n${props.join("\n")}\n${"  ".repeat(depth)}}`;
}

function successResponse(operation) {
  for (const status of Object.keys(operation.responses ?? {}).sort()) {
    if (status.startsWith("2")) {
      return [Number(status), operation.responses[status].content?.["application/json"]?.schema];
    }
  }
  return [200, undefined];
}

/**
 * The shared error schema: of the 4xx answers seen so far, the one whose `code` lists the most
 * codes (a route may narrow one status to its own codes, e.g. a 404 to KEY_NOT_FOUND).
 */
function widestErrorSchema(widest, operation) {
  const codes = (schema) => schema?.properties?.error?.properties?.code?.enum?.length ?? 0;
  let best = widest;
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    const schema = response.content?.["application/json"]?.schema;
    if (status.startsWith("4") && schema && (best === null || codes(schema) > codes(best))) best = schema;
  }
  return best;
}

/** A JSON Schema as a TypeScript type, laid out at `depth` levels of indentation. */
function render(schema, depth) {
  if (schema === true || schema === undefined) return "unknown";
  if (schema === false) return "never";
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return union(schema.enum.map((v) => JSON.stringify(v)));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return union(alternatives.map((s) => render(s, depth)));
  if (Array.isArray(schema.allOf)) {
    return schema.allOf.map((s) => parenthesize(render(s, depth))).join(" & ");
  }
  if (Array.isArray(schema.type)) {
    return union(schema.type.map((type) => render({ ...schema, type }, depth)));
  }
  switch (schema.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return `${parenthesize(render(schema.items, depth))}[]`;
    case "object":
      return renderObject(schema, depth);
    default:
      return "unknown";
  }
}

function renderObject(schema, depth) {
  const properties = schema.properties ?? {};
  const names = Object.keys(properties);
  const extra = schema.additionalProperties;
  if (names.length === 0) {
    const value = extra === undefined || extra === true || extra === false ? "unknown" : render(extra, depth);
    return `Record<string, ${value}>`;
  }
  const required = new Set(schema.required ?? []);
  const pad = "  ".repeat(depth + 1);
  const lines = names.map((name) => {
    const property = properties[name];
    const doc = property?.description ? `${pad}/** ${escapeComment(property.description)} */\n` : "";
    const optional = required.has(name) ? "" : "?";
    return `${doc}${pad}${propertyName(name)}${optional}: ${render(property, depth + 1)};`;
  });
  if (extra !== undefined && extra !== false) lines.push(`${pad}[property: string]: unknown;`);
  return `{\n${lines.join("\n")}\n${"  ".repeat(depth)}}`;
}

function union(types) {
  return [...new Set(types)].join(" | ");
}

/** Wraps a union or intersection in parentheses where `[]` or `&` would otherwise bind to a part. */
function parenthesize(type) {
  let nesting = 0;
  for (const char of type) {
    if (char === "{" || char === "(" || char === "<" || char === "[") nesting++;
    else if (char === "}" || char === ")" || char === ">" || char === "]") nesting--;
    else if (nesting === 0 && (char === "|" || char === "&")) return `(${type})`;
  }
  return type;
}

function propertyName(name) {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function escapeComment(text) {
  return String(text).replaceAll("*/", "*\\/").replaceAll("\n", " ");
}
