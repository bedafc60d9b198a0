/**
 * Generic secret assignments: `api_key = "…"`, `"client_secret": "…"`, `DB_PASSWORD=…` (.env,
 * YAML, properties). No vendor publishes this format; the rule follows the OWASP Secrets
 * Management Cheat Sheet's advice on detecting hard-coded credentials (name + high-entropy value)
 * and the approach of the common open-source scanners: the name must be a credential's name
 * (`password`, `secret`, `token`, `api key`, not `public_key` or `token_url`), the value must have
 * Shannon entropy ≥ 3 bits per character, mix character classes, and not be a placeholder, a
 * reference to an environment variable, a path, an identifier or a stopword. Values in a known
 * vendor format are left to that vendor's rule, which knows the format (and its checksum).
 */
import { maskSecret } from "../mask.js";
import type { Rule } from "../types.js";
import { isPlaceholder, shannonEntropy } from "./validators.js";

// Words that make `key` a secret's name (`api_key`, `privateKey`); `key` alone is usually a map key.
const KEY_QUALIFIERS = new Set(
  `api apis secret private access auth client app application encryption encrypt decryption signing sign
  master service account license licence consumer session webhook hmac jwt crypt cipher aes shared
  server admin root write deploy integration subscription ingest sdk rest live prod storage`.split(/\s+/),
);
const SECRET_WORDS = new Set([
  "secret",
  "token",
  "password",
  "passwd",
  "pwd",
  "apikey",
  "secretkey",
  "privatekey",
  "accesskey",
]);
// Words that may follow the secret word without changing what the value is (`api_key_prod`).
const TRAILING_WORDS = new Set(
  "value val str string b64 base64 hex raw plain plaintext base prod production live dev staging".split(" "),
);
// Names whose value is public or not a credential even though they contain a secret word.
const NON_SECRET_WORDS = new Set(
  "public publishable csrf xsrf sample example dummy fake mock placeholder".split(" "),
);
// Values that are words people type instead of a secret.
const STOPWORD_PARTS = [
  "password",
  "passwd",
  "secret",
  "token",
  "apikey",
  "api_key",
  "changeme",
  "letmein",
  "qwerty",
  "hunter2",
];
const STOPWORDS = new Set(
  "null undefined true false none nil empty required optional string bearer basic default disabled enabled hidden masked".split(
    " ",
  ),
);
// Values in a vendor's format are for that vendor's rule to judge: a keysmith lookalike with a bad
// checksum, `sk_test_1234` or a truncated `sk-proj-…` is not a real key of that vendor, and not a
// generic secret either.
const VENDOR_PREFIXED =
  /^(?:[a-z0-9]{2,12}_(?:sk|pk|rk|root)_(?:live|test)_|gh[pousr]_|github_pat_|npm_|sk-(?:proj|svcacct|admin|ant)-|[spr]k_(?:live|test)_|whsec_|(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]|glpat-|AIza|xox[bpar]-|xapp-|SG\.|hf_)/;

/** Splits an identifier into lower-case words: `AWS_SECRET_ACCESS_KEY`, `apiKey`, `x-api-key`. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Za-z])([0-9])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** True when an identifier names a credential: its last meaningful word is a secret word. */
export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  if (words.some((w) => NON_SECRET_WORDS.has(w))) return false;
  // Skip trailing qualifiers (`api_key_prod`, `password2`) back to the word that names the value.
  let last = words.length - 1;
  while (last > 0 && !isSecretWord(words[last] as string) && isTrailing(words[last] as string)) last--;
  const word = words[last];
  if (word === undefined) return false;
  if (SECRET_WORDS.has(word)) return true;
  return word === "key" && last > 0 && KEY_QUALIFIERS.has(words[last - 1] as string);
}

const isSecretWord = (word: string): boolean => SECRET_WORDS.has(word) || word === "key";
const isTrailing = (word: string): boolean => TRAILING_WORDS.has(word) || /^\d+$/.test(word);

/** True when a value could be a credential rather than a placeholder, reference or identifier. */
export function isSecretValue(value: string): boolean {
  const lower = value.toLowerCase();
  if (isPlaceholder(value) || STOPWORDS.has(lower) || VENDOR_PREFIXED.test(value)) return false;
  if (STOPWORD_PARTS.some((word) => lower.includes(word))) return false;
  if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\|\$)/.test(value) || value.includes("://")) return false;
  if (/%[sd(]|#\{|\{\d\}|\$\(/.test(value) || /^<.*>$/.test(value)) return false;
  // Identifiers and dotted references: `config.api_key`, `API_KEY_NAME`, `getApiKey`.
  if (/^[a-z]+(?:[._:/-][a-z]+)+$/.test(value) || /^[A-Z][A-Z0-9_]+$/.test(value)) return false;
  if (/^[a-z]+(?:[A-Z][a-z]+)+$/.test(value)) return false;
  // `?NonExpressionParenEnd`, `LIB-NAME`, `urn:uuid:…`, `df123-4567`: markers, constants, URNs and
  // typed-in sequences rather than generated secrets.
  if (
    /^[^A-Za-z0-9]{1,2}[A-Za-z]+[^A-Za-z0-9]{0,2}$|^[A-Za-z]+[^A-Za-z0-9]{1,2}$/.test(value) ||
    /^[A-Z][A-Z0-9_-]+$/.test(value)
  )
    return false;
  if (/^urn:/i.test(value) || /0123|1234|2345|3456|4567|5678|6789/.test(value)) return false;
  const hasDigit = /[0-9]/.test(value);
  const hasSymbol = /[^A-Za-z0-9]/.test(value);
  const classes =
    Number(/[a-z]/.test(value)) + Number(/[A-Z]/.test(value)) + Number(hasDigit) + Number(hasSymbol);
  if (classes < 2 || (!hasDigit && !hasSymbol && value.length < 20)) return false;
  return shannonEntropy(value) >= 3;
}

const IDENT = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
  IDENT[c.charCodeAt(0)] = 1;
// Bytes that end an unquoted value (`KEY=value`): whitespace, quotes, `#,;(){}[]<>$\`.
const UNQUOTED_STOP = new Uint8Array(256);
for (const c of " \t\r\n\"'`#,;(){}[]<>$\\") UNQUOTED_STOP[c.charCodeAt(0)] = 1;
const MIN_VALUE = 8;

const isBlank = (b: number | undefined): boolean => b === 32 || b === 9;
const isQuote = (b: number | undefined): boolean => b === 34 || b === 39 || b === 96;

/**
 * Byte-level version of the rule's regex, anchored at the keyword hit: the rest of the name,
 * an assignment operator, then either a quoted value of 8+ characters or — when the name
 * starts the line (`.env`, YAML) — an unquoted one. `key` and `token` occur on a few percent of
 * all source lines; this rejects nearly all of them without decoding the line.
 */
function assignmentFollows(bytes: Uint8Array, start: number, end: number): boolean {
  const len = bytes.length;
  let i = end;
  const nameEnd = Math.min(len, end + 80);
  while (i < nameEnd && IDENT[bytes[i] as number] === 1) i++;
  if (isQuote(bytes[i])) i++;
  for (let k = 0; k < 16 && isBlank(bytes[i]); k++) i++;
  const op = bytes[i];
  if (op === 61 /* = */) {
    i += bytes[i + 1] === 62 /* > */ ? 2 : 1;
  } else if (op === 58 /* : */) {
    i += bytes[i + 1] === 61 ? 2 : 1;
  } else if ((op === 124 || op === 63) && bytes[i + 1] === op && bytes[i + 2] === 61) {
    i += 3;
  } else {
    return false;
  }
  if (bytes[i] === 61) return false; // `==`, `:==`: a comparison
  for (let k = 0; k < 16 && isBlank(bytes[i]); k++) i++;
  const quote = bytes[i];
  if (isQuote(quote)) {
    let j = i + 1;
    const limit = Math.min(len, i + 202);
    while (j < limit && bytes[j] !== quote && bytes[j] !== 10 && bytes[j] !== 32 && bytes[j] !== 92) j++;
    return bytes[j] === quote && j - i - 1 >= MIN_VALUE && !templateAt(bytes, i + 1, j);
  }
  let j = i;
  const valueLimit = Math.min(len, i + 201);
  while (j < valueLimit && UNQUOTED_STOP[bytes[j] as number] === 0) j++;
  if (j - i < MIN_VALUE || j - i > 200) return false;
  const valueEnd = j;
  // As in the regex: only blanks or a `#` comment may follow an unquoted value.
  for (let k = 0; k < 64 && isBlank(bytes[j]); k++) j++;
  if (j < len && bytes[j] !== 10 && bytes[j] !== 13 && bytes[j] !== 35) return false;
  return !templateAt(bytes, i, valueEnd) && nameStartsLine(bytes, start);
}

/**
 * The placeholders that fill example configs, checked on bytes so those lines are not decoded:
 * `${VAR}` or `{{ var }}` anywhere, `<your-key>`, `your_api_key`. The validator rejects all of
 * them too (see `isPlaceholder`); this only saves the work.
 */
function templateAt(bytes: Uint8Array, from: number, to: number): boolean {
  const at = (k: number): number => bytes[k] ?? 0;
  if (at(from) === 60 /* < */ && at(to - 1) === 62 /* > */) return true;
  const lower = (k: number): number => at(k) | 32;
  if (
    to - from >= 5 &&
    lower(from) === 121 &&
    lower(from + 1) === 111 &&
    lower(from + 2) === 117 &&
    lower(from + 3) === 114
  ) {
    if (at(from + 4) === 95 || at(from + 4) === 45) return true; // `your_`, `your-`
  }
  for (let k = from; k < to - 1 && k < from + 202; k++) {
    if ((at(k) === 36 /* $ */ || at(k) === 123) /* { */ && at(k + 1) === 123) return true;
  }
  return false;
}

const EXPORT = [101, 120, 112, 111, 114, 116]; // "export"
function isExport(bytes: Uint8Array, at: number): boolean {
  for (let k = 0; k < 6; k++) if (bytes[at + k] !== EXPORT[k]) return false;
  return true;
}

// True when only blanks (and an `export `) precede the identifier containing `start`.
function nameStartsLine(bytes: Uint8Array, start: number): boolean {
  let i = start;
  const floor = Math.max(0, start - 80);
  while (i > floor && IDENT[bytes[i - 1] as number] === 1) i--;
  for (let k = 0; k < 32 && i > 0 && isBlank(bytes[i - 1]); k++) i--;
  if (i >= 6 && isExport(bytes, i - 6)) {
    i -= 6;
    for (let k = 0; k < 8 && i > 0 && isBlank(bytes[i - 1]); k++) i--;
  }
  return i === 0 || bytes[i - 1] === 10;
}

/**
 * `"Password:"),x?f("…")`: the name and `:` are the text of a string literal (a form label in
 * minified UI code) and the "value" is the code after it. The quote before the name is the one
 * the value opens with, and no quote closes the name before its `:`.
 */
function labelInString(match: RegExpExecArray): boolean {
  const range = match.indices?.groups?.name;
  const quote = match.groups?.q;
  if (!range || !quote) return false;
  return match.input[range[0] - 1] === quote && match.input[range[1]] !== quote;
}

export const genericSecret: Rule = {
  id: "generic-secret",
  title: "Hard-coded secret",
  severity: "warning",
  description:
    "A high-entropy value assigned to a credential's name (password, secret, token, API key). Move it to a secret store or environment variable and rotate it.",
  keywords: ["key", "secret", "token", "password", "passwd", "pwd"],
  keywordCase: "variants",
  quickCheck: assignmentFollows,
  regex:
    /(?<![A-Za-z0-9_.-])(?<name>[A-Za-z0-9_.-]{0,80}[A-Za-z0-9])["'`]?[ \t]{0,16}(?::=|=>|\|\|=|\?\?=|=|:)[ \t]{0,16}(?<q>["'`])(?<secret>[^"'`\s\\]{8,200})\k<q>|^[ \t]{0,32}(?:export[ \t]{1,8})?(?<name2>[A-Za-z0-9_.-]{0,80}[A-Za-z0-9])[ \t]{0,16}[=:][ \t]{0,16}(?<secret2>[^\s"'`#,;(){}[\]<>$\\]{8,200})[ \t]{0,64}(?:#[^\n]{0,1000})?$/gm,
  generic: true,
  validate: (secret, match) => {
    const name = match.groups?.name ?? match.groups?.name2 ?? "";
    return isSecretValue(secret) && isSecretName(name) && !labelInString(match);
  },
  mask: (secret) => maskSecret(secret, 0),
};

export const rules: readonly Rule[] = [genericSecret];
