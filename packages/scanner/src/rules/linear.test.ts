import { describe, expect, it } from "vitest";
import { createEngine } from "../engine.js";
import { pathologicalInputs, timeRegex } from "../linear-probe.js";
import type { Rule } from "../types.js";
import { builtinRules } from "./index.js";

/**
 * Linear time, issue #20: every rule's regex runs over 1 MB pathological inputs (runs of its own
 * alphabet after each keyword, unterminated quotes, long lines of `=`, `-`, base64) within a
 * generous budget. This is a budget check, not a speed assertion: a linear pattern takes a few
 * milliseconds per input; a quadratic one takes minutes and is interrupted at the budget, so the
 * test fails naming the rule and the input instead of hanging.
 */
const SIZE = 1024 * 1024;
// The engine never hands a regex more than 64 KiB at once: 256 KiB spans several regions.
const ENGINE_SIZE = 256 * 1024;
const BUDGET_MS = 5000;

// A user rule as a .gitleaks.toml or scan.toml would give it (bounded quantifiers, as required).
const userRule: Rule = {
  id: "user-internal-token",
  title: "Internal token",
  severity: "error",
  description: "A user-defined rule.",
  keywords: ["itk_"],
  regex: /(?<![A-Za-z0-9_])itk_[A-Za-z0-9]{32,64}(?![A-Za-z0-9])/g,
};

const rules = [...builtinRules, userRule];

describe("every rule runs in linear time over pathological input", () => {
  it.each(rules.map((r) => [r.id, r] as const))(
    "%s: its regex, 1 MB inputs",
    (_id, rule) => {
      const slow: string[] = [];
      for (const input of pathologicalInputs(rule, SIZE)) {
        const ms = timeRegex(rule.regex, input.text, BUDGET_MS);
        if (ms === null) slow.push(`${rule.id}: ${input.name} ran past ${BUDGET_MS} ms`);
      }
      expect(slow).toEqual([]);
    },
    60_000,
  );

  it("the engine (quick checks, regions, validators) stays within budget on every rule's inputs", () => {
    const engine = createEngine(rules);
    const slow: string[] = [];
    for (const rule of rules) {
      for (const input of pathologicalInputs(rule, ENGINE_SIZE, 1)) {
        const result = engine.scanChecked(Buffer.from(input.text), "probe.txt");
        if (result.timedOut) slow.push(`${rule.id}: ${input.name}`);
      }
    }
    expect(slow).toEqual([]);
  }, 300_000);

  it("a per-file budget stops a slow file and says so instead of hanging", () => {
    // A rule that is quadratic on purpose, with a budget of 1 ms over many regions.
    const slowRule: Rule = { ...userRule, id: "slow", keywords: ["x"], regex: /x[a-z]*y/g };
    const engine = createEngine([slowRule], { fileBudgetMs: 1 });
    const text = `${"x".repeat(1000)}${"a".repeat(20_000)}\n`.repeat(50);
    const result = engine.scanChecked(Buffer.from(text), "slow.txt");
    expect(result.timedOut).toBe(true);
  });
});
