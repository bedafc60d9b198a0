import type { ErrorCode } from "./generated/openapi.js";

/**
 * keysmith answered with an error: `{ error: { code, message, requestId, details? } }` and a
 * 4xx or 5xx status. `code` is the server's stable machine code (see docs/errors.md), or
 * `UNEXPECTED_RESPONSE` when something in between (a proxy) answered instead.
 *
 * @example
 * try { await client.keys.get("key_…") }
 * catch (error) { if (error instanceof KeysmithApiError && error.code === "KEY_NOT_FOUND") … }
 */
export class KeysmithApiError extends Error {
  /**
   * One of the codes this SDK was generated with (`ErrorCode`), `UNEXPECTED_RESPONSE`, or, from
   * a newer server, a code added since: compare with the ones you handle and treat the rest alike.
   */
  readonly code: ErrorCode | "UNEXPECTED_RESPONSE" | (string & {});
  readonly status: number;
  /** The server's request id (also its `x-request-id` header), for its logs; null if none came. */
  readonly requestId: string | null;
  readonly details: unknown;

  constructor(init: {
    code: string;
    message: string;
    status: number;
    requestId: string | null;
    details?: unknown;
  }) {
    super(init.message);
    this.name = "KeysmithApiError";
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.details = init.details;
  }
}

/**
 * keysmith did not answer: the connection failed (`NETWORK_ERROR`) or no answer came within
 * `timeoutMs` (`TIMEOUT`). `cause` holds the underlying error.
 */
export class KeysmithConnectionError extends Error {
  readonly code: "NETWORK_ERROR" | "TIMEOUT";

  constructor(code: "NETWORK_ERROR" | "TIMEOUT", message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "KeysmithConnectionError";
    this.code = code;
  }
}
