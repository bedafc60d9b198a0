import type { FastifyInstance } from "fastify";

/**
 * Scripts, styles and connections from this server only; no inline script or style, no
 * plugins, no `<base>`, no framing, forms posted here only. The dashboard and `/docs` both
 * run under it.
 */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** The headers every page keysmith serves to a browser carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": STRICT_CSP,
  // frame-ancestors for browsers that predate it.
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
};

/**
 * Adds the security headers to every answer of this (encapsulated) scope, after any the
 * route set itself.
 *
 * @example await app.register(async (scope) => { securityHeaders(scope); scope.get(…); });
 */
export function securityHeaders(scope: FastifyInstance): void {
  scope.addHook("onSend", (_request, reply, payload, done) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    done(null, payload);
  });
}
