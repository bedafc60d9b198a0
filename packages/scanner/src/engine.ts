import { fingerprint, maskSecret } from "./mask.js";
import { buildPrefilter, type Prefilter } from "./prefilter.js";
import { builtinRules } from "./rules/index.js";
import type { Finding, Rule } from "./types.js";

/** Markers that suppress findings on their line: `token = "…" // keysmith:allow` (or gitleaks'). */
export const ALLOW_MARKER = "keysmith:allow";
export const ALLOW_MARKERS: readonly string[] = [ALLOW_MARKER, "gitleaks:allow"];
/**
 * Largest region (bytes) one regex run sees. Keyword hits of one rule whose reaches overlap are
 * merged into one region up to this size; together with every rule's bounded quantifiers (held
 * by rules/linear.test.ts) a file costs time linear in its size whatever its lines look like.
 */
const MAX_REGION = 64 * 1024;
const DEFAULT_REACH = { before: 256, after: 1024 };
/** Default per-file time budget: past it the scan of the file stops and reports a `timeout`. */
export const DEFAULT_FILE_BUDGET_MS = 5000;
/** Hits between two clock reads. */
const CLOCK_EVERY = 512;

// Every compiled rule has the same fields (null when absent) so the hot loop's property loads
// stay monomorphic; the rule objects themselves differ in which optional fields they set.
interface CompiledRule {
  rule: Rule;
  index: number;
  regex: RegExp;
  quickCheck: NonNullable<Rule["quickCheck"]> | null;
  window: NonNullable<Rule["window"]> | null;
  before: number;
  after: number;
}

export interface EngineOptions {
  /** Milliseconds one file may take before its scan stops with a `timeout` (default 5,000). */
  fileBudgetMs?: number;
}

/** Rules compiled for scanning: one prefilter over all keywords and a `d`-flag copy of each regex. */
export interface Engine {
  readonly rules: readonly Rule[];
  /** Findings in `bytes` (a whole file or text), reported under `file`. Binary checks are the caller's. */
  scan(bytes: Buffer, file: string): Finding[];
  /** As `scan`, and whether the file ran past the time budget (its findings are then partial). */
  scanChecked(bytes: Buffer, file: string): { findings: Finding[]; timedOut: boolean };
}

/**
 * Compiles rules into an engine. Keep one per thread: it owns reusable buffers.
 *
 * @example createEngine().scan(Buffer.from('token = "…"'), "app.ts")
 */
export function createEngine(rules: readonly Rule[] = builtinRules, options: EngineOptions = {}): Engine {
  const compiled: CompiledRule[] = rules.map((rule, index) => {
    if (!rule.regex.global) throw new TypeError(`rule ${rule.id}: regex must have the g flag`);
    const flags = rule.regex.flags.includes("d") ? rule.regex.flags : `${rule.regex.flags}d`;
    return {
      rule,
      index,
      regex: new RegExp(rule.regex.source, flags),
      quickCheck: rule.quickCheck ?? null,
      window: rule.window ?? null,
      before: rule.reach?.before ?? DEFAULT_REACH.before,
      after: rule.reach?.after ?? DEFAULT_REACH.after,
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
  const prefilter = buildPrefilter(keywords.length > 0 ? keywords : ["\u0000"]);
  const genericIds = new Set(rules.filter((r) => r.generic).map((r) => r.id));
  const actions: Int32Array[] = [];
  for (let state = 0; state < prefilter.stateCount; state++) {
    const pairs: number[] = [];
    for (const keywordId of prefilter.outputs(state)) {
      for (const ruleIndex of keywordRules[keywordId] ?? [])
        pairs.push(ruleIndex, keywordLengths[keywordId] as number);
    }
    actions.push(Int32Array.from(pairs));
  }
  const keywordless = compiled.filter((c) => c.rule.keywords.length === 0);
  const tables: Tables = {
    compiled,
    prefilter,
    actions,
    genericIds,
    keywordless,
    budgetMs: options.fileBudgetMs ?? DEFAULT_FILE_BUDGET_MS,
  };
  const scanChecked = (bytes: Buffer, file: string) => scanBytes(bytes, file, tables);
  return {
    rules,
    scan: (bytes, file) => scanChecked(bytes, file).findings,
    scanChecked,
  };
}

function expandKeywords(rule: Rule): string[] {
  if (rule.keywordCase !== "variants") return [...rule.keywords];
  const out = new Set<string>();
  for (const k of rule.keywords) {
    out.add(k);
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
  /** Rules without keywords (user rules only): run over the whole file, region by region. */
  keywordless: CompiledRule[];
  budgetMs: number;
}

function scanBytes(bytes: Buffer, file: string, t: Tables): { findings: Finding[]; timedOut: boolean } {
  const deadline = performance.now() + t.budgetMs;
  const ctx = new FileContext(bytes, file, t.genericIds);
  const len = bytes.length;
  let timedOut = false;
  for (const entry of t.keywordless) {
    for (let from = 0; from < len && !timedOut; from += MAX_REGION - entry.after) {
      ctx.runRule(entry, from, Math.min(len, from + MAX_REGION));
      timedOut = performance.now() > deadline;
    }
  }
  const hitCount = timedOut ? 0 : t.prefilter.scan(bytes);
  if (hitCount === 0) return { findings: ctx.result(), timedOut };
  const { positions, states } = t.prefilter.hits;
  const { compiled, actions } = t;
  // Per rule, the region its pending hits cover (-1: none); flushed when the next hit's does not overlap.
  const openStart = new Int32Array(compiled.length).fill(-1);
  const openEnd = new Int32Array(compiled.length);
  const openList: number[] = [];

  for (let h = 0; h < hitCount; h++) {
    if ((h & (CLOCK_EVERY - 1)) === CLOCK_EVERY - 1 && performance.now() > deadline) {
      timedOut = true;
      break;
    }
    const end = positions[h] as number;
    // Pairs of (rule index, keyword length) for every keyword ending in this state.
    const list = actions[states[h] as number] as Int32Array;
    for (let a = 0; a < list.length; a += 2) {
      const ruleIndex = list[a] as number;
      const start = end - (list[a + 1] as number);
      const entry = compiled[ruleIndex] as CompiledRule;
      // Inside this rule's open region, which reaches the end of the line (or half a reach
      // further): nothing new to see. Keeps a line of repeated keywords linear.
      const open = openStart[ruleIndex] as number;
      if (open >= 0) {
        const until = openEnd[ruleIndex] as number;
        if (end <= until && (until === len || bytes[until] === 10 || until - end >= entry.after >> 1))
          continue;
      }
      if (entry.quickCheck !== null && !entry.quickCheck(bytes, start, end)) continue;
      let regionStart: number;
      let regionEnd: number;
      if (entry.window !== null) {
        regionStart = linesBefore(bytes, start, entry.window.before, entry.before);
        regionEnd = linesAfter(bytes, end, entry.window.after, entry.after);
      } else {
        regionStart = lineStartWithin(bytes, start, entry.before);
        regionEnd = lineEndWithin(bytes, end, entry.after);
      }
      if (open >= 0 && regionStart <= (openEnd[ruleIndex] as number) && regionEnd - open <= MAX_REGION) {
        if (regionEnd > (openEnd[ruleIndex] as number)) openEnd[ruleIndex] = regionEnd;
        continue;
      }
      if (open >= 0) ctx.runRule(entry, open, openEnd[ruleIndex] as number);
      else openList.push(ruleIndex);
      openStart[ruleIndex] = regionStart;
      openEnd[ruleIndex] = regionEnd;
    }
  }
  for (const ruleIndex of openList) {
    if (timedOut) break;
    ctx.runRule(
      compiled[ruleIndex] as CompiledRule,
      openStart[ruleIndex] as number,
      openEnd[ruleIndex] as number,
    );
    timedOut = performance.now() > deadline;
  }
  return { findings: ctx.result(), timedOut };
}

/** Start of the line holding `at`, or `at - limit` when the line starts further back. */
function lineStartWithin(bytes: Uint8Array, at: number, limit: number): number {
  const floor = Math.max(0, at - limit);
  let i = at;
  while (i > floor && bytes[i - 1] !== 10) i--;
  return i;
}

/** End of the line holding `at` (its newline), or `at + limit` when the line ends further on. */
function lineEndWithin(bytes: Uint8Array, at: number, limit: number): number {
  const ceiling = Math.min(bytes.length, at + limit);
  let i = at;
  while (i < ceiling && bytes[i] !== 10) i++;
  return i;
}

function linesBefore(bytes: Uint8Array, start: number, lines: number, limit: number): number {
  let pos = lineStartWithin(bytes, start, limit);
  for (let i = 0; i < lines && pos > 0 && start - pos < limit; i++)
    pos = lineStartWithin(bytes, pos - 1, limit - (start - pos) - 1);
  return pos;
}

function linesAfter(bytes: Uint8Array, end: number, lines: number, limit: number): number {
  let pos = lineEndWithin(bytes, end, limit);
  for (let i = 0; i < lines && pos < bytes.length && pos - end < limit; i++)
    pos = lineEndWithin(bytes, pos + 1, limit - (pos - end) - 1);
  return pos;
}

/** Per-file state: decoded regions, the line-number cursor and the findings so far. */
class FileContext {
  private readonly findings: Finding[] = [];
  private readonly seen = new Set<string>();
  private newlines: Int32Array | null = null;
  private colLineStart = -1;
  private colPos = 0;
  private colUnits = 0;
  private cachedStart = -1;
  private cachedEnd = -1;
  private cachedText = "";

  constructor(
    private readonly bytes: Buffer,
    private readonly file: string,
    private readonly genericIds: ReadonlySet<string>,
  ) {}

  /** Runs one rule's regex on the bytes [regionStart, regionEnd) and records what it finds. */
  runRule(entry: CompiledRule, regionStart: number, regionEnd: number): void {
    const text = this.decode(regionStart, regionEnd);
    const bytes = this.bytes;
    // A region cut inside a line: a match touching the cut may be part of a longer token.
    const cutStart = regionStart > 0 && bytes[regionStart - 1] !== 10;
    const cutEnd = regionEnd < bytes.length && bytes[regionEnd] !== 10 && bytes[regionEnd] !== 13;
    const regex = entry.regex;
    regex.lastIndex = 0;
    let firstLine = -1;
    // Newlines counted so far in `text`, up to `countedTo` (matches come in order).
    let counted = 0;
    let countedTo = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      if (match[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      if ((cutStart && match.index === 0) || (cutEnd && match.index + match[0].length === text.length))
        continue;
      const groups = match.groups;
      const group = entry.rule.secretGroup;
      const secret = group ? match[group] : (groups?.secret ?? groups?.secret2 ?? match[0]);
      const range = group
        ? match.indices?.[group]
        : (match.indices?.groups?.secret ?? match.indices?.groups?.secret2 ?? match.indices?.[0]);
      if (!secret || !range) continue;
      const rule = entry.rule;
      if (rule.validate && !rule.validate(secret, match)) continue;
      const at = range[0];
      const lineOffset = text.lastIndexOf("\n", at - 1) + 1;
      const lineClose = text.indexOf("\n", at);
      const lineText = text.slice(lineOffset, lineClose < 0 ? text.length : lineClose);
      if (ALLOW_MARKERS.some((marker) => lineText.includes(marker))) continue;
      if (firstLine < 0) firstLine = this.lineAt(regionStart);
      counted += countNewlines(text, countedTo, lineOffset);
      countedTo = lineOffset;
      const line = firstLine + counted;
      // A region cut inside its first line: add the UTF-16 length of that line's part before it.
      const column =
        at - lineOffset + 1 + (cutStart && lineOffset === 0 ? this.columnsBefore(regionStart) : 0);
      const key = `${entry.index}:${line}:${column}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      const print = fingerprint(rule.id, secret, this.file);
      this.findings.push({
        ruleId: rule.id,
        title: rule.title,
        severity: rule.severity,
        file: this.file,
        line,
        column,
        secret,
        masked: rule.mask ? rule.mask(secret) : maskSecret(secret),
        fingerprint: print,
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

  /** UTF-16 code units from the start of the line holding byte `pos` up to `pos`. */
  private columnsBefore(pos: number): number {
    const lineStart = this.lineStartAt(pos);
    let from = lineStart;
    let units = 0;
    // Regions of one long line mostly come in order: continue from the last count on that line.
    if (this.colLineStart === lineStart && this.colPos <= pos) {
      from = this.colPos;
      units = this.colUnits;
    }
    const bytes = this.bytes;
    for (let i = from; i < pos; i++) {
      const b = bytes[i] as number;
      if (b < 0x80 || b >= 0xc0) units += b >= 0xf0 ? 2 : 1;
    }
    this.colLineStart = lineStart;
    this.colPos = pos;
    this.colUnits = units;
    return units;
  }

  private lineStartAt(pos: number): number {
    const line = this.lineAt(pos);
    return line === 1 ? 0 : ((this.newlines as Int32Array)[line - 2] as number) + 1;
  }

  /** 1-based line number of byte `pos` (newline offsets indexed once per file, then searched). */
  private lineAt(pos: number): number {
    if (this.newlines === null) {
      const found: number[] = [];
      for (let i = this.bytes.indexOf(10); i >= 0; i = this.bytes.indexOf(10, i + 1)) found.push(i);
      this.newlines = Int32Array.from(found);
    }
    // Count of newlines before pos.
    let lo = 0;
    let hi = this.newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.newlines[mid] as number) < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}

function countNewlines(text: string, from: number, end: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
