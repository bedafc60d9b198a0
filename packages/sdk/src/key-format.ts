// A copy of @keysmith/core's key check (SPEC §3), kept here because the SDK has no runtime
// dependencies: `<prefix>_<type>_<env>_` then 30 base62 characters of randomness and 6 of CRC32
// over everything before them. Tested against the same vectors as the core.

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const CHECKSUM_LENGTH = 6;
// A project prefix (never `ks`) with sk/pk/rk, or the root-key head `ks_root`.
const GRAMMAR = /^(?:(?!ks_)[a-z0-9]{2,12}_(?:sk|pk|rk)|ks_root)_(?:live|test)_[0-9A-Za-z]{36}$/;

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/**
 * CRC-32 (IEEE, as zlib computes it) of the UTF-8 bytes of `text`.
 *
 * @example crc32("hello") // 907060870
 */
export function crc32(text: string): number {
  let crc = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Keys are ASCII; anything else is hashed as its UTF-8 bytes, as zlib would.
    if (code > 0x7f) return crc32Bytes(new TextEncoder().encode(text));
    crc = (TABLE[(crc ^ code) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ -1) >>> 0;
}

function crc32Bytes(bytes: Uint8Array): number {
  let crc = -1;
  for (const byte of bytes) crc = (TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * A non-negative integer in base62, left-padded with `0` to `width` characters.
 *
 * @example encodeBase62(61, 2) // "0z"
 */
export function encodeBase62(value: number, width: number): string {
  let out = "";
  let n = value;
  do {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, "0");
}

/**
 * True when `key` has keysmith's grammar and a matching checksum. A false answer needs no
 * network call: no such key can exist. A true one says nothing about whether the key is live.
 *
 * @example isWellFormedKey("acme_sk_live_…") // true or false, without asking the server
 */
export function isWellFormedKey(key: string): boolean {
  if (typeof key !== "string" || !GRAMMAR.test(key)) return false;
  const split = key.length - CHECKSUM_LENGTH;
  return encodeBase62(crc32(key.slice(0, split)), CHECKSUM_LENGTH) === key.slice(split);
}
