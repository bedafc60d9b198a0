import { KeysmithError } from "@keysmith/core";
import Fastify from "fastify";
import pino from "pino";
import { describe, expect, it } from "vitest";
import type { App } from "../http-types.js";
import { errorHandling } from "./errors.js";

/** An app with one route that throws `error`, and the log lines it wrote. */
async function throwing(error: unknown) {
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: "info" }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const app = Fastify() as unknown as App;
  errorHandling(app, logger);
  app.get("/boom", async () => {
    throw error;
  });
  const response = await app.inject({ method: "GET", url: "/boom" });
  await app.close();
  return { response, body: response.json(), logs: logs.filter((line) => line.requestId !== undefined) };
}

describe("the error handler facing an outage", () => {
  it("answers an unreachable database 503 STORE_UNAVAILABLE with Retry-After, logged as one warning", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" });
    const { response, body, logs } = await throwing(refused);
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("2");
    expect(body.error.code).toBe("STORE_UNAVAILABLE");
    expect(response.body).not.toContain("10.0.0.5");
    expect(logs).toEqual([
      expect.objectContaining({ level: 40, code: "STORE_UNAVAILABLE", cause: "ECONNREFUSED" }),
    ]);
    expect(logs[0]?.err).toBeUndefined();
  });

  it("answers Redis gone 503 CACHE_UNAVAILABLE", async () => {
    const { response, body } = await throwing(new Error("Connection is closed."));
    expect(response.statusCode).toBe(503);
    expect(body.error.code).toBe("CACHE_UNAVAILABLE");
    expect(response.headers["retry-after"]).toBe("2");
  });

  it("keeps a fault a 500 without Retry-After, logged with its stack", async () => {
    const { response, body, logs } = await throwing(new TypeError("x is undefined"));
    expect(response.statusCode).toBe(500);
    expect(body.error.code).toBe("INTERNAL_ERROR");
    expect(response.headers["retry-after"]).toBeUndefined();
    expect(logs).toEqual([
      expect.objectContaining({ level: 50, err: expect.objectContaining({ stack: expect.any(String) }) }),
    ]);
  });
});

describe("the error handler's log lines", () => {
  it("logs a refused request (4xx) as one info line with its code, without the error or its stack", async () => {
    const cases: [unknown, number, string][] = [
      [new KeysmithError("KEY_NOT_FOUND"), 404, "KEY_NOT_FOUND"],
      [new KeysmithError("VALIDATION_ERROR", "projectId is required"), 400, "VALIDATION_ERROR"],
      [Object.assign(new Error("Too many"), { statusCode: 429 }), 429, "RATE_LIMITED"],
      [
        new SyntaxError("Unexpected token 'a', \"acme_sk_live_secret\" is not valid JSON"),
        400,
        "INVALID_JSON",
      ],
    ];
    for (const [error, status, code] of cases) {
      const { response, logs } = await throwing(error);
      expect(response.statusCode, code).toBe(status);
      expect(logs, code).toEqual([expect.objectContaining({ level: 30, code, status })]);
      expect(JSON.stringify(logs), code).not.toMatch(/stack|"err"|acme_sk_live/);
    }
  });

  it("logs an expected 503 (a locked vault) as one warning without a stack", async () => {
    const { response, logs } = await throwing(new KeysmithError("VAULT_LOCKED"));
    expect(response.statusCode).toBe(503);
    expect(logs).toEqual([expect.objectContaining({ level: 40, code: "VAULT_LOCKED" })]);
    expect(JSON.stringify(logs)).not.toMatch(/stack|"err"/);
  });
});
