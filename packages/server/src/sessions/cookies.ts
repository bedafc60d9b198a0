/** The few cookie operations the dashboard session needs: no dependency, no signing secret. */

/**
 * One cookie's value from a `Cookie` header, or null.
 *
 * @example readCookie("a=1; keysmith_session=abc", "keysmith_session") // "abc"
 */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value === "" ? null : value;
  }
  return null;
}

export interface CookieOptions {
  /** Adds `Secure`: the browser then sends it over HTTPS only. */
  secure: boolean;
  /** Seconds; 0 deletes the cookie; undefined makes it last as long as the browser session. */
  maxAge?: number;
}

/**
 * A `Set-Cookie` value that scripts cannot read (HttpOnly) and that no other site can make the
 * browser send (SameSite=Strict).
 *
 * @example serializeCookie("keysmith_session", id, { secure: true })
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`, "Path=/", "HttpOnly", "SameSite=Strict"];
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}
