/**
 * Pathological inputs for a rule, and a probe that runs a rule's regex over them under a time
 * limit. The regex engine (V8's) backtracks: a pattern such as `[\w.-]*secret[\w.-]*=` takes
 * time quadratic in a long run of word characters. rules/linear.test.ts holds every built-in rule
 * linear with these inputs at 1 MB; user rules (scan.toml, .gitleaks.toml) are probed at load at
 * the size of one engine region and refused when they run past the limit.
 */
import { createContext, Script } from "node:vm";
import type { Rule } from "./types.js";

export interface ProbeInput {
  name: string;
  text: string;
}

// One context for every probe: the script is interrupted when it runs past its timeout.
const PROBE = new Script(
  "re.lastIndex = 0; for (let m = re.exec(text); m !== null; m = re.exec(text)) if (m[0].length === 0) re.lastIndex++;",
);
const probeContext = createContext({ re: null as RegExp | null, text: "" });

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** The printable ASCII characters each `[…]` class of `regex` accepts (at most `max` classes). */
export function regexAlphabets(regex: RegExp, max = 4): string[] {
  const flags = regex.flags.replace(/[gyd]/g, "");
  const out: string[] = [];
  const seen = new Set<string>();
  for (const [cls] of regex.source.matchAll(/\[(?:\\.|[^\]\\])+\]/g)) {
    let test: RegExp;
    try {
      test = new RegExp(`^${cls}$`, flags);
    } catch {
      continue;
    }
    let members = "";
    for (let c = 32; c < 127; c++) if (test.test(String.fromCharCode(c))) members += String.fromCharCode(c);
    if (members.length === 0 || seen.has(members)) continue;
    seen.add(members);
    out.push(members);
    if (out.length === max) break;
  }
  return out;
}

/** A run of `size` characters drawn from `alphabet` in a fixed pseudo-random order (high entropy). */
export function run(alphabet: string, size: number): string {
  const key = `${size}:${alphabet}`;
  const cached = runCache.get(key);
  if (cached !== undefined) return cached;
  const noise = randomIndexes(size);
  const table = Buffer.from(alphabet, "latin1");
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = table[(noise[i] as number) % table.length] as number;
  const text = out.toString("latin1");
  if (runCache.size > 64) runCache.clear();
  runCache.set(key, text);
  return text;
}
const runCache = new Map<string, string>();

let noiseCache = new Uint32Array(0);
function randomIndexes(size: number): Uint32Array {
  if (noiseCache.length < size) {
    noiseCache = new Uint32Array(size);
    let x = 7;
    for (let i = 0; i < size; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      noiseCache[i] = x >>> 0;
    }
  }
  return noiseCache;
}

/**
 * Inputs meant to make a backtracking pattern slow: after each keyword (at most `maxKeywords`),
 * a long run of each of the rule's character classes (random and one repeated character), an
 * unterminated quote, the keyword repeated, and long lines of `=`, `-` and base64.
 */
export function pathologicalInputs(rule: Rule, size: number, maxKeywords = 2): ProbeInput[] {
  const keywords = rule.keywords.length > 0 ? rule.keywords.slice(0, maxKeywords) : [""];
  const alphabets = [...regexAlphabets(rule.regex, 2), BASE64];
  const inputs: ProbeInput[] = [];
  for (const keyword of keywords) {
    for (const alphabet of alphabets) {
      const label = alphabet.length > 12 ? `${alphabet.slice(0, 12)}…` : alphabet;
      inputs.push({ name: `${keyword} + random run of [${label}]`, text: keyword + run(alphabet, size) });
      const first = alphabet[0] as string;
      inputs.push({
        name: `${keyword} + run of ${JSON.stringify(first)}`,
        text: keyword + first.repeat(size),
      });
    }
    inputs.push({ name: `${keyword} = unterminated quote`, text: `${keyword} = "${run(BASE64, size)}` });
    inputs.push({
      name: `${keyword} repeated`,
      text: `${keyword}=`.repeat(Math.ceil(size / (keyword.length + 1))),
    });
    inputs.push({ name: `${keyword} then spaces`, text: `${keyword}${" ".repeat(size)}x` });
  }
  inputs.push({ name: "line of =", text: "=".repeat(size) });
  inputs.push({ name: "line of -", text: "-".repeat(size) });
  inputs.push({ name: "line of base64", text: run(BASE64, size) });
  return inputs;
}

/**
 * Runs `regex` over `text` to the end (every match) with a time limit; returns the time taken, or
 * `null` when it ran past `timeoutMs` (the run is interrupted, not waited for).
 */
export function timeRegex(regex: RegExp, text: string, timeoutMs: number): number | null {
  const re = new RegExp(regex.source, regex.flags.includes("g") ? regex.flags : `${regex.flags}g`);
  const started = performance.now();
  try {
    probeContext.re = re;
    probeContext.text = text;
    PROBE.runInContext(probeContext, { timeout: timeoutMs });
  } catch (error) {
    // The error comes from the probe's context: not an `Error` of this realm.
    if ((error as { code?: string } | null)?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT") return null;
    throw error;
  } finally {
    probeContext.re = null;
    probeContext.text = "";
  }
  return performance.now() - started;
}

/** The first pathological input on which the rule's regex runs past `timeoutMs`, or null. */
export function probeRule(rule: Rule, size: number, timeoutMs: number): string | null {
  for (const input of pathologicalInputs(rule, size)) {
    if (timeRegex(rule.regex, input.text, timeoutMs) === null) return input.name;
  }
  return null;
}
