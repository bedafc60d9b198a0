/** The base62 alphabet in the order SPEC §3 fixes: digits, then upper case, then lower case. */
export const BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Char code → digit value, -1 for anything outside the alphabet. A typed array lookup keeps the
// checksum check on the verify hot path free of allocation and branching on character classes.
const DIGIT_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE62_ALPHABET.length; i++) DIGIT_VALUE[BASE62_ALPHABET.charCodeAt(i)] = i;

/**
 * Encodes a non-negative integer (≤ 2^53) in base62, left-padded with `0` to `width` characters.
 *
 * @example encodeBase62(61, 2) // "0z"
 */
export function encodeBase62(value: number, width: number): string {
  let out = "";
  let n = value;
  do {
    out = BASE62_ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, "0");
}

/**
 * Decodes `length` base62 characters of `text` starting at `offset`. Returns -1 when any
 * character is outside the alphabet. Does not allocate.
 */
export function decodeBase62(text: string, offset: number, length: number): number {
  let value = 0;
  for (let i = offset; i < offset + length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? (DIGIT_VALUE[code] as number) : -1;
    if (digit < 0) return -1;
    value = value * 62 + digit;
  }
  return value;
}

/** True when every character of `text[offset, offset+length)` is in the base62 alphabet. */
export function isBase62(text: string, offset = 0, length = text.length - offset): boolean {
  for (let i = offset; i < offset + length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || (DIGIT_VALUE[code] as number) < 0) return false;
  }
  return true;
}
