import { jsonDepth, KeysmithError } from "@keysmith/core";
import type { FastifyRequest } from "fastify";

/** No route takes a body nested deeper than this; `meta` has its own, lower limit (8). */
export const MAX_BODY_DEPTH = 32;

// A `\\uD800`–`\\uDFFF` escape in the raw text: the only way a lone surrogate can reach a parsed
// body (the bytes were decoded as UTF-8, which has no surrogates). Bodies without one skip the walk.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

// String.prototype.isWellFormed (ES2024) is in Node 20's V8; the compiler's lib predates it.
const isWellFormed = (text: string): boolean =>
  (text as unknown as { isWellFormed(): boolean }).isWellFormed();

function hasLoneSurrogate(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === "string") {
      if (!isWellFormed(node)) return true;
    } else if (node !== null && typeof node === "object") {
      for (const [name, child] of Object.entries(node)) {
        if (!isWellFormed(name)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/**
 * Whether the text has more than `max` opening brackets, the least a value nested deeper than
 * `max` needs (brackets inside strings only make the answer "maybe"). Reading a small body's
 * characters allocates nothing, where walking its parsed value does; large bodies are walked.
 */
function mayNestDeeperThan(raw: string, max: number): boolean {
  if (raw.length > 4096) return true;
  let open = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if ((c === 123 || c === 91) && ++open > max) return true;
  }
  return false;
}

/**
 * What is wrong with a parsed JSON body that JSON itself allows: nesting deeper than any route
 * takes (a 5,000-deep value would otherwise overflow some recursive consumer's stack), or a lone
 * surrogate, which a database would silently turn into U+FFFD. Null when the body is fine.
 */
export function jsonBodyProblem(value: unknown, raw: string): "JSON_TOO_DEEP" | "INVALID_UNICODE" | null {
  if (value === null || typeof value !== "object") return null;
  if (mayNestDeeperThan(raw, MAX_BODY_DEPTH) && jsonDepth(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH)
    return "JSON_TOO_DEEP";
  if (SURROGATE_ESCAPE.test(raw) && hasLoneSurrogate(value)) return "INVALID_UNICODE";
  return null;
}

type JsonParser = (
  request: FastifyRequest,
  body: string,
  done: (err: Error | null, value?: unknown) => void,
) => void;

/**
 * Wraps Fastify's JSON parser (prototype poisoning refused) with {@link jsonBodyProblem}, so
 * every JSON body keysmith takes, on any route, passes the same checks.
 */
export function checkedJsonParser(parseJson: JsonParser): JsonParser {
  return (request, body, done) =>
    parseJson(request, body, (err, value) => {
      if (err) return done(err, undefined);
      const problem = jsonBodyProblem(value, body);
      if (problem) return done(new KeysmithError(problem), undefined);
      done(null, value);
    });
}
