/**
 * Human output: aligned tables and `key: value` lines. `--json` output bypasses all of it and
 * prints the API's JSON as it came.
 */

export type Cell = string | number | boolean | null | undefined | readonly string[];

/** One cell as text: `-` for nothing, lists joined with commas. */
export function cell(value: Cell): string {
  if (value === null || value === undefined || value === "") return "-";
  if (Array.isArray(value)) return value.length === 0 ? "-" : value.join(",");
  return String(value);
}

/**
 * An aligned table with an upper-case header, one line per row.
 *
 * @example table([{ id: "proj_1", name: "Acme" }], ["id", "name"])
 */
export function table<T>(
  rows: readonly T[],
  columns: readonly (readonly [string, (row: T) => Cell])[],
): string {
  const lines = [columns.map(([title]) => title.toUpperCase())];
  for (const row of rows) lines.push(columns.map(([, read]) => cell(read(row))));
  const widths = columns.map((_, i) => Math.max(...lines.map((line) => (line[i] ?? "").length)));
  return lines
    .map((line) =>
      line
        .map((text, i) => (i === line.length - 1 ? text : text.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")
    .concat("\n");
}

/**
 * `key: value` lines, values aligned.
 *
 * @example fields([["id", "key_1"], ["status", "active"]]) // "id:      key_1\nstatus:  active\n"
 */
export function fields(entries: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  const lines = entries.map(([name, value]) => `${`${name}:`.padEnd(width)}${cell(value)}`.trimEnd());
  return `${lines.join("\n")}\n`;
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A terminal sparkline, one bar per value, scaled to the largest: zero is the lowest bar, any
 * count above zero at least the second, the largest the full one. All zero is all `▁`.
 *
 * @example sparkline([0, 1, 4, 8]) // "▁▃▅█"
 */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((value) =>
      value > 0 && max > 0 ? BARS[1 + Math.round((value / max) * (BARS.length - 2))] : BARS[0],
    )
    .join("");
}

/** A spend or price without floating-point noise: `0.30000000000000004` → `0.3`. */
export function amount(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}

/** The API's JSON, pretty-printed, with a final newline. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** How a key is shown when it is not being issued: its stored start and last four characters. */
export function masked(key: { start: string; last4: string }): string {
  return `${key.start}…${key.last4}`;
}

// Anything shaped like a keysmith key, checksum or not: a mistyped key is still a secret.
const KEY_SHAPE = /[a-z0-9]{2,12}_(?:sk|pk|rk|root)_(?:live|test)_[0-9A-Za-z]{8,}/g;

/** True when the text holds something shaped like a keysmith key. */
export function looksLikeKey(text: string): boolean {
  KEY_SHAPE.lastIndex = 0;
  return KEY_SHAPE.test(text);
}

/** Replaces anything shaped like a keysmith key, for messages that echo user input. */
export function redactKeys(text: string): string {
  return text.replace(KEY_SHAPE, (key) => `${key.slice(0, key.lastIndexOf("_") + 1)}[redacted]`);
}
