import { describe, expect, it } from "vitest";
import { buildPrefilter } from "./prefilter.js";

function hits(keywords: string[], text: string): string[] {
  const pf = buildPrefilter(keywords);
  const bytes = Buffer.from(text);
  const n = pf.scan(bytes);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    for (const id of pf.outputs(pf.hits.states[i] as number))
      out.push(`${keywords[id]}@${pf.hits.positions[i]}`);
  }
  return out;
}

describe("buildPrefilter", () => {
  it("reports every keyword occurrence with its end offset, overlaps included", () => {
    expect(hits(["he", "she", "hers"], "ushers")).toEqual(["she@4", "he@4", "hers@6"]);
  });

  it("is case-sensitive and finds keywords at the very start and end", () => {
    expect(hits(["AKIA", "key"], "AKIA akia KEY key")).toEqual(["AKIA@4", "key@17"]);
  });

  it("matches UTF-8 keywords on bytes", () => {
    expect(hits(["clé"], "une clé")).toEqual(["clé@8"]);
  });

  it("keeps finding hits past the initial hit buffer", () => {
    const pf = buildPrefilter(["a"]);
    expect(pf.scan(Buffer.alloc(10_000, "a"))).toBe(10_000);
    expect(pf.hits.positions[9_999]).toBe(10_000);
  });

  it("finds the same hits as a naive search in long buffers, across the two walks' split", () => {
    const keywords = ["key", "secret", "AKIA", "ghp_", "xoxb-", "PRIVATE KEY"];
    const pf = buildPrefilter(keywords);
    for (const length of [4096, 5000, 65_537]) {
      const half = length >> 1;
      let text = "";
      for (let i = 0; text.length < length; i++)
        text += i % 13 === 0 ? keywords[i % keywords.length] : "ab cd ";
      // Put a keyword across the split point, and one ending exactly on it.
      const chars = text.slice(0, length).split("");
      chars.splice(half - 5, 11, ..."PRIVATE KEY");
      chars.splice(half - 6, 3, ..."key");
      const bytes = Buffer.from(chars.join(""));
      const expected: string[] = [];
      for (const [id, k] of keywords.entries()) {
        for (let at = bytes.indexOf(k); at >= 0; at = bytes.indexOf(k, at + 1))
          expected.push(`${at + k.length}:${id}`);
      }
      const n = pf.scan(bytes);
      const found: string[] = [];
      for (let i = 0; i < n; i++) {
        for (const id of pf.outputs(pf.hits.states[i] as number)) found.push(`${pf.hits.positions[i]}:${id}`);
      }
      const positions = found.map((f) => Number(f.split(":")[0]));
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
      expect(found.sort()).toEqual(expected.sort());
    }
  });
});
