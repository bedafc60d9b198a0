/**
 * `.env` files, read and written so that every value survives a round trip: quotes, `#`, `=`,
 * newlines, unicode and the empty string.
 *
 * Reading accepts what dotenv-style files commonly hold: `KEY=value`, an `export ` prefix,
 * `#` comments on their own line or after an unquoted value (` #`), single quotes (literal),
 * backticks (literal), and double quotes with the escapes `\n`, `\r`, `\t`, `\"` and `\\` and
 * real line breaks (multi-line values). Nothing is expanded: `$OTHER` stays as it is.
 *
 * Writing picks the plainest form that reads back exactly (and that dotenv itself reads the
 * same way): bare for simple values, single quotes when the value has no `'` and no line break,
 * else double quotes with `\\`, `\"`, `\n` and `\r` escaped.
 */

export type DotenvEntry = readonly [name: string, value: string];

/** A line that cannot be read, with its 1-based line number. */
export class DotenvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "DotenvError";
  }
}

const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const BARE_SAFE = /^[A-Za-z0-9_\-./:@+,%=^~]+$/;

/**
 * The entries of a `.env` text, in file order; a name given twice keeps its last value.
 * Throws `DotenvError` for a line it cannot read.
 *
 * @example parseDotenv('export A="x\\ny" # note\nB=plain') // [["A", "x\ny"], ["B", "plain"]]
 */
export function parseDotenv(text: string): DotenvEntry[] {
  const source = text.replace(/\r\n?/g, "\n");
  const values = new Map<string, string>();
  let i = 0;
  let line = 1;
  const skipSpaces = (): void => {
    while (source[i] === " " || source[i] === "\t") i++;
  };
  const restOfLine = (): void => {
    skipSpaces();
    if (source[i] === "#") while (i < source.length && source[i] !== "\n") i++;
    if (i < source.length && source[i] !== "\n") {
      throw new DotenvError(line, "unexpected text after the value (quote the whole value)");
    }
  };
  while (i < source.length) {
    skipSpaces();
    if (source[i] === "\n") {
      i++;
      line++;
      continue;
    }
    if (source[i] === "#") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    if (source.startsWith("export", i) && (source[i + 6] === " " || source[i + 6] === "\t")) {
      i += 6;
      skipSpaces();
    }
    NAME.lastIndex = i;
    const name = NAME.exec(source)?.[0];
    if (!name) throw new DotenvError(line, "expected NAME=value");
    i += name.length;
    skipSpaces();
    if (source[i] !== "=") throw new DotenvError(line, `expected = after ${name}`);
    i++;
    skipSpaces();
    const startLine = line;
    const quote = source[i];
    let value = "";
    if (quote === '"') {
      i++;
      for (;;) {
        const char = source[i];
        if (char === undefined) throw new DotenvError(startLine, `the value of ${name} has no closing "`);
        i++;
        if (char === '"') break;
        if (char === "\n") line++;
        if (char === "\\" && i < source.length) {
          const next = source[i] as string;
          const escaped = ESCAPES[next];
          if (escaped !== undefined) {
            value += escaped;
            i++;
            continue;
          }
        }
        value += char;
      }
      restOfLine();
    } else if (quote === "'" || quote === "`") {
      const end = source.indexOf(quote, i + 1);
      if (end < 0) throw new DotenvError(startLine, `the value of ${name} has no closing ${quote}`);
      value = source.slice(i + 1, end);
      line += value.split("\n").length - 1;
      i = end + 1;
      restOfLine();
    } else {
      const end = source.indexOf("\n", i);
      let raw = source.slice(i, end < 0 ? source.length : end);
      const comment = raw.search(/[ \t]#/);
      if (comment >= 0) raw = raw.slice(0, comment);
      value = raw.trimEnd();
      i = end < 0 ? source.length : end;
    }
    values.delete(name);
    values.set(name, value);
  }
  return [...values];
}

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

/** One value in the plainest form that `parseDotenv` (and dotenv) reads back exactly. */
export function quoteDotenv(value: string): string {
  if (BARE_SAFE.test(value)) return value;
  if (!/['\n\r]/.test(value)) return `'${value}'`;
  return `"${value.replace(/[\\"\n\r]/g, (c) => DOUBLE_QUOTED[c] as string)}"`;
}

const DOUBLE_QUOTED: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  '"': '\\"',
  "\n": "\\n",
  "\r": "\\r",
};

/**
 * A `.env` text for the entries, one `NAME=value` line each.
 *
 * @example serializeDotenv([["A", "it's"], ["B", "x y"]]) // "A=\"it's\"\nB='x y'\n"
 */
export function serializeDotenv(entries: Iterable<DotenvEntry>, header?: string): string {
  const lines = header ? header.split("\n").map((l) => `# ${l}`.trimEnd()) : [];
  for (const [name, value] of entries) lines.push(`${name}=${quoteDotenv(value)}`);
  return `${lines.join("\n")}\n`;
}
