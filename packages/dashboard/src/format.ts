/** Display helpers: pure functions, tested in Node (format.test.ts). */

/**
 * A key as the dashboard shows it: its stored start and last four characters.
 *
 * @example maskedKey({ start: "acme_sk_live_3fTz", last4: "9xQa" }) // "acme_sk_live_3fTz…9xQa"
 */
export function maskedKey(key: { start: string; last4: string }): string {
  return `${key.start}…${key.last4}`;
}

const KEY_GRAMMAR = /^([a-z0-9]{2,12})_(sk|pk|rk|root)_(live|test)_([0-9A-Za-z]{36})$/;

/** True when `text` is a whole keysmith key (so the search matches it locally, never sending it). */
export function looksLikeKey(text: string): boolean {
  return KEY_GRAMMAR.test(text.trim());
}

/** True when a pasted plaintext key is this stored key (same start and last four). */
export function keyMatches(plaintext: string, key: { start: string; last4: string }): boolean {
  const text = plaintext.trim();
  return text.startsWith(key.start) && text.endsWith(key.last4);
}

/** `2026-06-01 12:00` in the viewer's time zone; `—` for null. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

const UNITS: [number, string][] = [
  [86_400_000 * 365, "y"],
  [86_400_000 * 30, "mo"],
  [86_400_000, "d"],
  [3_600_000, "h"],
  [60_000, "min"],
];

/**
 * How long ago (or from now) a time is, coarsely.
 *
 * @example relativeTime("2026-06-01T10:00:00Z", Date.parse("2026-06-01T12:00:00Z")) // "2 h ago"
 */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "never";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "—";
  const delta = at - now;
  const size = Math.abs(delta);
  if (size < 60_000) return delta <= 0 ? "just now" : "in under a minute";
  for (const [ms, unit] of UNITS) {
    if (size >= ms) {
      const n = Math.floor(size / ms);
      return delta < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return "—";
}

/** Whole numbers with thousands separators, fractions to two places. */
export function formatNumber(value: number): string {
  return Number.isInteger(value)
    ? value.toLocaleString("en-US")
    : value.toLocaleString("en-US", { maximumFractionDigits: 2 });
}

export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  return `${pct < 10 && pct > 0 ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** A duration as the API writes it (`30s`, `24h`) or milliseconds, for people. */
export function formatDuration(duration: string | number): string {
  if (typeof duration === "string") return duration;
  if (duration % 86_400_000 === 0) return `${duration / 86_400_000}d`;
  if (duration % 3_600_000 === 0) return `${duration / 3_600_000}h`;
  if (duration % 60_000 === 0) return `${duration / 60_000}m`;
  if (duration % 1000 === 0) return `${duration / 1000}s`;
  return `${duration}ms`;
}

/** Splits a list typed as words, commas or lines; empty entries dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Splits lines (origins and IP ranges may not contain spaces, but keep them one a line). */
export function splitLines(text: string): string[] {
  return text
    .split(/\r?\n|,/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `<input type="datetime-local">` value for an ISO time, in the viewer's zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** ISO UTC time for a `datetime-local` value (read in the viewer's zone), or null when empty. */
export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** A short, readable summary of an alert's data. */
export function alertSummary(type: string, data: Record<string, unknown>): string {
  const num = (v: unknown) => (typeof v === "number" ? formatNumber(v) : String(v ?? "?"));
  switch (type) {
    case "budget.threshold":
    case "budget.exhausted": {
      const threshold = typeof data.threshold === "number" ? ` (${formatPercent(data.threshold)})` : "";
      return `Spent ${num(data.spent)} of ${num(data.limit)}${threshold}${data.period ? ` this ${data.period}` : ""}`;
    }
    case "key.expiring":
      return `Expires ${formatTime(String(data.expiresAt ?? ""))}${data.within ? ` (within ${data.within})` : ""}`;
    case "key.rolled":
      return `Rolled to ${data.successorId ?? "a new key"}; the old key expires ${formatTime(String(data.expiresAt ?? ""))}`;
    case "key.revoked":
      return `Revoked ${formatTime(String(data.revokedAt ?? ""))}`;
    default: {
      const text = JSON.stringify(data);
      return text.length > 140 ? `${text.slice(0, 139)}…` : text;
    }
  }
}
