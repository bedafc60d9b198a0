import { createRequire } from "node:module";

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
  dotenv ??= createRequire(import.meta.url)("dotenv") as Dotenv;
  return dotenv.parse(text);
}

/** A value that no form of `.env` reads back exactly. */
export class DotenvError extends Error {
  constructor(readonly secretName: string) {
    super(
      `the value of ${secretName} cannot be written as .env so that dotenv reads it back exactly ` +
        "(it holds ', \" and ` with other characters dotenv interprets); use --format json",
    );
    this.name = "DotenvError";
  }
}

/**
 * The entries of a `.env` text, in file order, as dotenv's `parse` reads them (a name given
 * twice keeps its last value).
 *
 * @example parseDotenv('export A="x\\ny" # note\nB=plain') // [["A", "x\ny"], ["B", "plain"]]
 */
export function parseDotenv(text: string): DotenvEntry[] {
  return Object.entries(parse(text));
}

const BARE_SAFE = /^[A-Za-z0-9_\-./:@+,%=^~]+$/;

/**
 * One value in the plainest form dotenv reads back exactly: bare, single quotes, double quotes
 * (line breaks as `\n` and `\r`), backticks, then quotes spanning lines. Throws `DotenvError`
 * when no form does (a value with all three quote characters, for one).
 *
 * @example quoteDotenv("a b") // "'a b'"
 */
export function quoteDotenv(value: string, name = "V"): string {
  const oneLine = !/[\n\r]/.test(value);
  const candidates = [
    ...(BARE_SAFE.test(value) ? [value] : []),
    ...(oneLine ? [`'${value}'`] : []),
    `"${value.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`,
    ...(oneLine ? [] : [`'${value}'`]),
    `\`${value}\``,
    `"${value}"`,
  ];
  for (const form of candidates) {
    if (!/[\r]/.test(form) && parse(`V=${form}\n`).V === value) return form;
  }
  throw new DotenvError(name);
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
