/**
 * User configuration: custom rules and allowlists from `.keysmith/scan.toml`, and — for projects
 * moving from gitleaks — an existing `.gitleaks.toml` (`[[rules]]` with id / regex / keywords /
 * entropy / secretGroup, `[allowlist]` and `[[allowlists]]` with paths / regexes / stopwords) and
 * `.gitleaksignore` (one finding per line: `file:rule-id:line`, optionally after `commit:`, or a
 * keysmith fingerprint).
 *
 * A user regex must run in linear time like the built-in ones: a pattern with a nested unbounded
 * quantifier (`(a+)+`) is refused, and every rule is probed on pathological inputs at load;
 * one that runs past the limit is refused with an error naming it.
 *
 * @example
 * const config = loadScanConfig(repoRoot);
 * const result = await scanPaths(["."], { root: repoRoot, rules: config?.rules });
 * result.findings = applyAllowlist(result.findings, config);
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { probeRule } from "./linear-probe.js";
import { builtinRules } from "./rules/index.js";
import { shannonEntropy } from "./rules/validators.js";
import type { Finding, Rule, Severity } from "./types.js";

export const SCAN_CONFIG = ".keysmith/scan.toml";
export const GITLEAKS_CONFIG = ".gitleaks.toml";
export const GITLEAKS_IGNORE = ".gitleaksignore";

/** Size of the probe inputs (one engine region is at most 64 KiB) and the time each may take. */
const PROBE_SIZE = 32 * 1024;
const PROBE_TIMEOUT_MS = 250;

export class ScanConfigError extends Error {
  override name = "ScanConfigError";
}

export interface Allowlist {
  /** Findings in files whose path (relative, `/`-separated) matches one of these are dropped. */
  paths: RegExp[];
  /** Findings whose secret matches one of these are dropped. */
  regexes: RegExp[];
  /** Findings whose secret contains one of these (case-insensitive) are dropped. */
  stopwords: string[];
}

export interface ScanConfig {
  /** The rules to scan with: built-in (unless `useDefault = false`), minus disabled, plus custom. */
  rules: Rule[];
  /** True when `rules` differ from the built-in set. */
  customRules: boolean;
  allowlist: Allowlist;
  /** Per rule id: that rule's own allowlist. */
  ruleAllowlists: Map<string, Allowlist>;
  /** `.gitleaksignore` entries and keysmith fingerprints to leave out. */
  ignored: Set<string>;
  /** The files read, relative to the root. */
  sources: string[];
}

/**
 * Reads `.keysmith/scan.toml` (or `configPath`), `.gitleaks.toml` and `.gitleaksignore` under
 * `root`. Returns null when none exists. Throws `ScanConfigError` naming the file and rule.
 */
export function loadScanConfig(root: string, configPath?: string): ScanConfig | null {
  const config: ScanConfig = {
    rules: [],
    customRules: false,
    allowlist: { paths: [], regexes: [], stopwords: [] },
    ruleAllowlists: new Map(),
    ignored: new Set(),
    sources: [],
  };
  let useDefault = true;
  const disabled = new Set<string>();
  const custom: Rule[] = [];
  const files = configPath ? [configPath] : [join(root, SCAN_CONFIG), join(root, GITLEAKS_CONFIG)];
  for (const file of files) {
    if (!existsSync(file)) {
      if (configPath) throw new ScanConfigError(`${file}: no such file`);
      continue;
    }
    config.sources.push(file);
    let doc: Record<string, unknown>;
    try {
      doc = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (error) {
      throw new ScanConfigError(
        `${file}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
      );
    }
    const extend = (doc.extend ?? {}) as Record<string, unknown>;
    // gitleaks: a config with [[rules]] and no [extend] replaces the default rules.
    if (
      extend.useDefault === false ||
      (doc.rules !== undefined && doc.extend === undefined && file.endsWith(GITLEAKS_CONFIG))
    )
      useDefault = false;
    for (const id of asStrings(extend.disabledRules, file, "extend.disabledRules")) disabled.add(id);
    for (const [i, raw] of asTables(doc.rules, file, "rules").entries()) {
      const rule = userRule(raw, `${file}: rules[${i}]`);
      custom.push(rule);
      const allow = [raw.allowlist, ...asTables(raw.allowlists, file, "allowlists")].filter(Boolean);
      for (const a of allow)
        mergeAllowlist(
          ruleAllowlist(config, rule.id),
          a as Record<string, unknown>,
          `${file}: rule ${rule.id}`,
        );
    }
    const global = [doc.allowlist, ...asTables(doc.allowlists, file, "allowlists")].filter(Boolean);
    for (const a of global)
      mergeAllowlist(config.allowlist, a as Record<string, unknown>, `${file}: allowlist`);
  }
  const ignoreFile = join(root, GITLEAKS_IGNORE);
  if (existsSync(ignoreFile)) {
    config.sources.push(ignoreFile);
    for (const line of readFileSync(ignoreFile, "utf8").split(/\r?\n/)) {
      const entry = line.trim();
      if (!entry || entry.startsWith("#")) continue;
      config.ignored.add(entry);
      // `commit:file:rule:line` also ignores `file:rule:line` (keysmith scans without commits).
      const parts = entry.split(":");
      if (parts.length >= 4 && /^[0-9a-f]{7,40}$/.test(parts[0] as string))
        config.ignored.add(parts.slice(1).join(":"));
    }
  }
  if (config.sources.length === 0) return null;
  const base = useDefault ? builtinRules.filter((r) => !disabled.has(r.id)) : [];
  const ids = new Set(custom.map((r) => r.id));
  config.rules = [...base.filter((r) => !ids.has(r.id)), ...custom];
  config.customRules = custom.length > 0 || !useDefault || disabled.size > 0;
  return config;
}

/** Drops the findings the configuration allows (paths, regexes, stopwords, ignore entries). */
export function applyAllowlist(findings: Finding[], config: ScanConfig | null | undefined): Finding[] {
  if (!config) return findings;
  return findings.filter((f) => {
    if (allows(config.allowlist, f)) return false;
    const own = config.ruleAllowlists.get(f.ruleId);
    if (own && allows(own, f)) return false;
    if (config.ignored.size === 0) return true;
    return !(
      config.ignored.has(f.fingerprint) ||
      config.ignored.has(`${f.file}:${f.ruleId}:${f.line}`) ||
      (f.commit !== undefined && config.ignored.has(`${f.commit}:${f.file}:${f.ruleId}:${f.line}`))
    );
  });
}

function allows(list: Allowlist, f: Finding): boolean {
  if (list.paths.some((re) => re.test(f.file))) return true;
  if (list.regexes.some((re) => re.test(f.secret))) return true;
  const lower = f.secret.toLowerCase();
  return list.stopwords.some((w) => lower.includes(w));
}

function ruleAllowlist(config: ScanConfig, id: string): Allowlist {
  let list = config.ruleAllowlists.get(id);
  if (!list) {
    list = { paths: [], regexes: [], stopwords: [] };
    config.ruleAllowlists.set(id, list);
  }
  return list;
}

function mergeAllowlist(into: Allowlist, raw: Record<string, unknown>, where: string): void {
  for (const p of asStrings(raw.paths, where, "paths"))
    into.paths.push(compile(p, `${where}: path ${p}`, ""));
  for (const r of asStrings(raw.regexes, where, "regexes"))
    into.regexes.push(compile(r, `${where}: regex ${r}`, ""));
  for (const w of asStrings(raw.stopwords, where, "stopwords")) into.stopwords.push(w.toLowerCase());
}

const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];

/** A rule from a `[[rules]]` table, its regex translated from Go (RE2) syntax and checked. */
export function userRule(raw: Record<string, unknown>, where: string): Rule {
  const id = raw.id;
  if (typeof id !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(id))
    throw new ScanConfigError(`${where}: id must be a name of letters, digits, '-', '_' or '.'`);
  const label = `${where.replace(/rules\[\d+\]$/, "")}rule "${id}"`;
  if (typeof raw.regex !== "string" || raw.regex.length === 0) {
    // gitleaks' path-only rules (no regex) report files, not secrets: not supported.
    throw new ScanConfigError(`${label}: a regex is required`);
  }
  const regex = compile(raw.regex, label, "g");
  checkNesting(regex.source, label);
  const keywords = asStrings(raw.keywords, label, "keywords").filter((k) => k.length > 0);
  const entropy = raw.entropy === undefined ? 0 : Number(raw.entropy);
  if (!Number.isFinite(entropy) || entropy < 0 || entropy > 8)
    throw new ScanConfigError(`${label}: entropy must be a number of bits per character (0 to 8)`);
  const secretGroup = raw.secretGroup === undefined ? firstGroup(regex) : Number(raw.secretGroup);
  if (!Number.isInteger(secretGroup) || secretGroup < 0 || secretGroup > groupCount(regex))
    throw new ScanConfigError(`${label}: secretGroup ${String(raw.secretGroup)} is not a group of its regex`);
  const severity = (raw.severity ?? "error") as Severity;
  if (!SEVERITIES.includes(severity))
    throw new ScanConfigError(`${label}: severity must be error, warning or info`);
  const description = typeof raw.description === "string" ? raw.description : `Custom rule ${id}.`;
  const rule: Rule = {
    id,
    title: typeof raw.title === "string" ? raw.title : description.split(/[.\n]/)[0] || id,
    severity,
    description,
    keywords,
    keywordCase: "variants",
    regex,
    ...(secretGroup > 0 ? { secretGroup } : {}),
    ...(entropy > 0 ? { validate: (secret: string) => shannonEntropy(secret) >= entropy } : {}),
  };
  const slow = probeRule(rule, PROBE_SIZE, PROBE_TIMEOUT_MS);
  if (slow !== null) {
    throw new ScanConfigError(
      `${label}: its regex ran past ${PROBE_TIMEOUT_MS} ms on a ${PROBE_SIZE / 1024} KiB input (${slow}); ` +
        "it can take time quadratic or worse in a line's length. Bound its repetitions, e.g. [\\w.-]{0,64} instead of [\\w.-]*",
    );
  }
  return rule;
}

/**
 * Go's RE2 syntax into JavaScript's: leading `(?i)` / `(?s)` / `(?m)` become flags, `(?P<name>`
 * becomes `(?<name>`, `\A` / `\z` anchors, POSIX classes inside brackets.
 */
export function translateGoRegex(source: string): { source: string; flags: string } {
  let src = source;
  let flags = "";
  for (let m = /^\(\?([imsU]+)\)/.exec(src); m !== null; m = /^\(\?([imsU]+)\)/.exec(src)) {
    flags += (m[1] as string).replace("U", "");
    src = src.slice(m[0].length);
  }
  // An inline flag group later in the pattern: apply it to the whole pattern (JS has no scoped flags).
  src = src.replace(/\(\?([ims]+)\)/g, (_all, f: string) => {
    flags += f;
    return "";
  });
  src = src.replace(/\(\?([ims]+):/g, (_all, f: string) => {
    flags += f;
    return "(?:";
  });
  src = src
    .replace(/\(\?P</g, "(?<")
    .replace(/\\A/g, "^")
    .replace(/\\z/g, "$")
    .replace(/\[:alnum:\]/g, "A-Za-z0-9")
    .replace(/\[:alpha:\]/g, "A-Za-z")
    .replace(/\[:digit:\]/g, "0-9")
    .replace(/\[:xdigit:\]/g, "0-9A-Fa-f")
    .replace(/\[:upper:\]/g, "A-Z")
    .replace(/\[:lower:\]/g, "a-z")
    .replace(/\[:space:\]/g, "\\s")
    .replace(/\[:word:\]/g, "\\w")
    .replace(/\[:punct:\]/g, "!-\\/:-@\\[-`{-~");
  return { source: src, flags: [...new Set(flags)].join("") };
}

function compile(pattern: string, label: string, extraFlags: string): RegExp {
  const { source, flags } = translateGoRegex(pattern);
  try {
    return new RegExp(source, `${flags}${extraFlags}`);
  } catch (error) {
    throw new ScanConfigError(
      `${label}: invalid regex: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Refuses a group that holds a repetition and is itself repeated without bound — `(a+)+`,
 * `(?:\w*\s?)*` — the shape that backtracks exponentially.
 */
export function checkNesting(source: string, label: string): void {
  const stack: { start: number; repeats: boolean }[] = [];
  let i = 0;
  const quantifierAt = (k: number): { unbounded: boolean; length: number } | null => {
    const c = source[k];
    if (c === "*" || c === "+") return { unbounded: true, length: source[k + 1] === "?" ? 2 : 1 };
    if (c === "?") return { unbounded: false, length: 1 };
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}\??/.exec(source.slice(k));
      if (m) return { unbounded: m[2] !== undefined && m[3] === "", length: m[0].length };
    }
    return null;
  };
  const markRepeat = (): void => {
    for (const g of stack) g.repeats = true;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === "\\") {
      i += 2;
    } else if (c === "[") {
      i++;
      if (source[i] === "^") i++;
      if (source[i] === "]") i++;
      while (i < source.length && source[i] !== "]") i += source[i] === "\\" ? 2 : 1;
      i++;
    } else if (c === "(") {
      stack.push({ start: i, repeats: false });
      i++;
      continue;
    } else if (c === ")") {
      const group = stack.pop();
      i++;
      const q = quantifierAt(i);
      if (group && q) {
        if (q.unbounded && group.repeats)
          throw new ScanConfigError(
            `${label}: its regex repeats a repeated group (${source.slice(group.start, i + q.length)}), which can take exponential time; bound the outer repetition or remove the inner one`,
          );
        if (q.unbounded || group.repeats) markRepeat();
        i += q.length;
      } else if (group?.repeats) markRepeat();
      continue;
    } else {
      i++;
    }
    const q = quantifierAt(i);
    if (q) {
      if (source[i] !== "?") markRepeat();
      i += q.length;
    }
  }
}

function groupCount(regex: RegExp): number {
  return (new RegExp(`${regex.source}|`).exec("")?.length ?? 1) - 1;
}

/** gitleaks' default: with no secretGroup, the first capture group (if any) holds the secret. */
function firstGroup(regex: RegExp): number {
  return groupCount(regex) > 0 ? 1 : 0;
}

function asTables(value: unknown, file: string, key: string): Record<string, unknown>[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "object" || v === null))
    throw new ScanConfigError(`${file}: ${key} must be an array of tables ([[${key}]])`);
  return value as Record<string, unknown>[];
}

function asStrings(value: unknown, where: string, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new ScanConfigError(`${where}: ${key} must be an array of strings`);
  return value as string[];
}
