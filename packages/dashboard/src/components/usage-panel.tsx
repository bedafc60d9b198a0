import type {
  Budget,
  UsageGranularity as Granularity,
  UsageSeries as Usage,
  UsageRange,
} from "@keysmith/sdk";
import { useState } from "react";
import { periodStart, spendSince } from "../chart";
import { useData } from "../use-data";
import { ErrorNote, Field, Loading } from "./bits";
import { BudgetBar } from "./budget-bar";
import { UsageChart } from "./usage-chart";

const RANGES: Record<Granularity, string> = {
  minute: "Last hour, per minute",
  hour: "Last 24 hours, per hour",
  day: "Last 30 days, per day",
};

/**
 * Usage over time by outcome, with a range picker and a refresh, and — when there is a budget —
 * spend this period against it. Two requests: the chart's range, and the budget period by day.
 */
export function UsagePanel({
  subject,
  load,
  budget,
  budgetLabel,
}: {
  /** Names what is charted (a key or project id): a new subject loads anew. */
  subject: string;
  load: (query: UsageRange) => Promise<Usage>;
  budget: Budget | null;
  budgetLabel: string;
}) {
  const [granularity, setGranularity] = useState<Granularity>("hour");
  const [round, setRound] = useState(0);
  const chart = useData(`${subject}:${granularity}:${round}`, () => load({ granularity }));
  const since = budget ? periodStart(budget.period) : null;
  const spend = useData(`${subject}:spend:${budget?.period}:${round}`, () =>
    since ? load({ granularity: "day", from: since.toISOString() }) : Promise.resolve(null),
  );

  return (
    <section className="card" aria-labelledby={`usage-${subject}`}>
      <div className="card-head">
        <h2 id={`usage-${subject}`}>Usage</h2>
        <div className="inline-controls">
          <Field label="Range">
            {(props) => (
              <select
                {...props}
                value={granularity}
                onChange={(e) => setGranularity(e.currentTarget.value as Granularity)}
              >
                {Object.entries(RANGES).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <button
            type="button"
            className="button"
            onClick={() => setRound((n) => n + 1)}
            disabled={chart.loading}
          >
            {chart.loading ? "Refreshing…" : "Refresh"}
          </button>
        </div>
      </div>
      <ErrorNote error={chart.error} action="Loading usage" />
      {chart.data ? (
        <UsageChart
          usage={chart.data}
          title={`Verifications by outcome: ${RANGES[granularity].toLowerCase()}`}
        />
      ) : chart.error ? null : (
        <Loading what="Loading usage" />
      )}
      {budget ? (
        <>
          <ErrorNote error={spend.error} action="Loading spend" />
          {spend.data ? (
            <BudgetBar
              spent={spendSince(spend.data.data, since as Date)}
              budget={budget}
              label={budgetLabel}
            />
          ) : null}
        </>
      ) : (
        <p className="muted">No budget set.</p>
      )}
    </section>
  );
}
