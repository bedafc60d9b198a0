/** How bad a finding is: `error` is a live credential, `info` is public-by-design (publishable keys). */
export type Severity = "error" | "warning" | "info";

/**
 * One detection rule (one provider's token kind). Rules live in `src/rules/<vendor>.ts`; the engine
 * runs a rule's regex only on the lines (plus `window`) around a hit of one of its keywords.
 */
export interface Rule {
  /** Stable kebab-case id, used in output, baselines and SARIF (`stripe-secret-key`). */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** One or two sentences for SARIF `fullDescription` and `--format text` help. */
  readonly description: string;
  /** Literal strings of which at least one occurs in every match (case-sensitive). */
  readonly keywords: readonly string[];
  /** Also match each keyword in lower, Title and UPPER case (`key`, `Key`, `KEY`). */
  readonly keywordCase?: "variants";
  /**
   * A global regex. The secret is the `secret` named group when the regex has one, else the
   * whole match. Runs on the hit line (and `window` lines around it) as a string.
   */
  readonly regex: RegExp;
  /**
   * Cheap byte-level test at a keyword hit (`start`, `end` exclusive), before the line is decoded.
   * Return false to skip the regex for this hit.
   */
  readonly quickCheck?: (bytes: Uint8Array, start: number, end: number) => boolean;
  /** The capture group number holding the secret (user rules, gitleaks' `secretGroup`). */
  readonly secretGroup?: number;
  /** Checksum, entropy or placeholder test; false drops the match. */
  readonly validate?: (secret: string, match: RegExpExecArray) => boolean;
  /** Lines of context around the hit line that the regex sees (multi-line keys, nearby ids). */
  readonly window?: { readonly before: number; readonly after: number };
  /**
   * Bytes before the keyword's start and after its end that the regex may see (default 256 and
   * 1,024), within the hit line or `window`. Keeps the text a regex runs on bounded whatever the
   * line's length: a match touching a clipped edge is dropped, as its context is unknown.
   */
  readonly reach?: { readonly before: number; readonly after: number };
  /** A catch-all rule: a specific rule's finding on the same span wins over it. */
  readonly generic?: boolean;
  /** How to show the secret when masked; defaults to `maskSecret`. */
  readonly mask?: (secret: string) => string;
}

/** One secret found. `secret` is the raw value: formatters never print it unless asked to reveal. */
export interface Finding {
  ruleId: string;
  title: string;
  severity: Severity;
  /** Path relative to the scan's root, with `/` separators (or the name given to `scanText`). */
  file: string;
  /** 1-based line and column (UTF-16 code units, as SARIF counts by default). */
  line: number;
  column: number;
  /** The raw secret. Internal: keep it out of logs; formatters mask it. */
  secret: string;
  /** What may be shown: a few leading and trailing characters only. */
  masked: string;
  /** sha256(ruleId + secret + file), hex: stable identity for baselines and SARIF. */
  fingerprint: string;
  /** For history scans: the first commit that introduced the secret. */
  commit?: string;
  author?: string;
  date?: string;
}

/** A file or input that was not scanned, and why. */
export interface Skipped {
  file: string;
  /** `timeout`: the file's scan ran past the per-file time budget (findings so far are kept). */
  reason: "binary" | "too-large" | "unreadable" | "timeout";
}

export interface ScanResult {
  findings: Finding[];
  /** Files (or commits' file changes) actually scanned. */
  scanned: number;
  bytes: number;
  skipped: Skipped[];
  durationMs: number;
  /** History scans: commits read. */
  commits?: number;
}
