// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) as zlib computes it. Written by hand
// because the key checksum runs on every verification and only ever sees ASCII: a table walk
// over char codes avoids the Buffer allocation that `zlib.crc32(string)` would make first.
const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/**
 * CRC-32 of the UTF-8 bytes of `text[0, end)`. Characters above U+007F are encoded as UTF-8
 * first, so the result always equals zlib's `crc32(Buffer.from(text.slice(0, end)))`.
 *
 * @example crc32("hello") // 907060870 (0x3610a686)
 */
export function crc32(text: string, end: number = text.length): number {
  let crc = -1;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return crc32Bytes(Buffer.from(text.slice(0, end), "utf8"));
    crc = (TABLE[(crc ^ code) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ -1) >>> 0;
}

/** CRC-32 of raw bytes. */
export function crc32Bytes(bytes: Uint8Array): number {
  let crc = -1;
  for (const byte of bytes) crc = (TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
