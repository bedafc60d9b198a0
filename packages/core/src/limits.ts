/** How deep `meta` may nest (`{}` is one level) and how large it may be, serialized. */
export const MAX_META_DEPTH = 8;
export const MAX_META_BYTES = 64 * 1024;

/**
 * Nesting depth of a JSON value: a scalar is 0, `{}` and `[]` are 1. Iterative, so a hostile
 * value cannot overflow the stack; stops counting once past `stopAfter`.
 *
 * @example jsonDepth({ a: [1] }) // 2
 */
export function jsonDepth(value: unknown, stopAfter = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== "object") continue;
    const here = depth + 1;
    if (here > deepest) deepest = here;
    if (deepest > stopAfter) return deepest;
    for (const child of Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child, here]);
    }
  }
  return deepest;
}

/** True when `meta` nests deeper than {@link MAX_META_DEPTH}. */
export function metaTooDeep(meta: unknown): boolean {
  return jsonDepth(meta, MAX_META_DEPTH) > MAX_META_DEPTH;
}

/** True when `meta` serializes to more than {@link MAX_META_BYTES} bytes of UTF-8. */
export function metaTooLarge(meta: unknown): boolean {
  const json = JSON.stringify(meta) ?? "";
  // UTF-8 never takes fewer bytes than UTF-16 code units, so a string over the limit in units
  // is over in bytes without being encoded.
  return json.length > MAX_META_BYTES || new TextEncoder().encode(json).length > MAX_META_BYTES;
}

/** The meta error code for a value, or null when it is within the limits. */
export function metaProblem(meta: unknown): "META_TOO_DEEP" | "META_TOO_LARGE" | null {
  if (meta === null || meta === undefined) return null;
  if (metaTooDeep(meta)) return "META_TOO_DEEP";
  if (metaTooLarge(meta)) return "META_TOO_LARGE";
  return null;
}
