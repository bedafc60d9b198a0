import { fingerprint, maskSecret } from "./mask.js";
import { buildPrefilter, type Prefilter } from "./prefilter.js";
import { builtinRules } from "./rules/index.js";
import type { Finding, Rule } from "./types.js";

/** Marker that suppresses findings on its line: `token = "…" // keysmith:allow`. */
export const ALLOW_MARKER = "keysmith:allow";
/** Largest region (bytes) a windowed rule's regex sees, so one minified line cannot stall a scan. */
const MAX_REGION = 64 * 1024;

// Every compiled rule has the same fields (null when absent) so the hot loop's property loads
// stay monomorphic; the rule objects themselves differ in which optional fields they set.
interface CompiledRule {
  rule: Rule;
  index: number;
  regex: RegExp;
  quickCheck: NonNullable<Rule["quickCheck"]> | null;
  window: NonNullable<Rule["window"]> | null;
}

/** Rules compiled for scanning: one prefilter over all keywords and a `d`-flag copy of each regex. */
export interface Engine {
  readonly rules: readonly Rule[];
  /** Findings in `bytes` (a whole file or text), reported under `file`. Binary checks are the caller's. */
  scan(bytes: Buffer, file: string): Finding[];
}

/**
 * Compiles rules into an engine. Keep one per thread: it owns reusable buffers.
 *
 * @example createEngine().scan(Buffer.from('token = "…"'), "app.ts")
 */
export function createEngine(rules: readonly Rule[] = builtinRules): Engine {
  const compiled: CompiledRule[] = rules.map((rule, index) => {
    if (!rule.regex.global) throw new TypeError(`rule ${rule.id}: regex must have the g flag`);
    const flags = rule.regex.flags.includes("d") ? rule.regex.flags : `${rule.regex.flags}d`;
    return {
      rule,
      index,
      regex: new RegExp(rule.regex.source, flags),
      quickCheck: rule.quickCheck ?? null,
      window: rule.window ?? null,
    };
  });
  const keywords: string[] = [];
  const keywordRules: number[][] = [];
  const keywordLengths: number[] = [];
  const byKeyword = new Map<string, number>();
  for (const { rule, index } of compiled) {
    for (const keyword of expandKeywords(rule)) {
      let id = byKeyword.get(keyword);
      if (id === undefined) {
        id = keywords.length;
        byKeyword.set(keyword, id);
        keywords.push(keyword);
        keywordRules.push([]);
        keywordLengths.push(Buffer.byteLength(keyword));
      }
      const list = keywordRules[id] as number[];
      if (!list.includes(index)) list.push(index);
    }
  }
  const prefilter = buildPrefilter(keywords);
  const genericIds = new Set(rules.filter((r) => r.generic).map((r) => r.id));
  const actions: Int32Array[] = [];
  for (let state = 0; state < prefilter.stateCount; state++) {
    const pairs: number[] = [];
    for (const keywordId of prefilter.outputs(state)) {
      for (const ruleIndex of keywordRules[keywordId] as number[])
        pairs.push(ruleIndex, keywordLengths[keywordId] as number);
    }
    actions.push(Int32Array.from(pairs));
  }
  const tables: Tables = { compiled, prefilter, actions, genericIds };
  return {
    rules,
    scan: (bytes, file) => scanBytes(bytes, file, tables),
  };
}

function expandKeywords(rule: Rule): string[] {
  if (rule.keywordCase !== "variants") return [...rule.keywords];
  const out = new Set<string>();
  for (const k of rule.keywords) {
    out.add(k.toLowerCase());
    out.add(k.toUpperCase());
    out.add(k.charAt(0).toUpperCase() + k.slice(1).toLowerCase());
  }
  return [...out];
}

interface Tables {
  compiled: CompiledRule[];
  prefilter: Prefilter;
  /** Per DFA state: (rule index, keyword byte length) pairs for the keywords ending there. */
  actions: Int32Array[];
  genericIds: ReadonlySet<string>;
}

function scanBytes(bytes: Buffer, file: string, t: Tables): Finding[] {
  const hitCount = t.prefilter.scan(bytes);
  if (hitCount === 0) return [];
  const { positions, states } = t.prefilter.hits;
  const { compiled, actions } = t;
  const ctx = new FileContext(bytes, file, t.genericIds);
  const pending = new Uint8Array(compiled.length);
  let pendingList: number[] = [];
  let lineStart = -1;
  let lineEnd = -1;
  const len = bytes.length;

  for (let h = 0; h < hitCount; h++) {
    const end = positions[h] as number;
    // Pairs of (rule index, keyword length) for every keyword ending in this state.
    const list = actions[states[h] as number] as Int32Array;
    for (let a = 0; a < list.length; a += 2) {
      const ruleIndex = list[a] as number;
      const start = end - (list[a + 1] as number);
      if (pending[ruleIndex] === 1 && start < lineEnd) continue;
      const quickCheck = (compiled[ruleIndex] as CompiledRule).quickCheck;
      if (quickCheck !== null && !quickCheck(bytes, start, end)) continue;
      if (start >= lineEnd) {
        if (pendingList.length > 0) ctx.evaluate(compiled, pendingList, lineStart, lineEnd, pending);
        pendingList = [];
        lineStart = lineStartOf(bytes, start);
        lineEnd = end;
        while (lineEnd < len && bytes[lineEnd] !== 10) lineEnd++;
      }
      if (pending[ruleIndex] === 0) {
        pending[ruleIndex] = 1;
        pendingList.push(ruleIndex);
      }
    }
  }
  if (pendingList.length > 0) ctx.evaluate(compiled, pendingList, lineStart, lineEnd, pending);
  return ctx.result();
}

function lineStartOf(bytes: Uint8Array, at: number): number {
  let i = at;
  while (i > 0 && bytes[i - 1] !== 10) i--;
  return i;
}

/** Per-file state: decoded regions, the line-number cursor and the findings so far. */
class FileContext {
  private readonly findings: Finding[] = [];
  private readonly seen = new Set<string>();
  private cursorPos = 0;
  private cursorLine = 1;
  private cachedStart = -1;
  private cachedEnd = -1;
  private cachedText = "";

  constructor(
    private readonly bytes: Buffer,
    private readonly file: string,
    private readonly genericIds: ReadonlySet<string>,
  ) {}

  /** Runs the pending rules on the line [start, end) (plus each rule's window) and clears them. */
  evaluate(
    compiled: CompiledRule[],
    ruleIndexes: number[],
    start: number,
    end: number,
    pending: Uint8Array,
  ): void {
    for (const ruleIndex of ruleIndexes) {
      pending[ruleIndex] = 0;
      const entry = compiled[ruleIndex] as CompiledRule;
      const window = entry.window;
      let regionStart = start;
      let regionEnd = end;
      if (window) {
        regionStart = this.linesBefore(start, window.before);
        regionEnd = this.linesAfter(end, window.after);
      }
      this.runRule(entry, regionStart, regionEnd);
    }
  }

  private runRule(entry: CompiledRule, regionStart: number, regionEnd: number): void {
    const text = this.decode(regionStart, regionEnd);
    const regex = entry.regex;
    regex.lastIndex = 0;
    let firstLine = -1;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      if (match[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const groups = match.groups;
      const secret = groups?.secret ?? groups?.secret2 ?? match[0];
      const range = match.indices?.groups?.secret ?? match.indices?.groups?.secret2 ?? match.indices?.[0];
      if (!secret || !range) continue;
      const rule = entry.rule;
      if (rule.validate && !rule.validate(secret, match)) continue;
      const at = range[0];
      const lineOffset = text.lastIndexOf("\n", at - 1) + 1;
      const lineClose = text.indexOf("\n", at);
      const lineText = text.slice(lineOffset, lineClose < 0 ? text.length : lineClose);
      if (lineText.includes(ALLOW_MARKER)) continue;
      if (firstLine < 0) firstLine = this.lineAt(regionStart);
      const line = firstLine + countNewlines(text, lineOffset);
      const column = at - lineOffset + 1;
      const key = `${entry.index}:${line}:${column}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.findings.push({
        ruleId: rule.id,
        title: rule.title,
        severity: rule.severity,
        file: this.file,
        line,
        column,
        secret,
        masked: rule.mask ? rule.mask(secret) : maskSecret(secret),
        fingerprint: fingerprint(rule.id, secret, this.file),
      });
    }
  }

  /** Findings in file order, with generic findings dropped where a specific rule found the same span. */
  result(): Finding[] {
    const isGeneric = (f: Finding): boolean => this.genericIds.has(f.ruleId);
    const specific = this.findings.filter((f) => !isGeneric(f));
    const kept = this.findings.filter(
      (f) =>
        !isGeneric(f) ||
        !specific.some(
          (s) =>
            s.line === f.line &&
            s.column < f.column + f.secret.length &&
            f.column < s.column + s.secret.length,
        ),
    );
    return kept.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  private decode(start: number, end: number): string {
    if (start !== this.cachedStart || end !== this.cachedEnd) {
      this.cachedStart = start;
      this.cachedEnd = end;
      this.cachedText = this.bytes.toString("utf8", start, end);
    }
    return this.cachedText;
  }

  private linesBefore(start: number, lines: number): number {
    let pos = start;
    for (let i = 0; i < lines && pos > 0 && start - pos < MAX_REGION; i++)
      pos = lineStartOf(this.bytes, pos - 1);
    return pos;
  }

  private linesAfter(end: number, lines: number): number {
    let pos = end;
    for (let i = 0; i < lines && pos < this.bytes.length && pos - end < MAX_REGION; i++) {
      const next = this.bytes.indexOf(10, pos + 1);
      pos = next < 0 ? this.bytes.length : next;
    }
    return Math.min(pos, this.bytes.length);
  }

  /** 1-based line number of byte `pos`, counting from a cursor that mostly moves forward. */
  private lineAt(pos: number): number {
    const bytes = this.bytes;
    if (pos < this.cursorPos) {
      this.cursorPos = 0;
      this.cursorLine = 1;
    }
    let line = this.cursorLine;
    for (let i = bytes.indexOf(10, this.cursorPos); i >= 0 && i < pos; i = bytes.indexOf(10, i + 1)) line++;
    this.cursorPos = pos;
    this.cursorLine = line;
    return line;
  }
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
