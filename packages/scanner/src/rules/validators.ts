import { crc32, decodeBase62, isBase62 } from "@keysmith/core";

/**
 * Shannon entropy in bits per character. Random base62 of 30+ characters scores ≈ 4.5–5;
 * English words and identifiers ≈ 2.5–3.5.
 *
 * @example shannonEntropy("aaaa") // 0
 */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

// Markers of documentation and templates rather than credentials. Matched case-insensitively.
const PLACEHOLDER_MARKERS = [
  "example",
  "xxxx",
  "your_",
  "your-",
  "yourapi",
  "yourkey",
  "yoursecret",
  "yourtoken",
  "<your",
  "<api",
  "<token",
  "<secret",
  "${",
  "{{",
  "process.env",
  "os.environ",
  "getenv",
  "env(",
  "placeholder",
  "redacted",
  "replace_me",
  "replaceme",
  "changeme",
  "dummy",
  "********",
  "........",
  "…",
];

/**
 * True for values that are documentation or templates, not credentials: `EXAMPLE`, `xxxx`,
 * `<your-key>`, `your_api_key`, `${VAR}`, `{{ var }}`, `process.env.X`, runs of one character,
 * sequences like `12345` or `abcde` (a random body has one with odds of about 1 in 10⁷ per place).
 *
 * @example isPlaceholder("AKIAIOSFODNN7EXAMPLE") // true
 */
export function isPlaceholder(value: string): boolean {
  return (
    hasPlaceholderMarker(value) ||
    hasLongRun(value, 6) ||
    hasAscendingRun(value, 5) ||
    distinctChars(value) <= 3
  );
}

/**
 * Only the marker part of `isPlaceholder` (`example`, `xxxx`, `${`…), without the run tests: for
 * long encoded bodies whose real content has runs (an OpenSSH key's header is `AAAAB3Nza…AAAA…`).
 */
export function hasPlaceholderMarker(value: string): boolean {
  const lower = value.toLowerCase();
  for (const marker of PLACEHOLDER_MARKERS) if (lower.includes(marker)) return true;
  return false;
}

function hasAscendingRun(text: string, length: number): boolean {
  let run = 1;
  for (let i = 1; i < text.length; i++) {
    run = text.charCodeAt(i) === text.charCodeAt(i - 1) + 1 ? run + 1 : 1;
    if (run >= length) return true;
  }
  return false;
}

function hasLongRun(text: string, length: number): boolean {
  let run = 1;
  for (let i = 1; i < text.length; i++) {
    run = text.charCodeAt(i) === text.charCodeAt(i - 1) ? run + 1 : 1;
    if (run >= length) return true;
  }
  return false;
}

function distinctChars(text: string): number {
  return new Set(text).size;
}

/**
 * Entropy and placeholder gate for vendor tokens whose format has no checksum: the random part
 * must not be a placeholder and must carry at least `minBits` of entropy per character.
 */
export function looksRandom(body: string, minBits = 3.2): boolean {
  return !isPlaceholder(body) && shannonEntropy(body) >= minBits;
}

/**
 * GitHub's token checksum, also used by npm: the last 6 characters are CRC32 of the 30 random
 * characters before them, in base62 (`0-9A-Z a-z`), left-padded with `0` — the scheme keysmith's
 * own keys use (with the whole head included in keysmith's case).
 *
 * @example crc32Base62Suffix("ghp_" + random30 + checksum6, 4) // true when the checksum matches
 */
export function crc32Base62Suffix(token: string, randomStart: number): boolean {
  const checksumStart = token.length - 6;
  if (checksumStart - randomStart !== 30) return false;
  if (!isBase62(token, randomStart, 30)) return false;
  const expected = decodeBase62(token, checksumStart, 6);
  return expected >= 0 && expected === crc32(token.slice(randomStart, checksumStart));
}

// Byte helpers for quick checks at a keyword hit, before any decoding.
const WORD = new Uint8Array(256);
for (let c = 48; c <= 57; c++) WORD[c] = 1;
for (let c = 65; c <= 90; c++) WORD[c] = 1;
for (let c = 97; c <= 122; c++) WORD[c] = 1;
WORD[95] = 1;

/** True when the byte before `start` is not a letter, digit or underscore (or there is none). */
export function startsWord(bytes: Uint8Array, start: number): boolean {
  return start === 0 || WORD[bytes[start - 1] as number] === 0;
}

/** True when at least `count` bytes from `at` are alphanumeric (base62). */
export function alnumRun(bytes: Uint8Array, at: number, count: number): boolean {
  if (at + count > bytes.length) return false;
  for (let i = at; i < at + count; i++) {
    const c = bytes[i] as number;
    if (WORD[c] === 0 || c === 95) return false;
  }
  return true;
}
