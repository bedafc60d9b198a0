/**
 * The baseline: a bare Fastify 5 POST route on the same path that parses the same JSON body
 * (Fastify's default parser) and answers a JSON object of the same size — the verify
 * server's own answer, passed in as BENCH_RESPONSE. No auth, no schema, no lookup, no
 * metrics: what is left is Fastify, JSON and the socket. `BENCH_PATH` and `BENCH_FIELD` (default
 * `/v1/keys/verify` and `key`) name the route and the string field it checks.
 */
import Fastify from "fastify";
import { failChild, onStop } from "../lib/child.js";
import { answerGcMeasurements } from "../lib/gc.js";

let app;
onStop(() => app?.close());
answerGcMeasurements();

try {
  const answer = JSON.parse(process.env.BENCH_RESPONSE ?? "null");
  if (answer === null || typeof answer !== "object") throw new Error("BENCH_RESPONSE is not a JSON object");
  app = Fastify({ logger: false });
  const field = process.env.BENCH_FIELD ?? "key";
  app.post(process.env.BENCH_PATH ?? "/v1/keys/verify", (request, reply) => {
    if (typeof request.body?.[field] !== "string") return reply.code(400).send({ error: field });
    return answer;
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  process.send({ type: "ready", url, pid: process.pid });
} catch (error) {
  failChild(error);
}
