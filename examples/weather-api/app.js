import { keysmith } from "@keysmith/sdk/fastify";
import Fastify from "fastify";

/**
 * A small weather API protected by keysmith: each route names the scope it needs and what one
 * call costs (taken from the key's credits and counted in its spend).
 *
 *   GET /forecast?city=Paris   scope weather:read, cost 1
 *   GET /alerts?city=Paris     scope alerts:read,  cost 5
 *   GET /health                public
 *
 * @param {{ client: import("@keysmith/sdk").Keysmith, logger?: boolean }} options
 */
export function buildWeatherApi({ client, logger = false }) {
  // Behind a load balancer, set trustProxy so request.ip (checked against a key's allowed IPs)
  // is the caller's address rather than the balancer's; never when nothing sets X-Forwarded-For.
  const app = Fastify({ logger, trustProxy: false });
  app.decorateRequest("keysmith", null);

  app.get("/health", () => ({ status: "ok" }));

  app.get("/forecast", { preHandler: keysmith({ client, scopes: "weather:read", cost: 1 }) }, (request) => {
    const city = cityOf(request.query);
    return { city, customer: request.keysmith?.ownerId ?? null, days: forecast(city) };
  });

  app.get("/alerts", { preHandler: keysmith({ client, scopes: "alerts:read", cost: 5 }) }, (request) => {
    const city = cityOf(request.query);
    const days = forecast(city).filter((day) => day.highC >= 30 || day.rainMm >= 20);
    return {
      city,
      alerts: days.map((day) => ({ date: day.date, warning: day.highC >= 30 ? "heat" : "heavy rain" })),
    };
  });

  return app;
}

function cityOf(query) {
  const city = typeof query?.city === "string" ? query.city.trim().slice(0, 80) : "";
  return city || "Berlin";
}

/** Three days of made-up but stable weather: the same city always gets the same forecast. */
function forecast(city) {
  let seed = 0;
  for (const char of city.toLowerCase()) seed = (seed * 31 + char.charCodeAt(0)) >>> 0;
  const today = new Date();
  return [0, 1, 2].map((offset) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + offset));
    return {
      date: date.toISOString().slice(0, 10),
      highC: 8 + (seed % 27),
      lowC: (seed >>> 8) % 12,
      rainMm: (seed >>> 16) % 25,
    };
  });
}
