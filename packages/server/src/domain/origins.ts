/**
 * Allowed origins: exact origins (`https://app.example.com`, `http://localhost:3000`) or one
 * leading wildcard label (`https://*.example.com`, which matches subdomains, not the apex).
 */
export const ORIGIN_PATTERN = /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

/** The canonical form of an origin (lower case, default port dropped), or null if it is not one. */
export function normalizeOrigin(origin: string): string | null {
  if (origin.startsWith("http://*.") || origin.startsWith("https://*.")) {
    const scheme = origin.startsWith("https") ? "https://" : "http://";
    const rest = normalizeOrigin(scheme + origin.slice(scheme.length + 2));
    return rest === null ? null : `${scheme}*.${rest.slice(scheme.length)}`;
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== "/" && url.pathname !== "")
  ) {
    return null;
  }
  return url.origin;
}

export interface OriginMatcher {
  allows(origin: string | undefined): boolean;
}

/** Builds a matcher from already normalized allowed origins. */
export function originMatcher(allowed: readonly string[]): OriginMatcher {
  const exact = new Set<string>();
  const wildcards: { scheme: string; suffix: string }[] = [];
  for (const entry of allowed) {
    const star = entry.indexOf("://*.");
    if (star < 0) exact.add(entry);
    else wildcards.push({ scheme: entry.slice(0, star + 3), suffix: entry.slice(star + 4) });
  }
  return {
    allows(origin) {
      if (origin === undefined) return false;
      if (exact.has(origin)) return true;
      const normalized = normalizeOrigin(origin);
      if (normalized === null) return false;
      if (exact.has(normalized)) return true;
      for (const w of wildcards) {
        if (normalized.startsWith(w.scheme) && normalized.endsWith(w.suffix)) {
          const host = normalized.slice(w.scheme.length, normalized.length - w.suffix.length);
          if (host.length > 0 && !host.startsWith(".")) return true;
        }
      }
      return false;
    },
  };
}
