/**
 * What the fixture and corpus generators share: a seeded PRNG and keysmith-style checksums.
 * Nothing here is a real credential; every body comes from the PRNG.
 */
import { crc32 } from "node:zlib";

export const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const HEX = "0123456789abcdef";

/** xorshift32 from `seed`: deterministic and fast; not for anything secret. Answers [0, 1). */
export function xorshift(seed) {
  let state = seed;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** `value` in base 62, left-padded with zeros to `width`. */
export function base62(value, width) {
  let out = "";
  let n = value;
  do {
    out = B62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, "0");
}

/** The six-character base-62 CRC32 that ends a keysmith or GitHub-style token. */
export const crcB62 = (text) => base62(crc32(Buffer.from(text)), 6);
