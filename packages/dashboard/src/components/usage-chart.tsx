import type { UsageSeries as Usage } from "@keysmith/sdk";
import { useId, useLayoutEffect, useRef, useState } from "react";
import { bucketLabel, niceMax, OUTCOME_COLORS, stackBuckets } from "../chart";
import { formatNumber, formatTime } from "../format";

const H = 220;
const M = { left: 44, right: 8, top: 10, bottom: 28 };

function Swatch({ outcome }: { outcome: string }) {
  return (
    <svg className="swatch" width="12" height="12" aria-hidden="true">
      <rect width="12" height="12" rx="2" fill={OUTCOME_COLORS[outcome] ?? "#555"} />
    </svg>
  );
}

/**
 * Verifications per bucket as stacked bars by outcome, with a legend, a one-line summary for
 * everyone and a table of the same numbers for screen readers and exact reading.
 */
export function UsageChart({ usage, title }: { usage: Usage; title: string }) {
  const id = useId();
  // Drawn at the width it is shown at, so its text stays legible from a phone to a desktop.
  const frame = useRef<HTMLDivElement>(null);
  const [W, setWidth] = useState(960);
  useLayoutEffect(() => {
    const element = frame.current;
    if (!element) return;
    const measure = () => setWidth(Math.max(280, Math.round(element.getBoundingClientRect().width)));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const stacked = stackBuckets(usage.data);
  const top = niceMax(stacked.max);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / Math.max(usage.data.length, 1);
  const barW = Math.max(1, Math.min(28, slot * 0.72));
  const y = (value: number) => M.top + plotH - (value / top) * plotH;
  const labelEvery = Math.max(1, Math.ceil(usage.data.length / Math.max(2, Math.floor(plotW / 64))));
  const summary =
    stacked.total === 0
      ? "No verifications in this range."
      : `${formatNumber(stacked.total)} verification${stacked.total === 1 ? "" : "s"}: ${stacked.present
          .map((o) => `${o} ${formatNumber(stacked.totals[o] ?? 0)}`)
          .join(", ")}.`;

  return (
    <figure className="chart" data-testid="usage-chart">
      <figcaption className="chart-caption">
        <span className="chart-title">{title}</span>
        <span className="chart-summary" data-testid="usage-summary" data-total={stacked.total}>
          {summary}
        </span>
      </figcaption>
      <div ref={frame}>
        <svg
          width={W}
          height={H}
          viewBox={`0 0 ${W} ${H}`}
          className="chart-svg"
          role="img"
          aria-labelledby={`${id}-t ${id}-d`}
          preserveAspectRatio="xMidYMid meet"
        >
          <title id={`${id}-t`}>{title}</title>
          <desc id={`${id}-d`}>{summary}</desc>
          {(top % 2 === 0 ? [0, 0.5, 1] : [0, 1]).map((f) => (
            <g key={f} className="chart-grid">
              <line x1={M.left} x2={W - M.right} y1={y(top * f)} y2={y(top * f)} />
              <text x={M.left - 6} y={y(top * f) + 4} textAnchor="end">
                {formatNumber(top * f)}
              </text>
            </g>
          ))}
          {stacked.bars.map((bar, i) => {
            const x = M.left + i * slot + (slot - barW) / 2;
            return (
              <g key={bar.start} data-start={bar.start}>
                {bar.total > 0 ? (
                  <title>
                    {`${formatTime(bar.start)}: ${bar.segments.map((s) => `${s.outcome} ${s.count}`).join(", ")}`}
                  </title>
                ) : null}
                {bar.segments.map((s) => (
                  <rect
                    key={s.outcome}
                    x={x}
                    width={barW}
                    y={y(s.from + s.count)}
                    height={Math.max(1, y(s.from) - y(s.from + s.count))}
                    fill={OUTCOME_COLORS[s.outcome] ?? "#555"}
                    stroke="#fff"
                    strokeWidth={barW > 3 ? 0.75 : 0}
                    data-outcome={s.outcome}
                    data-count={s.count}
                  />
                ))}
                {i % labelEvery === 0 ? (
                  <text className="chart-axis" x={x + barW / 2} y={H - 8} textAnchor="middle">
                    {bucketLabel(bar.start, usage.granularity)}
                  </text>
                ) : null}
              </g>
            );
          })}
          <line className="chart-baseline" x1={M.left} x2={W - M.right} y1={y(0)} y2={y(0)} />
        </svg>
      </div>
      {stacked.present.length > 0 ? (
        <ul className="legend" aria-label="Outcomes">
          {stacked.present.map((outcome) => (
            <li key={outcome}>
              <Swatch outcome={outcome} /> {outcome}{" "}
              <span className="muted">{formatNumber(stacked.totals[outcome] ?? 0)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <details className="chart-table">
        <summary>Show the numbers as a table</summary>
        <table>
          <caption className="visually-hidden">{title}, buckets with verifications</caption>
          <thead>
            <tr>
              <th scope="col">{usage.granularity === "day" ? "Day" : "From"}</th>
              {stacked.present.map((o) => (
                <th scope="col" key={o} className="num">
                  {o}
                </th>
              ))}
              <th scope="col" className="num">
                Total
              </th>
              <th scope="col" className="num">
                Spend
              </th>
            </tr>
          </thead>
          <tbody>
            {stacked.bars
              .filter((b) => b.total > 0 || b.spend > 0)
              .map((bar) => (
                <tr key={bar.start}>
                  <th scope="row">{formatTime(bar.start)}</th>
                  {stacked.present.map((o) => (
                    <td key={o} className="num">
                      {formatNumber(bar.segments.find((s) => s.outcome === o)?.count ?? 0)}
                    </td>
                  ))}
                  <td className="num">{formatNumber(bar.total)}</td>
                  <td className="num">{formatNumber(bar.spend)}</td>
                </tr>
              ))}
          </tbody>
        </table>
        {stacked.total === 0 ? <p className="muted">No verifications in this range.</p> : null}
      </details>
    </figure>
  );
}
