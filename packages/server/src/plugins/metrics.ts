import type { VerifyCode } from "@keysmith/core";
import { VERIFY_CODES } from "@keysmith/core";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Prometheus metrics on a registry of the app's own (tests build many apps in one process).
 * Label children are bound once and reused: resolving labels per request costs more than
 * the verification itself.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"method" | "route" | "status">;
  private readonly latency: Histogram<"route">;
  private readonly verifications = new Map<VerifyCode, Counter.Internal>();
  private readonly requestChildren = new Map<string, Counter.Internal>();
  private readonly latencyChildren = new Map<string, Histogram.Internal<"route">>();

  constructor(options: { cacheSize: () => number; feedConnected: () => boolean }) {
    collectDefaultMetrics({ register: this.registry, prefix: "keysmith_" });
    this.requests = new Counter({
      name: "keysmith_http_requests_total",
      help: "HTTP requests by method, route and status.",
      labelNames: ["method", "route", "status"],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: "keysmith_http_request_duration_seconds",
      help: "HTTP request latency by route.",
      labelNames: ["route"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [this.registry],
    });
    const verifications = new Counter({
      name: "keysmith_verifications_total",
      help: "Key verifications by outcome code.",
      labelNames: ["code"],
      registers: [this.registry],
    });
    for (const code of VERIFY_CODES) this.verifications.set(code, verifications.labels(code));
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
    this.verifications.get(code)?.inc();
  }

  request(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let counter = this.requestChildren.get(key);
    if (counter === undefined) {
      counter = this.requests.labels(method, route, String(status));
      this.requestChildren.set(key, counter);
    }
    counter.inc();
    let histogram = this.latencyChildren.get(route);
    if (histogram === undefined) {
      histogram = this.latency.labels(route);
      this.latencyChildren.set(route, histogram);
    }
    histogram.observe(seconds);
  }
}
