import type { VerifyCode } from "../types.js";

/** Why a request was refused: a verify code, or no key at all. */
export type DenialCode = Exclude<VerifyCode, "VALID"> | "MISSING_KEY";

/** The JSON body of every refusal. It never contains the key. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * The answer to each refusal. 401 when the caller has no usable key (RFC 6750 `invalid_token`),
 * 403 when the key is fine but not for this call, 429 for a rate limit (retry after
 * `Retry-After`), and 402 when credits or the budget are used up: waiting a few seconds will not
 * help, and 429 would invite client libraries to retry in a loop until the period resets.
 */
export const DENIALS: Readonly<Record<DenialCode, { status: number; message: string }>> = {
  MISSING_KEY: { status: 401, message: "An API key is required." },
  MALFORMED: { status: 401, message: "The API key is not a valid key." },
  NOT_FOUND: { status: 401, message: "The API key is not valid." },
  REVOKED: { status: 401, message: "The API key has been revoked." },
  EXPIRED: { status: 401, message: "The API key has expired." },
  DISABLED: { status: 401, message: "The API key is disabled." },
  ORIGIN_NOT_ALLOWED: { status: 403, message: "The API key may not be used from this origin." },
  IP_NOT_ALLOWED: { status: 403, message: "The API key may not be used from this IP address." },
  ENVIRONMENT_MISMATCH: {
    status: 403,
    message: "The API key belongs to another environment (live or test).",
  },
  INSUFFICIENT_SCOPE: { status: 403, message: "The API key lacks a scope this call needs." },
  RATE_LIMITED: {
    status: 429,
    message: "Too many requests: retry after the number of seconds in Retry-After.",
  },
  USAGE_EXCEEDED: { status: 402, message: "The API key has no credits left." },
  BUDGET_EXCEEDED: { status: 402, message: "The API key's spending budget for this period is used up." },
};

interface Context {
  header: string;
  realm: string;
  scopes: string | string[] | undefined;
}

export interface Denial {
  allow: false;
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/** The refusal for `code`, with `WWW-Authenticate` on a 401 and on a missing scope. */
export function denial(code: DenialCode, context: Context, headers: Record<string, string> = {}): Denial {
  const { status, message } = DENIALS[code];
  const out = { ...headers };
  const realm = `Bearer realm="${quote(context.realm)}"`;
  // RFC 6750 §3.1: no error code when the request carried no credentials at all.
  if (code === "MISSING_KEY") out["WWW-Authenticate"] = realm;
  else if (status === 401) out["WWW-Authenticate"] = `${realm}, error="invalid_token"`;
  else if (code === "INSUFFICIENT_SCOPE") {
    const scopes = typeof context.scopes === "string" ? [context.scopes] : (context.scopes ?? []);
    // `scope` lists scopes that are all required; a permission query is not such a list, so
    // with only a query the attribute is left out.
    out["WWW-Authenticate"] =
      scopes.length > 0
        ? `${realm}, error="insufficient_scope", scope="${quote(scopes.join(" "))}"`
        : `${realm}, error="insufficient_scope"`;
  }
  const hint =
    code === "MISSING_KEY"
      ? context.header === "authorization"
        ? " Send it as Authorization: Bearer <key>."
        : ` Send it in the ${context.header} header.`
      : "";
  return { allow: false, status, headers: out, body: { error: { code, message: message + hint } } };
}

/**
 * keysmith could not answer: 503 while it is unreachable or failing, 500 when it refused this
 * middleware's own credentials or request (a configuration error that retrying will not fix).
 */
export function unavailable(configuration: boolean): Denial {
  return configuration
    ? {
        allow: false,
        status: 500,
        headers: {},
        body: { error: { code: "AUTHENTICATION_MISCONFIGURED", message: "API keys cannot be checked." } },
      }
    : {
        allow: false,
        status: 503,
        headers: {},
        body: {
          error: {
            code: "AUTHENTICATION_UNAVAILABLE",
            message: "API keys cannot be checked right now; try again.",
          },
        },
      };
}

function quote(text: string): string {
  return text.replace(/["\\]/g, "\\$&");
}
