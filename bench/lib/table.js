import { formatFixed, formatInteger, formatMs } from "./stats.js";

/**
 * Renders result rows as a plain-text table. A row is
 * `{ scenario, measure, value, unit, detail?, target?, met? }`; see bench/README.md.
 */
export function renderTable(rows) {
  const header = ["scenario", "measure", "value", "detail", "target", "met"];
  const lines = rows.map((row) => [
    row.scenario,
    row.measure,
    formatValue(row.value, row.unit),
    row.detail ?? "",
    row.target ? formatTarget(row.target) : "",
    row.met === true ? "yes" : row.met === false ? "NO" : "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((cells) => cells[i].length)));
  const rightAligned = new Set([2]);
  const format = (cells) =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [format(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(format)].join("\n");
}

export function formatValue(value, unit) {
  if (unit === "ratio") return formatFixed(value, 2);
  if (unit === "ms") return formatMs(value);
  if (unit === "%") return `${formatFixed(value, 1)} %`;
  return `${formatInteger(value)} ${unit}`;
}

function formatTarget(target) {
  const op = { ">=": "≥", "<=": "≤", ">": ">", "<": "<" }[target.op] ?? target.op;
  const what = target.what ? `${target.what} ` : "";
  return `${what}${op} ${formatValue(target.value, target.unit)}`;
}
