/** Small numeric helpers shared by the scenarios. */

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Integer with thousands separators: 1234567 → "1,234,567". */
export function formatInteger(value) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "n/a";
}

export function formatFixed(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

/** Milliseconds for display: 0.812 → "0.81 ms", 12.3 → "12.3 ms". */
export function formatMs(value) {
  if (!Number.isFinite(value)) return "n/a";
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

/** Whether `value` meets a target `{ op: ">=" | "<=", value }`. */
export function meets(value, target) {
  if (!target || !Number.isFinite(value)) return null;
  return target.op === ">=" ? value >= target.value : value <= target.value;
}
