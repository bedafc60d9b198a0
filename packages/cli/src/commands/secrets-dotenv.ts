import { requireLazily } from "../lazy-require.js";
/**
 * `.env` files, read with dotenv's `parse` — the reader every tool on the same file uses, so
 * quoting, comments and multi-line values mean here what they mean to the app — and written in
 * a form that `parse` reads back exactly, or not at all.
 *
 * dotenv reads: `KEY=value` (also `export KEY=value` and `KEY: value`), `#` comments (an unquoted
 * value ends at `#`), single quotes and backticks (literal), double quotes (`\n` and `\r` are the
 * only escapes), line breaks inside any quotes; lines it cannot read are skipped. Nothing is
 * expanded: `$OTHER` stays as it is.
 */

export type DotenvEntry = readonly [name: string, value: string];

type Dotenv = typeof import("dotenv");
let dotenv: Dotenv | undefined;

// Required on first use, not imported: only the commands that read or write .env load it, so
// `keysmith --help` and `keysmith run` without --env-file start without it.
function parse(text: string): Record<string, string> {
  dotenv ??= requireLazily("dotenv") as Dotenv;
  return dotenv.parse(text);
}

/** A line dotenv would misread, with its 1-based line number. */
export class DotenvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "DotenvError";
  }
}

/** A value that no form of `.env` reads back exactly. */
export class DotenvValueError extends Error {
  constructor(readonly secretName: string) {
    super(
      `the value of ${secretName} cannot be written as .env so that dotenv reads it back exactly ` +
        "(it holds ', \" and ` with other characters dotenv interprets); use --format json",
    );
    this.name = "DotenvValueError";
  }
}

/**
 * The entries of a `.env` text, in file order, as dotenv's `parse` reads them (a name given
 * twice keeps its last value). One check on top: a quote dotenv found no end for (it then keeps
 * the quote as part of the value) is a `DotenvError` naming the line, since storing or injecting
 * that value would hand the app a broken secret.
 *
 * @example parseDotenv('export A="x\\ny" # note\nB=plain') // [["A", "x\ny"], ["B", "plain"]]
 */
export function parseDotenv(text: string): DotenvEntry[] {
  const entries = Object.entries(parse(text));
  const lines = text.split(/\r\n?|\n/);
  for (const [name, value] of entries) {
    const quote = value[0];
    if (quote !== "'" && quote !== '"' && quote !== "`") continue;
    const escaped = name.replace(/[.]/g, "\\.");
    const assignment = new RegExp(`^\\s*(?:export\\s+)?${escaped}\\s*[=:]\\s*(.)`);
    for (let i = lines.length - 1; i >= 0; i--) {
      const match = assignment.exec(lines[i] as string);
      if (!match) continue;
      // The value as read still starts with the quote that opened it: dotenv found no closing one.
      if (match[1] === quote) throw new DotenvError(i + 1, `the value of ${name} has no closing ${quote}`);
      break;
    }
  }
  return entries;
}

const BARE_SAFE = /^[A-Za-z0-9_\-./:@+,%=^~]+$/;

/**
 * One value in the plainest form dotenv reads back exactly: bare, single quotes, double quotes
 * (line breaks as `\n` and `\r`), single quotes spanning lines, backticks; a quote character
 * never appears inside quotes of its own kind. Throws `DotenvValueError` when no form reads back
 * exactly (a value with all three quote characters, for one).
 *
 * @example quoteDotenv("a b") // "'a b'"
 */
export function quoteDotenv(value: string, name = "V"): string {
  const oneLine = !/[\n\r]/.test(value);
  const has = (quote: string): boolean => value.includes(quote);
  const candidates = [
    ...(BARE_SAFE.test(value) ? [value] : []),
    ...(oneLine && !has("'") ? [`'${value}'`] : []),
    ...(!has('"') ? [`"${value.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`] : []),
    ...(!has("'") ? [`'${value}'`] : []),
    ...(!has("`") ? [`\`${value}\``] : []),
  ];
  for (const form of candidates) if (readsBack(form, value)) return form;
  throw new DotenvValueError(name);
}

function readsBack(form: string, value: string): boolean {
  try {
    const entries = parseDotenv(`V=${form}\n`);
    return entries.length === 1 && entries[0]?.[1] === value;
  } catch {
    return false;
  }
}

/**
 * A `.env` text for the entries, one `NAME=value` line each (a line break in a value is written
 * as `\n` where dotenv allows it).
 *
 * @example serializeDotenv([["A", "it's"], ["B", "x y"]]) // "A=\"it's\"\nB='x y'\n"
 */
export function serializeDotenv(entries: Iterable<DotenvEntry>, header?: string): string {
  const lines = header ? header.split("\n").map((l) => `# ${l}`.trimEnd()) : [];
  for (const [name, value] of entries) lines.push(`${name}=${quoteDotenv(value, name)}`);
  return `${lines.join("\n")}\n`;
}
