import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createEngine } from "../engine.js";
import type { Finding } from "../types.js";
import { builtinRules } from "./index.js";

const FIXTURES = new URL("../../fixtures/", import.meta.url);
type Expected = Record<string, { ruleId: string; line: number; column: number }[]>;

interface Tally {
  tp: number;
  fp: number;
  fn: number;
}

/** Scans every fixture file and compares with expected.json: (file, rule, line, column) must match. */
function evaluate(): { tallies: Map<string, Tally>; misses: string[] } {
  const engine = createEngine();
  const tallies = new Map(builtinRules.map((r) => [r.id, { tp: 0, fp: 0, fn: 0 }]));
  const misses: string[] = [];
  for (const dir of readdirSync(FIXTURES)) {
    const expected = JSON.parse(readFileSync(new URL(`${dir}/expected.json`, FIXTURES), "utf8")) as Expected;
    for (const [file, wanted] of Object.entries(expected)) {
      const name = `${dir}/${file}`;
      const found: Finding[] = engine.scan(readFileSync(new URL(name, FIXTURES)), name);
      const key = (f: { ruleId: string; line: number; column: number }): string =>
        `${f.ruleId}@${f.line}:${f.column}`;
      const wantedKeys = new Set(wanted.map(key));
      const foundKeys = new Set(found.map(key));
      for (const f of found) {
        const tally = tallies.get(f.ruleId) as Tally;
        if (wantedKeys.has(key(f))) tally.tp++;
        else {
          tally.fp++;
          misses.push(`false positive ${name} ${key(f)} ${f.masked}`);
        }
      }
      for (const w of wanted) {
        if (!foundKeys.has(key(w))) {
          (tallies.get(w.ruleId) as Tally).fn++;
          misses.push(`missed ${name} ${key(w)}`);
        }
      }
    }
  }
  return { tallies, misses };
}

describe("rule fixture corpus", () => {
  const { tallies, misses } = evaluate();

  it("has a fixture folder with 2+ true positives and 2+ near misses for every rule", () => {
    const dirs = readdirSync(FIXTURES);
    for (const rule of builtinRules) {
      expect(dirs, rule.id).toContain(rule.id);
      const expected = JSON.parse(
        readFileSync(new URL(`${rule.id}/expected.json`, FIXTURES), "utf8"),
      ) as Expected;
      const positives = Object.values(expected)
        .flat()
        .filter((e) => e.ruleId === rule.id);
      expect(positives.length, rule.id).toBeGreaterThanOrEqual(2);
      const okFile = Object.keys(expected).find((f) => f.startsWith("ok.")) as string;
      const okLines = readFileSync(new URL(`${rule.id}/${okFile}`, FIXTURES), "utf8")
        .split("\n")
        .filter((l) => l.trim());
      expect(okLines.length, rule.id).toBeGreaterThanOrEqual(2);
    }
  });

  it("finds every expected secret and nothing else: precision and recall 100% per rule", () => {
    const rows = [...tallies].map(([id, t]) => {
      const precision = t.tp + t.fp === 0 ? 1 : t.tp / (t.tp + t.fp);
      const recall = t.tp + t.fn === 0 ? 1 : t.tp / (t.tp + t.fn);
      return {
        rule: id,
        tp: t.tp,
        fp: t.fp,
        fn: t.fn,
        precision: `${(precision * 100).toFixed(0)}%`,
        recall: `${(recall * 100).toFixed(0)}%`,
      };
    });
    console.table(rows);
    expect(misses).toEqual([]);
    for (const [id, t] of tallies) expect(t.tp, id).toBeGreaterThanOrEqual(2);
  });
});
