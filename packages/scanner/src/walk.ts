import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ignore, { type Ignore } from "ignore";

/** Name of the file of path patterns (gitignore syntax) that the scanner skips. */
export const KEYSMITH_IGNORE = ".keysmithignore";
/** Directory names skipped by name (no matcher needed): `.git` always, `node_modules` by default. */
const ALWAYS_SKIPPED_DIRS: ReadonlySet<string> = new Set([".git"]);
const DEFAULT_SKIPPED_DIRS: ReadonlySet<string> = new Set([".git", "node_modules"]);

export interface FileEntry {
  /** Absolute path. */
  path: string;
  /** Path relative to the scan root, with `/` separators: what findings report. */
  rel: string;
}

export interface WalkOptions {
  /** Root that `rel` paths are relative to (default: the current directory). */
  root?: string;
  /** Honour `.gitignore` files (and `.git/info/exclude`); default true. `.keysmithignore` always applies. */
  gitignore?: boolean;
  /** Skip `node_modules` directories even without a .gitignore saying so; default true. */
  defaultIgnores?: boolean;
}

interface Matcher {
  base: string;
  ig: Ignore;
}

/**
 * Lists the files under `paths`, honouring `.gitignore` and `.keysmithignore` files at every level
 * (and those of parent directories up to the repository root), skipping symlinks. A path named
 * explicitly is listed even if `.gitignore` covers it, but not if `.keysmithignore` does.
 *
 * @example collectFiles(["."], { root: process.cwd() }).map((f) => f.rel)
 */
export function collectFiles(paths: readonly string[], options: WalkOptions = {}): FileEntry[] {
  const root = resolve(options.root ?? ".");
  const useGitignore = options.gitignore ?? true;
  const names = useGitignore ? [".gitignore", KEYSMITH_IGNORE] : [KEYSMITH_IGNORE];
  const out: FileEntry[] = [];
  const seen = new Set<string>();
  const add = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, rel: relativeTo(root, path) ?? toPosix(relative(root, path)) });
  };

  for (const input of paths) {
    const abs = resolve(root, input);
    const stat = statSync(abs, { throwIfNoEntry: false });
    if (!stat) throw new Error(`no such file or directory: ${input}`);
    if (stat.isFile()) {
      const keysmithOnly = ancestorMatchers(dirname(abs), [KEYSMITH_IGNORE], false, root, true);
      if (!isIgnored(keysmithOnly, abs, false)) add(abs);
      continue;
    }
    const skipDirs = (options.defaultIgnores ?? true) ? DEFAULT_SKIPPED_DIRS : ALWAYS_SKIPPED_DIRS;
    walk(abs, ancestorMatchers(abs, names, useGitignore, root, false), { names, skipDirs, add });
  }
  return out;
}

interface WalkContext {
  names: string[];
  skipDirs: ReadonlySet<string>;
  add: (path: string) => void;
}

// Files are not stat'ed here: on a tree of thousands of files that costs as much as reading
// them. The reader learns each size from the open descriptor.
function walk(dir: string, parents: Matcher[], ctx: WalkContext): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  // Read ignore files only where the listing shows them: a failed open per directory adds up.
  const present = ctx.names.filter((name) => entries.some((e) => e.name === name));
  const own = present.length > 0 ? loadMatcher(dir, present) : null;
  const matchers = own ? [own, ...parents] : parents;
  // `dir` is already normalised: concatenating saves path.join's normalisation on every entry.
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  for (const entry of entries) {
    const path = prefix + entry.name;
    if (entry.isDirectory()) {
      if (!ctx.skipDirs.has(entry.name) && !isIgnored(matchers, path, true)) walk(path, matchers, ctx);
    } else if (entry.isFile() && !isIgnored(matchers, path, false)) {
      ctx.add(path);
    }
  }
}

/** Deepest matcher with an opinion wins, as with nested .gitignore files. */
function isIgnored(matchers: Matcher[], path: string, isDir: boolean): boolean {
  for (const { base, ig } of matchers) {
    const rel = relativeTo(base, path);
    if (rel === null) continue;
    const result = ig.test(isDir ? `${rel}/` : rel);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

function loadMatcher(dir: string, names: string[]): Matcher | null {
  let ig: Ignore | null = null;
  for (const name of names) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), "utf8");
    } catch {
      continue;
    }
    ig ??= ignore();
    ig.add(text);
  }
  return ig ? { base: dir, ig } : null;
}

/**
 * Matchers from the ignore files of `dir`'s ancestors, deepest first: up to the git work tree's
 * top (plus `.git/info/exclude`), or up to `root` when `dir` is inside it and not in a repository.
 */
function ancestorMatchers(
  dir: string,
  names: string[],
  useGitignore: boolean,
  root: string,
  includeSelf: boolean,
): Matcher[] {
  const top = findGitTop(dir);
  const stop = top ?? (isInside(dir, root) ? root : dir);
  const matchers: Matcher[] = [];
  const first = includeSelf ? dir : dirname(dir);
  for (
    let current = first;
    isInside(current, stop) && (includeSelf || current !== dir);
    current = dirname(current)
  ) {
    const m = loadMatcher(current, names);
    if (m) matchers.push(m);
    if (current === stop || dirname(current) === current) break;
  }
  if (top && useGitignore) {
    const exclude = loadMatcher(join(top, ".git", "info"), ["exclude"]);
    if (exclude) matchers.push({ base: top, ig: exclude.ig });
  }
  return matchers;
}

/** The top of the git work tree containing `dir`, or null. */
export function findGitTop(dir: string): string | null {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, ".git"))) return current;
    if (dirname(current) === current) return null;
  }
}

/** `path` relative to the directory `base` with `/` separators, or null when it is not inside. */
function relativeTo(base: string, path: string): string | null {
  const prefix = base.endsWith(sep) ? base : base + sep;
  if (path.startsWith(prefix)) return toPosix(path.slice(prefix.length));
  const rel = relative(base, path);
  return rel === "" || rel.startsWith("..") ? null : toPosix(rel);
}

function isInside(path: string, parent: string): boolean {
  const rel = relative(parent, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith(sep));
}

function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
