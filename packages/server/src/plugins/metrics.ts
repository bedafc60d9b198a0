import type { VerifyCode } from "@keysmith/core";
import { VERIFY_CODES } from "@keysmith/core";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** What /metrics reports about outages, read at scrape time. */
interface OutageGauges {
  /** Answers given from a stale cache entry while the database was unreachable. */
  staleAnswers: () => number;
  /** Usage rows waiting to be written. */
  usageBuffered: () => number;
  /** Usage rows dropped because the buffer was full. */
  usageDropped: () => number;
}

/** One route's request counts by method and status, and its latency histogram. */
interface RouteStats {
  /** Counts by method, then status: a lookup of two keys the request already holds, no new string. */
  counts: Map<string, Map<number, number>>;
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * Prometheus metrics on a registry of the app's own (tests build many apps in one process).
 *
 * The per-request series (requests, latency, verification outcomes) are plain numbers kept
 * here and written out as Prometheus text at scrape time. Written by hand because prom-client
 * hashes a label set on every `inc()`/`observe()`, even through a bound child: about 1 µs per
 * call measured here, a large share of a verify request. prom-client still provides the
 * process metrics and the gauges, which cost nothing per request.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly verifications = new Float64Array(VERIFY_CODES.length);
  private readonly codeIndex: Readonly<Record<string, number>> = Object.fromEntries(
    VERIFY_CODES.map((c, i) => [c, i]),
  );
  private readonly routes = new Map<string, RouteStats>();
  private degradedVerifications = 0;
  private readonly outage: OutageGauges;

  constructor(options: { cacheSize: () => number; feedConnected: () => boolean } & Partial<OutageGauges>) {
    this.outage = {
      staleAnswers: options.staleAnswers ?? (() => 0),
      usageBuffered: options.usageBuffered ?? (() => 0),
      usageDropped: options.usageDropped ?? (() => 0),
    };
    collectDefaultMetrics({ register: this.registry, prefix: "keysmith_" });
    new Gauge({
      name: "keysmith_change_feed_up",
      help: "1 while changes from every node arrive; 0 while cached keys fall back to a short TTL.",
      registers: [this.registry],
      collect() {
        this.set(options.feedConnected() ? 1 : 0);
      },
    });
    new Gauge({
      name: "keysmith_verify_cache_keys",
      help: "Keys held in the verification cache.",
      registers: [this.registry],
      collect() {
        this.set(options.cacheSize());
      },
    });
  }

  verification(code: VerifyCode): void {
    const i = this.codeIndex[code] as number;
    this.verifications[i] = (this.verifications[i] as number) + 1;
  }

  /** A verification whose rate limits were not checked (their store was unreachable). */
  degradedVerification(): void {
    this.degradedVerifications += 1;
  }

  /** Verifications answered so far, every outcome together. */
  verificationCount(): number {
    let total = 0;
    for (const n of this.verifications) total += n;
    return total;
  }

  /** Stats of one route, created once; a route's hook keeps the reference. */
  route(url: string): RouteStats {
    let stats = this.routes.get(url);
    if (stats === undefined) {
      stats = { counts: new Map(), buckets: new Float64Array(LATENCY_BUCKETS.length), sum: 0, count: 0 };
      this.routes.set(url, stats);
    }
    return stats;
  }

  request(stats: RouteStats, method: string, status: number, seconds: number): void {
    let byStatus = stats.counts.get(method);
    if (byStatus === undefined) {
      byStatus = new Map();
      stats.counts.set(method, byStatus);
    }
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    stats.sum += seconds;
    stats.count += 1;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= (LATENCY_BUCKETS[i] as number)) {
        stats.buckets[i] = (stats.buckets[i] as number) + 1;
        break;
      }
    }
  }

  /** The whole exposition: prom-client's metrics, then the hand-kept ones. */
  async render(): Promise<string> {
    const lines: string[] = [];
    lines.push("# HELP keysmith_http_requests_total HTTP requests by method, route and status.");
    lines.push("# TYPE keysmith_http_requests_total counter");
    for (const [route, stats] of this.routes) {
      for (const [method, byStatus] of stats.counts) {
        for (const [status, n] of byStatus) {
          lines.push(
            `keysmith_http_requests_total{method="${method}",route="${escapeLabel(route)}",status="${status}"} ${n}`,
          );
        }
      }
    }
    lines.push("# HELP keysmith_http_request_duration_seconds HTTP request latency by route.");
    lines.push("# TYPE keysmith_http_request_duration_seconds histogram");
    for (const [route, stats] of this.routes) {
      const label = `route="${escapeLabel(route)}"`;
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += stats.buckets[i] as number;
        lines.push(`keysmith_http_request_duration_seconds_bucket{le="${le}",${label}} ${cumulative}`);
      });
      lines.push(`keysmith_http_request_duration_seconds_bucket{le="+Inf",${label}} ${stats.count}`);
      lines.push(`keysmith_http_request_duration_seconds_sum{${label}} ${stats.sum}`);
      lines.push(`keysmith_http_request_duration_seconds_count{${label}} ${stats.count}`);
    }
    lines.push("# HELP keysmith_verifications_total Key verifications by outcome code.");
    lines.push("# TYPE keysmith_verifications_total counter");
    VERIFY_CODES.forEach((code, i) => {
      lines.push(`keysmith_verifications_total{code="${code}"} ${this.verifications[i]}`);
    });
    const counter = (name: string, help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    };
    counter(
      "keysmith_verifications_degraded_total",
      "Verifications answered without their rate limits checked (Redis unreachable; the failure mode decided).",
      this.degradedVerifications,
    );
    counter(
      "keysmith_verify_stale_answers_total",
      "Verifications and root-key checks answered from a stale cache entry while the database was unreachable.",
      this.outage.staleAnswers(),
    );
    counter(
      "keysmith_usage_rows_dropped_total",
      "Usage rows dropped because the buffer held while the database refused writes was full.",
      this.outage.usageDropped(),
    );
    lines.push(
      "# HELP keysmith_usage_rows_buffered Usage rows counted and not yet written to the database.",
      "# TYPE keysmith_usage_rows_buffered gauge",
      `keysmith_usage_rows_buffered ${this.outage.usageBuffered()}`,
    );
    return `${await this.registry.metrics()}\n${lines.join("\n")}\n`;
  }
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
