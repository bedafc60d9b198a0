import { describe, expect, it } from "vitest";
import {
  evaluatePermissionQuery,
  formatPermissionQuery,
  MAX_PERMISSION_QUERY_DEPTH,
  MAX_PERMISSION_QUERY_LENGTH,
  type PermissionQuery,
  type PermissionQueryToken,
  parsePermissionQuery,
} from "./permissions.js";
import { isGranted } from "./scopes.js";

/*
 * Property tests with a seeded generator (no property-testing library is installed): every run
 * checks the same cases, and a failure names its seed and input. The parser and evaluator are
 * compared with references built differently: a token-level state machine for what parses and
 * where it fails, JavaScript's own `&&`/`||` (which share AND/OR's precedence) for what a query
 * means, over full truth tables.
 */

/** mulberry32: small, fast and good enough to pick test cases. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

const PLAIN = ["a", "b", "c", "d", "e", "f"];
const RESOURCES = ["invoices", "refunds", "billing"];
const ACTIONS = ["read", "write", "*"];
const WILD_SCOPES = [
  ...RESOURCES.flatMap((r) => ACTIONS.map((a) => `${r}:${a}`)),
  "*",
  "invoices:lines:read",
];
const GRANTS = [...WILD_SCOPES, "*:read", "*:write", "invoices:*:read"];

function tree(rng: Rng, atoms: readonly string[], depth: number): PermissionQuery {
  if (depth === 0 || rng() < 0.3) return { kind: "scope", scope: pick(rng, atoms) };
  const terms = Array.from({ length: 2 + Math.floor(rng() * 3) }, () => tree(rng, atoms, depth - 1));
  return { kind: rng() < 0.5 ? "and" : "or", terms };
}

/** The tree as tokens, with every parenthesis its structure needs and some it does not. */
function tokensOf(rng: Rng, node: PermissionQuery): string[] {
  if (node.kind === "scope") return rng() < 0.1 ? ["(", node.scope, ")"] : [node.scope];
  const out: string[] = [];
  node.terms.forEach((term, i) => {
    if (i > 0) out.push(node.kind === "and" ? "AND" : "OR");
    const needed = term.kind === node.kind || (node.kind === "and" && term.kind === "or");
    const inner = tokensOf(rng, term);
    if (needed || (term.kind !== "scope" && rng() < 0.15)) out.push("(", ...inner, ")");
    else out.push(...inner);
  });
  return out;
}

/** Joins tokens with random whitespace (none at all next to a parenthesis, sometimes). */
function layout(rng: Rng, tokens: readonly string[]): { text: string; at: number[] } {
  let text = rng() < 0.2 ? " " : "";
  const at: number[] = [];
  tokens.forEach((token, i) => {
    if (i > 0) {
      const paren = token === "(" || token === ")" || tokens[i - 1] === "(" || tokens[i - 1] === ")";
      text += paren && rng() < 0.5 ? "" : pick(rng, [" ", " ", "  ", "\t", "\n", " \r\n "]);
    }
    at.push(text.length);
    text += token;
  });
  return { text: text + (rng() < 0.2 ? "\t" : ""), at };
}

/** The reference grammar: an LL(1) state machine over tokens, with the parser's error positions. */
function recognize(
  tokens: readonly string[],
  at: readonly number[],
  length: number,
): { ok: true } | { ok: false; position: number; expected: PermissionQueryToken[] } {
  let operand = true;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const position = at[i] as number;
    if (operand) {
      if (token === "(") {
        if (depth === MAX_PERMISSION_QUERY_DEPTH) return { ok: false, position, expected: ["scope"] };
        depth++;
      } else if (token !== ")" && token !== "AND" && token !== "OR") operand = false;
      else return { ok: false, position, expected: ["scope", "("] };
    } else if (token === "AND" || token === "OR") operand = true;
    else if (token === ")" && depth > 0) depth--;
    else return { ok: false, position, expected: depth > 0 ? ["AND", "OR", ")"] : ["AND", "OR", "end"] };
  }
  if (operand) return { ok: false, position: length, expected: ["scope", "("] };
  if (depth > 0) return { ok: false, position: length, expected: ["AND", "OR", ")"] };
  return { ok: true };
}

/** The query's meaning from JavaScript's `&&`/`||`, one boolean per distinct scope. */
function javascript(tokens: readonly string[]): { atoms: string[]; run: (values: boolean[]) => boolean } {
  const atoms: string[] = [];
  const source = tokens
    .map((t) => {
      if (t === "AND") return "&&";
      if (t === "OR") return "||";
      if (t === "(" || t === ")") return t;
      if (!atoms.includes(t)) atoms.push(t);
      return `v[${atoms.indexOf(t)}]`;
    })
    .join(" ");
  return { atoms, run: new Function("v", `return (${source});`) as (values: boolean[]) => boolean };
}

function reference(node: PermissionQuery, granted: readonly string[]): boolean {
  if (node.kind === "scope") return isGranted(granted, node.scope);
  return node.kind === "and"
    ? node.terms.every((t) => reference(t, granted))
    : node.terms.some((t) => reference(t, granted));
}

function mutate(rng: Rng, tokens: readonly string[], atoms: readonly string[]): string[] {
  const out = [...tokens];
  const i = Math.floor(rng() * (out.length + 1));
  const token = pick(rng, ["AND", "OR", "(", ")", pick(rng, atoms)]);
  const how = rng();
  if (how < 0.4) out.splice(i, 0, token);
  else if (how < 0.7 && out.length > 1) out.splice(Math.min(i, out.length - 1), 1);
  else out[Math.min(i, out.length - 1)] = token;
  return out;
}

const SEEDS = 3000;

describe("permission queries, against references (seeded)", () => {
  it("parses a printed tree back to the same tree, and evaluates it as a reference evaluator does", () => {
    let tooLong = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = random(seed);
      const expected = tree(rng, WILD_SCOPES, 3 + (seed % 2));
      const { text } = layout(rng, tokensOf(rng, expected));
      const parsed = parsePermissionQuery(text);
      const context = `seed ${seed}: ${JSON.stringify(text)}`;
      if (text.length > MAX_PERMISSION_QUERY_LENGTH) {
        tooLong++;
        expect(!parsed.ok && parsed.error.position, context).toBe(MAX_PERMISSION_QUERY_LENGTH);
        continue;
      }
      expect(parsed.ok, context).toBe(true);
      if (!parsed.ok) continue;
      expect(parsed.query, context).toEqual(expected);
      // Canonical printing round-trips, and printing is a fixed point.
      const printed = formatPermissionQuery(parsed.query);
      const reparsed = parsePermissionQuery(printed);
      expect(reparsed.ok && reparsed.query, context).toEqual(expected);
      expect(reparsed.ok && formatPermissionQuery(reparsed.query), context).toBe(printed);
      for (let g = 0; g < 8; g++) {
        const granted = GRANTS.filter(() => rng() < 0.25);
        const answer = evaluatePermissionQuery(text, granted);
        // expect() only on a mismatch: thousands of passing expect() calls cost seconds.
        if (answer !== reference(expected, granted)) {
          expect(answer, `${context} granted ${granted}`).toBe(reference(expected, granted));
        }
      }
    }
    expect(tooLong).toBeLessThan(SEEDS / 10);
  });

  it("accepts exactly what the reference grammar accepts, fails where it fails, and means what JavaScript means", () => {
    let valid = 0;
    let invalid = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const rng = random(seed * 7919);
      // A third each: random token soup, a valid query, a valid query with one token inserted,
      // dropped or replaced.
      const kind = rng();
      const tokens =
        kind < 1 / 3
          ? Array.from({ length: 1 + Math.floor(rng() * 12) }, () =>
              pick(rng, ["AND", "OR", "(", ")", ...PLAIN, ...PLAIN]),
            )
          : kind < 2 / 3
            ? tokensOf(rng, tree(rng, PLAIN, 3))
            : mutate(rng, tokensOf(rng, tree(rng, PLAIN, 3)), PLAIN);
      const { text, at } = layout(rng, tokens);
      const context = `seed ${seed}: ${JSON.stringify(text)}`;
      const parsed = parsePermissionQuery(text);
      const expected = recognize(tokens, at, text.length);
      if (!expected.ok) {
        invalid++;
        expect(parsed.ok, context).toBe(false);
        if (!parsed.ok) {
          expect({ position: parsed.error.position, expected: parsed.error.expected }, context).toEqual({
            position: expected.position,
            expected: expected.expected,
          });
        }
        continue;
      }
      valid++;
      expect(parsed.ok, context).toBe(true);
      if (!parsed.ok) continue;
      // The whole truth table over the scopes the query names (plain scopes: granted = held).
      const { atoms, run } = javascript(tokens);
      for (let mask = 0; mask < 1 << atoms.length; mask++) {
        const granted = atoms.filter((_, i) => mask & (1 << i));
        const answer = evaluatePermissionQuery(parsed.query, granted);
        const truth = run(atoms.map((_, i) => (mask & (1 << i)) !== 0));
        if (answer !== truth) expect(answer, `${context} granted ${granted}`).toBe(truth);
      }
    }
    // The generator must reach both sides, or the comparison says little.
    expect(valid).toBeGreaterThan(SEEDS / 5);
    expect(invalid).toBeGreaterThan(SEEDS / 5);
  });
});
