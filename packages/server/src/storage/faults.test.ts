import { KeysmithError } from "@keysmith/core";
import SQLite from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { unavailableError, unreachable } from "./faults.js";

const withCode = (code: string, message = code, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe("unreachable", () => {
  it.each([
    ["a refused connection", withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432")],
    ["a reset connection", withCode("ECONNRESET")],
    ["a connect timeout", withCode("ETIMEDOUT")],
    ["pg: the server went away mid-query", new Error("Connection terminated unexpectedly")],
    ["pg-pool: no connection in time", new Error("timeout exceeded when trying to connect")],
    ["Postgres: admin shutdown", withCode("57P01", "terminating connection", { severity: "FATAL" })],
    ["Postgres: connection failure", withCode("08006", "connection failure", { severity: "FATAL" })],
    ["Postgres: too many connections", withCode("53300", "too many clients", { severity: "FATAL" })],
    ["SQLite: read-only", withCode("SQLITE_READONLY")],
    ["SQLite: disk full", withCode("SQLITE_FULL")],
    ["SQLite: I/O error", withCode("SQLITE_IOERR_WRITE")],
    ["SQLite: busy past the timeout", withCode("SQLITE_BUSY")],
    ["SQLite: cannot open", withCode("SQLITE_CANTOPEN")],
    ["happy eyeballs", new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNREFUSED")], "connect")],
    ["a wrapped cause", new Error("query failed", { cause: withCode("ECONNRESET") })],
  ])("says the store is unreachable for %s", (_name, error) => {
    expect(unreachable(error)).toBe("store");
    expect(unavailableError(error)?.code).toBe("STORE_UNAVAILABLE");
  });

  it("says the cache is unreachable for ioredis's closed-connection errors", () => {
    expect(unreachable(new Error("Connection is closed."))).toBe("cache");
    expect(unreachable(Object.assign(new Error("x"), { name: "MaxRetriesPerRequestError" }))).toBe("cache");
    expect(
      unavailableError(new Error("Stream isn't writeable and enableOfflineQueue options is false"))?.code,
    ).toBe("CACHE_UNAVAILABLE");
  });

  it.each([
    ["a bug", new TypeError("cannot read properties of undefined")],
    ["a unique violation", withCode("23505", "duplicate key", { severity: "ERROR" })],
    ["a SQL syntax error", withCode("42601", "syntax error", { severity: "ERROR" })],
    ["a SQLite constraint", withCode("SQLITE_CONSTRAINT_UNIQUE")],
    ["an 08 code that is not from Postgres", withCode("08006")],
    ["an expected API error", new KeysmithError("KEY_NOT_FOUND")],
    ["not an error", "ECONNREFUSED"],
    ["null", null],
  ])("leaves %s alone (a fault stays a 500, an API error keeps its code)", (_name, error) => {
    expect(unreachable(error)).toBeNull();
    expect(unavailableError(error)).toBeNull();
  });

  it("recognises a real SQLite read-only error", () => {
    const db = new SQLite(":memory:");
    db.exec("create table t (x)");
    db.pragma("query_only = 1");
    let caught: unknown;
    try {
      db.exec("insert into t values (1)");
    } catch (error) {
      caught = error;
    }
    db.close();
    expect(unreachable(caught)).toBe("store");
  });
});
