import { KeysmithError } from "@keysmith/core";

/** Which dependency an error says is out of reach. */
export type Unreachable = "store" | "cache";

/** Socket errors: the peer refused, dropped or never answered the connection. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * Postgres SQLSTATEs that say the server is not there for us rather than that the query is
 * wrong: class 08 (connection exception), 57P01–57P03 (admin or crash shutdown, cannot connect
 * now), 53300 (too many connections), 25006 (read-only transaction: a standby after failover).
 */
const POSTGRES_STATES = /^(08...|57P0[123]|53300|25006)$/;

/**
 * SQLite result codes (better-sqlite3 reports extended codes such as `SQLITE_IOERR_WRITE`) for a
 * file that cannot be written or read now: read-only, disk full, I/O failure, locked past the
 * busy timeout, cannot be opened.
 */
const SQLITE_CODES = /^SQLITE_(READONLY|FULL|IOERR|BUSY|CANTOPEN|PERM)(_[A-Z]+)?$/;

/** pg and pg-pool raise these as plain Errors, without a code. */
const POSTGRES_MESSAGES = [
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
  "Query read timeout",
];

/** ioredis, with its offline queue off or its retries spent. */
const REDIS_MESSAGES = [
  "Connection is closed",
  "Stream isn't writeable",
  "Reached the max retries per request",
];

function reason(error: Record<string, unknown>): Unreachable | null {
  const code = typeof error.code === "string" ? error.code : "";
  const message = typeof error.message === "string" ? error.message : "";
  if (SOCKET_CODES.has(code)) return "store";
  if (SQLITE_CODES.test(code)) return "store";
  if (POSTGRES_STATES.test(code) && typeof error.severity === "string") return "store";
  if (error.name === "MaxRetriesPerRequestError") return "cache";
  if (REDIS_MESSAGES.some((m) => message.startsWith(m))) return "cache";
  if (POSTGRES_MESSAGES.some((m) => message.startsWith(m))) return "store";
  return null;
}

/**
 * Which dependency `error` says is unreachable, or null when it is any other failure. The one
 * place keysmith decides that a failure is an outage (503, retry later) and not a fault (500):
 * socket errors, pg's connection and pool errors and SQLSTATEs, SQLite's read-only, full, I/O,
 * busy and cannot-open codes, and ioredis's closed-connection errors. Follows `cause` and an
 * `AggregateError`'s `errors` (Node's happy-eyeballs connect reports one per address).
 *
 * @example unreachable(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })) // "store"
 */
export function unreachable(error: unknown, depth = 0): Unreachable | null {
  if (error === null || typeof error !== "object" || depth > 4) return null;
  const found = reason(error as Record<string, unknown>);
  if (found !== null) return found;
  const { cause, errors } = error as { cause?: unknown; errors?: unknown };
  if (cause !== undefined) {
    const byCause = unreachable(cause, depth + 1);
    if (byCause !== null) return byCause;
  }
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const byInner = unreachable(inner, depth + 1);
      if (byInner !== null) return byInner;
    }
  }
  return null;
}

/**
 * The registered 503 for an outage error (`STORE_UNAVAILABLE`, `CACHE_UNAVAILABLE`), or null
 * when `error` is something else. The error handler calls it for every error it did not expect.
 *
 * @example
 * const mapped = unavailableError(error); // KeysmithError("STORE_UNAVAILABLE") for ECONNREFUSED
 */
export function unavailableError(error: unknown): KeysmithError | null {
  if (error instanceof KeysmithError) return null;
  const what = unreachable(error);
  if (what === null) return null;
  return new KeysmithError(what === "store" ? "STORE_UNAVAILABLE" : "CACHE_UNAVAILABLE");
}

/** Seconds a client should wait before retrying a 503 for an outage (`Retry-After`). */
export const OUTAGE_RETRY_AFTER_SECONDS = 2;
