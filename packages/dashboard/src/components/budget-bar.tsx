import type { Budget } from "@keysmith/sdk";
import { formatNumber, formatPercent } from "../format";

const W = 400;
const H = 24;
const BAR_Y = 4;
const BAR_H = 16;

/**
 * Spend against a budget: a bar with a mark at each alert threshold (80% by default), coloured
 * by how far along it is, and the same facts in words for everyone.
 */
export function BudgetBar({ spent, budget, label }: { spent: number; budget: Budget; label: string }) {
  const fraction = budget.limit > 0 ? spent / budget.limit : 0;
  const level = fraction >= 1 ? "over" : fraction >= 0.8 ? "warn" : "ok";
  const words = `${formatNumber(spent)} of ${formatNumber(budget.limit)} spent this ${budget.period} (${formatPercent(fraction)})`;
  const thresholds = budget.thresholds.length ? budget.thresholds : [0.8, 1];
  return (
    <div className="budget" data-testid="budget">
      <div className="budget-text">
        <span>{label}</span>
        <span className={`budget-words budget-${level}`}>{words}</span>
      </div>
      <meter
        className="visually-hidden"
        aria-label={label}
        aria-valuetext={words}
        min={0}
        max={budget.limit}
        low={budget.limit * 0.8}
        high={budget.limit}
        optimum={0}
        value={Math.min(spent, budget.limit)}
      >
        {words}
      </meter>
      <div aria-hidden="true">
        <svg viewBox={`0 0 ${W} ${H}`} className="budget-svg" aria-hidden="true" preserveAspectRatio="none">
          <rect x={0} y={BAR_Y} width={W} height={BAR_H} className="budget-track" />
          <rect
            x={0}
            y={BAR_Y}
            width={Math.min(1, fraction) * W}
            height={BAR_H}
            className={`budget-fill budget-fill-${level}`}
            data-testid="budget-fill"
          />
          {thresholds.map((t) => (
            <line
              key={t}
              className="budget-mark"
              x1={t * W}
              x2={t * W}
              y1={0}
              y2={H}
              vectorEffect="non-scaling-stroke"
              data-threshold={t}
            />
          ))}
        </svg>
        <div className="budget-scale" aria-hidden="true">
          {thresholds.map((t) => (
            <span
              key={t}
              style={{ left: `${Math.min(t, 1) * 100}%` }}
              className={t >= 0.95 ? "at-end" : undefined}
            >
              {formatPercent(t)}
            </span>
          ))}
        </div>
      </div>
      <p className="hint">
        Alerts at {thresholds.map(formatPercent).join(" and ")}.{" "}
        {budget.hardCap
          ? "Hard cap: calls past 100% answer BUDGET_EXCEEDED."
          : "Soft: past 100% it only alerts."}
      </p>
    </div>
  );
}
