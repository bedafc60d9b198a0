import { describe, expect, it } from "vitest";
import { KeysmithError } from "./errors.js";
import {
  compilePermissionQuery,
  evaluatePermissionQuery,
  formatPermissionQuery,
  MAX_PERMISSION_QUERY_DEPTH,
  MAX_PERMISSION_QUERY_LENGTH,
  type PermissionQueryError,
  parsePermissionQuery,
  permissionQueryScopes,
} from "./permissions.js";

function errorOf(text: string): PermissionQueryError {
  const parsed = parsePermissionQuery(text);
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(text)} not to parse`);
  return parsed.error;
}

function format(text: string): string {
  const parsed = parsePermissionQuery(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return formatPermissionQuery(parsed.query);
}

describe("permission queries", () => {
  it("evaluates the SPEC's example with the existing wildcard rules", () => {
    const query = "invoices:read AND (refunds:write OR billing:*)";
    expect(evaluatePermissionQuery(query, ["invoices:read", "refunds:write"])).toBe(true);
    expect(evaluatePermissionQuery(query, ["invoices:*", "billing:*"])).toBe(true);
    expect(evaluatePermissionQuery(query, ["*"])).toBe(true);
    expect(evaluatePermissionQuery(query, ["invoices:read", "billing:read"])).toBe(false);
    expect(evaluatePermissionQuery(query, ["refunds:write", "billing:*"])).toBe(false);
    expect(evaluatePermissionQuery(query, [])).toBe(false);
  });

  it("binds AND tighter than OR", () => {
    expect(format("a OR b AND c")).toBe("a OR b AND c");
    expect(evaluatePermissionQuery("a OR b AND c", ["a"])).toBe(true);
    expect(evaluatePermissionQuery("(a OR b) AND c", ["a"])).toBe(false);
    expect(evaluatePermissionQuery("a AND b OR c", ["c"])).toBe(true);
    expect(evaluatePermissionQuery("a AND (b OR c)", ["c"])).toBe(false);
  });

  it("ignores whitespace and redundant parentheses, and prints the structure back", () => {
    expect(format("  ((a:read))\tAND\n(b:write OR(c:*))  ")).toBe("a:read AND (b:write OR c:*)");
    expect(format("(a AND b) AND c")).toBe("(a AND b) AND c");
    expect(format("a OR (b OR c)")).toBe("a OR (b OR c)");
    expect(format("(a AND b) OR c")).toBe("a AND b OR c");
  });

  it("lists the scopes a query names", () => {
    const parsed = parsePermissionQuery("a AND (b OR a) AND c:*");
    expect(parsed.ok && permissionQueryScopes(parsed.query)).toEqual(["a", "b", "c:*"]);
  });

  it("caches compiled queries and throws INVALID_PERMISSION_QUERY for a bad one", () => {
    const shared = compilePermissionQuery("a AND (b OR c)");
    expect(compilePermissionQuery("a AND (b OR c)")).toBe(shared);
    // Shared by every caller, so frozen all the way down.
    expect(Object.isFrozen(shared) && shared.kind === "and" && Object.isFrozen(shared.terms[1])).toBe(true);
    let thrown: unknown;
    try {
      compilePermissionQuery("a AND (b");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(KeysmithError);
    expect(thrown).toMatchObject({
      code: "INVALID_PERMISSION_QUERY",
      status: 400,
      message:
        'Invalid permission query at position 8: expected "AND", "OR" or ")", found the end of the query.',
      details: { position: 8, expected: ["AND", "OR", ")"], found: "end" },
    });
  });

  it("keeps the cache bounded: a query pushed out is parsed again, to an equal tree", () => {
    const first = compilePermissionQuery("evicted:first AND x");
    for (let i = 0; i < 600; i++) compilePermissionQuery(`filler:${i} OR y`);
    const again = compilePermissionQuery("evicted:first AND x");
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it("keeps a query in use cached while others come and go", () => {
    const hot = compilePermissionQuery("hot:query AND x");
    for (let i = 0; i < 1200; i++) {
      compilePermissionQuery(`churn:${i} OR y`);
      expect(compilePermissionQuery("hot:query AND x")).toBe(hot);
    }
  });

  describe("errors point at the offending position", () => {
    it.each([
      ["", 0, ["scope", "("], "end"],
      ["   ", 3, ["scope", "("], "end"],
      ["a AND", 5, ["scope", "("], "end"],
      ["AND a", 0, ["scope", "("], '"AND"'],
      ["a OR OR b", 5, ["scope", "("], '"OR"'],
      ["a b", 2, ["AND", "OR", "end"], '"b"'],
      ["(a OR b", 7, ["AND", "OR", ")"], "end"],
      ["(a OR b) c", 9, ["AND", "OR", "end"], '"c"'],
      ["a)", 1, ["AND", "OR", "end"], '")"'],
      ["()", 1, ["scope", "("], '")"'],
      ["a AND ()", 7, ["scope", "("], '")"'],
      ["a (b)", 2, ["AND", "OR", "end"], '"("'],
      ["a && b", 2, ["AND", "OR", "end"], '"&"'],
      ["a AND !b", 6, ["scope", "("], '"!"'],
      ["a AND é", 6, ["scope", "("], "U+00E9"],
      ["a and b", 2, ["AND", "OR", "end"], '"and"'],
      ["a AND or", 6, ["scope", "("], '"or"'],
      ["(a Or b)", 3, ["AND", "OR", ")"], '"Or"'],
      ["a AND b::c", 6, ["scope", "("], '"b::c"'],
      ["a AND :b", 6, ["scope", "("], '":b"'],
      ["a AND b:", 6, ["scope", "("], '"b:"'],
      ["a AND b*", 6, ["scope", "("], '"b*"'],
    ])("%j fails at %i", (text, position, expected, found) => {
      const error = errorOf(text);
      expect(error).toMatchObject({ position, expected, found });
      expect(error.message).toContain(`at position ${position}:`);
    });

    it("says how to write an operator given in lowercase", () => {
      expect(errorOf("read and write").message).toBe(
        "Invalid permission query at position 5: operators are uppercase: write AND, not and.",
      );
    });

    it("refuses a scope longer than a scope may be", () => {
      const long = "a".repeat(129);
      expect(errorOf(`x OR ${long}`)).toMatchObject({ position: 5 });
      expect(errorOf(`x OR ${long}`).message).toContain("longer than 128 characters");
      expect(parsePermissionQuery(`x OR ${"a".repeat(128)}`).ok).toBe(true);
    });

    it(`refuses more than ${MAX_PERMISSION_QUERY_LENGTH} characters`, () => {
      const terms = Array.from({ length: 200 }, (_, i) => `s${i}`);
      const long = terms.join(" OR ");
      expect(long.length).toBeGreaterThan(MAX_PERMISSION_QUERY_LENGTH);
      expect(errorOf(long)).toMatchObject({ position: MAX_PERMISSION_QUERY_LENGTH, expected: ["end"] });
      expect(
        parsePermissionQuery(long.slice(0, long.lastIndexOf(" OR ", MAX_PERMISSION_QUERY_LENGTH))).ok,
      ).toBe(true);
      expect(parsePermissionQuery(`${"a".repeat(128)} OR `.repeat(8).concat("x")).ok).toBe(false);
    });

    it(`refuses parentheses nested more than ${MAX_PERMISSION_QUERY_DEPTH} deep, at the first one too many`, () => {
      const nested = (n: number) => `${"(".repeat(n)}a${")".repeat(n)}`;
      expect(parsePermissionQuery(nested(MAX_PERMISSION_QUERY_DEPTH)).ok).toBe(true);
      expect(errorOf(nested(MAX_PERMISSION_QUERY_DEPTH + 1))).toMatchObject({
        position: MAX_PERMISSION_QUERY_DEPTH,
        found: '"("',
      });
      // Depth counts open parentheses, not how many were ever opened.
      expect(parsePermissionQuery(Array.from({ length: 100 }, () => "(a)").join(" AND ")).ok).toBe(true);
    });
  });

  it("parses in time linear in the length of the query", () => {
    // Pathological shapes for a backtracking parser: many operators, deep groups, long scopes.
    const shapes = [
      Array.from({ length: 250 }, () => "a").join(" OR "),
      `${"(".repeat(32)}${Array.from({ length: 100 }, () => "a:b").join(" AND ")}${")".repeat(32)}`,
      `${"(".repeat(32)}a${" AND a".repeat(150)}`,
    ];
    for (const shape of shapes) {
      const text = shape.slice(0, MAX_PERMISSION_QUERY_LENGTH);
      const started = performance.now();
      for (let i = 0; i < 200; i++) parsePermissionQuery(text);
      // 200 parses of 1000 characters; a quadratic parser takes seconds here.
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
