import { KeysmithError } from "./errors.js";
import { isGranted, isValidScope, MAX_SCOPE_LENGTH } from "./scopes.js";

/**
 * Permission queries (SPEC §10): a boolean query over scopes, `AND` binding tighter than `OR`,
 * with parentheses — `invoices:read AND (refunds:write OR billing:*)`. Each scope in a query is
 * checked with the same rules as `scopes: [...]` on verify (`isGranted`): a key holding
 * `billing:*` or `*` satisfies `billing:read`; a query naming `billing:*` asks for a key that
 * holds `billing:*` itself (or `*`).
 *
 * Grammar (whitespace — space, tab, CR, LF — separates tokens and is otherwise ignored):
 *
 *     query := or
 *     or    := and ("OR" and)*
 *     and   := term ("AND" term)*
 *     term  := scope | "(" or ")"
 *
 * The operators are uppercase. `and`/`or` in any other case are refused with a message that says
 * so, rather than read as scope names: `read and write` is far more likely a slip than a query
 * for a scope called `and`. A query is at most 1000 characters and 32 parentheses deep; parsing
 * is one pass over the text, and evaluation one pass over the tree.
 *
 * This module imports nothing from Node: it runs in a browser as it does on the server.
 */

export const MAX_PERMISSION_QUERY_LENGTH = 1000;
export const MAX_PERMISSION_QUERY_DEPTH = 32;

/** A parsed query. `and`/`or` nodes hold at least two terms. */
export type PermissionQuery =
  | { readonly kind: "scope"; readonly scope: string }
  | { readonly kind: "and"; readonly terms: readonly PermissionQuery[] }
  | { readonly kind: "or"; readonly terms: readonly PermissionQuery[] };

/** What may stand at an error's position, as the message names it. */
export type PermissionQueryToken = "scope" | "(" | ")" | "AND" | "OR" | "end";

/** Why a query does not parse: `position` is a 0-based index into the query string. */
export interface PermissionQueryError {
  position: number;
  expected: PermissionQueryToken[];
  /** What stands there instead: a token as written, `end`, or a short description. */
  found: string;
  message: string;
}

export type PermissionQueryParse =
  | { ok: true; query: PermissionQuery }
  | { ok: false; error: PermissionQueryError };

type Token =
  | { type: "scope"; text: string; at: number }
  | { type: "(" | ")" | "AND" | "OR"; text: string; at: number }
  | { type: "end"; text: ""; at: number };

class ParseFailure {
  constructor(readonly error: PermissionQueryError) {}
}

/**
 * Parses a query; an expected failure is a value, with the position of the error.
 *
 * @example
 * parsePermissionQuery("a:read AND (b:write OR c:*)").ok // true
 * parsePermissionQuery("a:read AND").error?.position // 10
 */
export function parsePermissionQuery(text: string): PermissionQueryParse {
  try {
    return { ok: true, query: new Parser(text).parse() };
  } catch (thrown) {
    if (thrown instanceof ParseFailure) return { ok: false, error: thrown.error };
    throw thrown;
  }
}

const COMPILED_CAPACITY = 500;
/** Parsed queries by text, oldest first; `used` is set on a hit (second-chance eviction). */
const compiled = new Map<string, { query: PermissionQuery; used: boolean }>();

/**
 * The parsed query for `text`, from a cache of the 500 most used (verify is a hot path and
 * callers repeat the same few queries). A query that does not parse throws
 * `INVALID_PERMISSION_QUERY` (400) with `details: { position, expected, found }` and the
 * position in the message; failures are not cached.
 */
export function compilePermissionQuery(text: string): PermissionQuery {
  const hit = compiled.get(text);
  if (hit !== undefined) {
    // A flag, not a reinsertion: a hit writes nothing to the map.
    hit.used = true;
    return hit.query;
  }
  const parsed = parsePermissionQuery(text);
  if (!parsed.ok) {
    const { message, ...details } = parsed.error;
    throw new KeysmithError("INVALID_PERMISSION_QUERY", message, details);
  }
  // Every caller of this text shares the tree: frozen, so none can change it for the others.
  deepFreeze(parsed.query);
  if (compiled.size >= COMPILED_CAPACITY) evictOne();
  compiled.set(text, { query: parsed.query, used: false });
  return parsed.query;
}

function deepFreeze(node: PermissionQuery): void {
  Object.freeze(node);
  if (node.kind !== "scope") {
    Object.freeze(node.terms);
    for (const term of node.terms) deepFreeze(term);
  }
}

/** Second chance: the oldest entry not used since its last pass goes; used ones move to the back. */
function evictOne(): void {
  for (const [text, entry] of compiled) {
    compiled.delete(text);
    if (!entry.used) return;
    entry.used = false;
    compiled.set(text, entry);
  }
}

/**
 * True when `granted` (a key's effective scopes) satisfies the query, under the same wildcard
 * rules as `scopes` on verify. A string is parsed (through the cache) and throws
 * `INVALID_PERMISSION_QUERY` if it does not parse.
 *
 * @example
 * evaluatePermissionQuery("invoices:read AND (refunds:write OR billing:*)", ["invoices:*", "billing:*"]) // true
 */
export function evaluatePermissionQuery(
  query: string | PermissionQuery,
  granted: readonly string[],
): boolean {
  return satisfies(typeof query === "string" ? compilePermissionQuery(query) : query, granted);
}

function satisfies(node: PermissionQuery, granted: readonly string[]): boolean {
  if (node.kind === "scope") return isGranted(granted, node.scope);
  const terms = node.terms;
  if (node.kind === "and") {
    for (let i = 0; i < terms.length; i++) if (!satisfies(terms[i] as PermissionQuery, granted)) return false;
    return true;
  }
  for (let i = 0; i < terms.length; i++) if (satisfies(terms[i] as PermissionQuery, granted)) return true;
  return false;
}

/**
 * The query written back with single spaces and only the parentheses its structure needs:
 * parsing the result gives the same tree.
 *
 * @example
 * const parsed = parsePermissionQuery("((a OR b))AND c");
 * if (parsed.ok) formatPermissionQuery(parsed.query); // "(a OR b) AND c"
 */
export function formatPermissionQuery(node: PermissionQuery): string {
  if (node.kind === "scope") return node.scope;
  const operator = node.kind === "and" ? " AND " : " OR ";
  return node.terms
    .map((term) =>
      // An AND inside an OR needs no parentheses (AND binds tighter); any other group does.
      term.kind === "scope" || (node.kind === "or" && term.kind === "and")
        ? formatPermissionQuery(term)
        : `(${formatPermissionQuery(term)})`,
    )
    .join(operator);
}

/** Every distinct scope a query names, in order of first appearance. */
export function permissionQueryScopes(node: PermissionQuery): string[] {
  const out = new Set<string>();
  const walk = (n: PermissionQuery): void => {
    if (n.kind === "scope") out.add(n.scope);
    else for (const t of n.terms) walk(t);
  };
  walk(node);
  return [...out];
}

// ── parser ──────────────────────────────────────────────────────────────────────────────────

function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 95 || // _
    c === 46 || // .
    c === 45 || // -
    c === 58 || // :
    c === 42 // *
  );
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function describe(expected: readonly PermissionQueryToken[]): string {
  const names = expected.map((t) =>
    t === "scope" ? "a scope" : t === "end" ? "the end of the query" : `"${t}"`,
  );
  return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** Recursive descent over a one-token lookahead; the tokenizer runs lazily, left to right. */
class Parser {
  private pos = 0;
  private depth = 0;
  private current: Token;

  constructor(private readonly text: string) {
    if (text.length > MAX_PERMISSION_QUERY_LENGTH) {
      this.fail(
        MAX_PERMISSION_QUERY_LENGTH,
        ["end"],
        "more text",
        `the query is longer than ${MAX_PERMISSION_QUERY_LENGTH} characters`,
      );
    }
    this.current = this.next(null);
  }

  parse(): PermissionQuery {
    const query = this.or();
    if (this.current.type !== "end") this.unexpected(["AND", "OR", "end"]);
    return query;
  }

  private or(): PermissionQuery {
    const first = this.and();
    if (this.current.type !== "OR") return first;
    const terms = [first];
    while (this.current.type === "OR") {
      this.advance();
      terms.push(this.and());
    }
    return { kind: "or", terms };
  }

  private and(): PermissionQuery {
    const first = this.term();
    if (this.current.type !== "AND") return first;
    const terms = [first];
    while (this.current.type === "AND") {
      this.advance();
      terms.push(this.term());
    }
    return { kind: "and", terms };
  }

  private term(): PermissionQuery {
    const token = this.current;
    if (token.type === "scope") {
      this.advance();
      return { kind: "scope", scope: token.text };
    }
    if (token.type !== "(") return this.unexpected(["scope", "("]);
    if (this.depth >= MAX_PERMISSION_QUERY_DEPTH) {
      this.fail(
        token.at,
        ["scope"],
        '"("',
        `parentheses are nested more than ${MAX_PERMISSION_QUERY_DEPTH} deep`,
      );
    }
    this.depth++;
    this.advance();
    const inner = this.or();
    if (this.current.type !== ")") this.unexpected(["AND", "OR", ")"]);
    this.depth--;
    this.advance();
    return inner;
  }

  private advance(): void {
    this.current = this.next(this.current.type);
  }

  /** Reads the token after one of type `after` (null at the start). */
  private next(after: Token["type"] | null): Token {
    const text = this.text;
    let i = this.pos;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) {
      this.pos = i;
      return { type: "end", text: "", at: i };
    }
    const c = text.charCodeAt(i);
    if (c === 40 || c === 41) {
      this.pos = i + 1;
      return c === 40 ? { type: "(", text: "(", at: i } : { type: ")", text: ")", at: i };
    }
    if (!isWordChar(c)) return this.badCharacter(i, after);
    let end = i + 1;
    while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
    this.pos = end;
    const word = text.slice(i, end);
    if (word === "AND" || word === "OR") return { type: word, text: word, at: i };
    const upper = word.toUpperCase();
    if (upper === "AND" || upper === "OR") {
      this.fail(
        i,
        this.expectedAfter(after),
        `"${word}"`,
        `operators are uppercase: write ${upper}, not ${word}`,
      );
    }
    if (!isValidScope(word)) {
      const shown = `"${abbreviate(word)}"`;
      const why =
        word.length > MAX_SCOPE_LENGTH
          ? `${shown} is longer than ${MAX_SCOPE_LENGTH} characters`
          : `${shown} is not a scope (segments of A-Z a-z 0-9 _ . - or a lone *, joined by single colons)`;
      this.fail(i, this.expectedAfter(after), shown, why);
    }
    return { type: "scope", text: word, at: i };
  }

  /** What may follow a token of type `after`: an operand after an operator or "(", else an operator. */
  private expectedAfter(after: Token["type"] | null): PermissionQueryToken[] {
    if (after === null || after === "(" || after === "AND" || after === "OR") return ["scope", "("];
    return this.depth > 0 ? ["AND", "OR", ")"] : ["AND", "OR", "end"];
  }

  private badCharacter(at: number, after: Token["type"] | null): never {
    const ch = this.text.codePointAt(at) as number;
    const shown =
      ch >= 0x21 && ch <= 0x7e
        ? `"${String.fromCodePoint(ch)}"`
        : `U+${ch.toString(16).toUpperCase().padStart(4, "0")}`;
    const hint = ch === 38 || ch === 124 ? " (write AND, OR)" : ch === 33 ? " (there is no NOT)" : "";
    return this.fail(at, this.expectedAfter(after), shown, `unexpected character ${shown}${hint}`);
  }

  private unexpected(expected: PermissionQueryToken[]): never {
    const token = this.current;
    const found = token.type === "end" ? "end" : `"${abbreviate(token.text)}"`;
    const shown = token.type === "end" ? "the end of the query" : found;
    return this.fail(token.at, expected, found, `expected ${describe(expected)}, found ${shown}`);
  }

  private fail(position: number, expected: PermissionQueryToken[], found: string, problem: string): never {
    const message = `Invalid permission query at position ${position}: ${problem}.`;
    throw new ParseFailure({ position, expected, found, message });
  }
}

function abbreviate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
