/**
 * autocannon, the fallback load generator, run programmatically in a pinned child so the
 * key in the body and header stays off the command line. Configured by BENCH_* variables.
 */
import autocannon from "autocannon";
import { failChild } from "../lib/child.js";

try {
  const headers = { "content-type": "application/json" };
  if (process.env.BENCH_AUTHORIZATION) headers.authorization = process.env.BENCH_AUTHORIZATION;
  const result = await autocannon({
    url: process.env.BENCH_URL,
    method: "POST",
    headers,
    body: process.env.BENCH_BODY,
    connections: Number(process.env.BENCH_CONNECTIONS),
    duration: Number(process.env.BENCH_DURATION_S),
  });
  process.send({
    type: "result",
    result: {
      requests: result.requests.total,
      rps: result.requests.total / (result.duration || Number(process.env.BENCH_DURATION_S)),
      p50Ms: result.latency.p50,
      p90Ms: result.latency.p90,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
    },
  });
  process.disconnect();
} catch (error) {
  failChild(error);
}
