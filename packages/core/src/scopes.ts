/**
 * A scope is `resource:action` (more segments are allowed: `billing:invoices:read`), each
 * segment of `[A-Za-z0-9_.-]` or the wildcard `*`. A lone `*` grants everything; a `*` segment
 * matches any one segment, and a trailing `*` matches any remainder (`invoices:*` grants
 * `invoices:read` and `invoices:lines:write`).
 */
export const SCOPE_PATTERN = /^(\*|[A-Za-z0-9_.-]+)(:(\*|[A-Za-z0-9_.-]+))*$/;
export const MAX_SCOPE_LENGTH = 128;

export function isValidScope(scope: string): boolean {
  return scope.length <= MAX_SCOPE_LENGTH && SCOPE_PATTERN.test(scope);
}

/**
 * True when the granted pattern covers the requested scope. Walks both strings by index so
 * that checking scopes on the verify path allocates nothing.
 *
 * @example scopeMatches("invoices:*", "invoices:read") // true
 */
export function scopeMatches(granted: string, requested: string): boolean {
  if (granted === "*" || granted === requested) return true;
  let g = 0;
  let r = 0;
  const gl = granted.length;
  const rl = requested.length;
  while (g < gl && r < rl) {
    const gEnd = segmentEnd(granted, g);
    const rEnd = segmentEnd(requested, r);
    const isWild = gEnd - g === 1 && granted.charCodeAt(g) === 42; /* * */
    if (isWild && gEnd === gl) return true; // trailing wildcard takes the rest
    if (!isWild && !sameSegment(granted, g, gEnd, requested, r, rEnd)) return false;
    g = gEnd + 1;
    r = rEnd + 1;
  }
  return g >= gl && r >= rl;
}

function segmentEnd(text: string, from: number): number {
  const i = text.indexOf(":", from);
  return i < 0 ? text.length : i;
}

function sameSegment(
  a: string,
  aFrom: number,
  aEnd: number,
  b: string,
  bFrom: number,
  bEnd: number,
): boolean {
  if (aEnd - aFrom !== bEnd - bFrom) return false;
  for (let i = 0; i < aEnd - aFrom; i++) {
    if (a.charCodeAt(aFrom + i) !== b.charCodeAt(bFrom + i)) return false;
  }
  return true;
}

/** True when some granted pattern covers `requested`. */
export function isGranted(granted: readonly string[], requested: string): boolean {
  for (let i = 0; i < granted.length; i++) {
    if (scopeMatches(granted[i] as string, requested)) return true;
  }
  return false;
}

/** True when every requested scope is granted. An empty request is always granted. */
export function grantsAll(granted: readonly string[], requested: readonly string[]): boolean {
  for (let i = 0; i < requested.length; i++) {
    if (!isGranted(granted, requested[i] as string)) return false;
  }
  return true;
}
