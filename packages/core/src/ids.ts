import { encodeBase62 } from "./base62.js";
import { randomBase62 } from "./key-format.js";

export type IdKind = "proj" | "key" | "root" | "aud" | "req" | "whk" | "evt" | "sec" | "idt" | "role";

/**
 * A prefixed, time-sortable id: `key_` + 8 base62 chars of milliseconds + 14 random chars.
 * Base62 in ASCII order sorts like the number it encodes, so ids sort by creation time and
 * serve as stable cursors.
 *
 * @example newId("key") // "key_0Qk8Zr1a3fTzq9LmP0xYbVwe"
 */
export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${kind}_${encodeBase62(now, 8)}${randomBase62(14)}`;
}

const ID_PATTERN = /^[a-z]+_[0-9A-Za-z]{22}$/;

export function isId(kind: IdKind, value: string): boolean {
  return value.startsWith(`${kind}_`) && ID_PATTERN.test(value);
}
