/**
 * A Fastify API protected by @keysmith/sdk's middleware, as a provider would write it, with
 * the same handler on three routes: `POST /open` (no protection), `POST /protected` (verifies
 * every request with keysmith) and `POST /cached` (the same, with the SDK's local cache on).
 * keysmith's URL and root key come from the environment (BENCH_KEYSMITH_URL,
 * BENCH_KEYSMITH_ROOT_KEY), never argv; reports `{ type: "ready", url }` over IPC.
 */
import { Keysmith } from "@keysmith/sdk";
import { keysmith } from "@keysmith/sdk/fastify";
import Fastify from "fastify";
import { failChild, onStop } from "../lib/child.js";

let app;
const clients = [];
onStop(async () => {
  for (const client of clients) client.close();
  await app?.close();
});

try {
  const baseUrl = process.env.BENCH_KEYSMITH_URL;
  const rootKey = process.env.BENCH_KEYSMITH_ROOT_KEY;
  const direct = new Keysmith({ baseUrl, rootKey });
  const cached = new Keysmith({ baseUrl, rootKey, cache: { ttlMs: 60_000 } });
  clients.push(direct, cached);
  app = Fastify({ logger: false });
  app.decorateRequest("keysmith", null);
  const handler = (request) => ({ ok: true, customer: request.keysmith?.ownerId ?? null });
  app.post("/open", handler);
  app.post("/protected", { preHandler: keysmith({ client: direct, scopes: "bench:read" }) }, handler);
  app.post("/cached", { preHandler: keysmith({ client: cached, scopes: "bench:read" }) }, handler);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  process.send({ type: "ready", url, pid: process.pid });
} catch (error) {
  failChild(error);
}
