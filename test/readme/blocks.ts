/**
 * Reads README.md's shell blocks for the README test (readme.test.ts).
 *
 * A fenced block tagged `sh`, `bash` or `console` is a shell block. The line right before its
 * opening fence (blank lines between are allowed) may hold a marker:
 *
 *   <!-- readme-test: skip (why it cannot run in the test) -->   the block is not run; the reason is required
 *   <!-- readme-test: server -->                                 the block starts keysmith: the test (re)starts
 *                                                                its own server instead (see readme.test.ts)
 *
 * Every other shell block runs, in README order, in one shell session. A block is cut into steps
 * (one command each, with its continuation lines and multi-line quotes), so a failure names the
 * step's own line. A comment line `# → …` after a step is that step's expected output.
 */

export type Marker = { kind: "run" } | { kind: "skip"; reason: string } | { kind: "server" };

export interface Step {
  /** 1-based README line of the step's first line. */
  line: number;
  text: string;
  /** The `# → …` lines that follow the step, without the `# →`. */
  expected: string[];
}

export interface ShellBlock {
  /** 1-based README line of the opening fence. */
  line: number;
  lang: string;
  marker: Marker;
  /** The block's lines, as written. */
  body: string;
  steps: Step[];
}

export interface TextBlock {
  line: number;
  lang: string;
  body: string;
  /** The text of a `<!-- readme-test: … -->` marker right before the block, or null. */
  markerText: string | null;
}

const SHELL = new Set(["sh", "bash", "console"]);
const MARKER = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;

/** Every fenced block of a Markdown text, with its language tag and first line. */
export function fencedBlocks(markdown: string): TextBlock[] {
  const lines = markdown.split("\n");
  const blocks: TextBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? "");
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i] ?? ""); i++) body.push(lines[i] ?? "");
    if (i >= lines.length) throw new Error(`README.md:${start + 1}: a fenced block is never closed`);
    blocks.push({
      line: start + 1,
      lang: open[1] ?? "",
      body: body.join("\n"),
      markerText: markerAt(lines, start),
    });
  }
  return blocks;
}

/** The text of the marker on the last non-blank line before the fence at index `fence`. */
function markerAt(lines: string[], fence: number): string | null {
  let i = fence - 1;
  while (i >= 0 && (lines[i] ?? "").trim() === "") i--;
  return MARKER.exec((lines[i] ?? "").trim())?.[1] ?? null;
}

/** What a shell block's marker asks. */
function shellMarker(block: TextBlock): Marker {
  const text = block.markerText;
  if (text === null) return { kind: "run" };
  if (text === "server") return { kind: "server" };
  const skip = /^skip\s*\((.+)\)$/.exec(text);
  if (skip?.[1]) return { kind: "skip", reason: skip[1] };
  throw new Error(
    `README.md:${block.line}: unknown readme-test marker "${text}" on a shell block: use "skip (reason)" or "server"`,
  );
}

/** README.md's shell blocks, each with its marker and its steps. */
export function shellBlocks(markdown: string): ShellBlock[] {
  return fencedBlocks(markdown)
    .filter((block) => SHELL.has(block.lang))
    .map((block) => ({
      ...block,
      marker: shellMarker(block),
      steps: splitSteps(block.body, block.line + 1),
    }));
}

/**
 * Cuts a shell block into commands. A command ends at a line end outside quotes and not
 * escaped by a trailing backslash; comment lines between commands are not steps, except
 * `# →` lines, which are the previous step's expected output.
 */
export function splitSteps(body: string, firstLine: number): Step[] {
  const steps: Step[] = [];
  const lines = body.split("\n");
  let current: { line: number; lines: string[] } | null = null;
  let quote: "'" | '"' | null = null;
  for (const [index, raw] of lines.entries()) {
    const lineNumber = firstLine + index;
    if (current === null) {
      const trimmed = raw.trim();
      if (trimmed === "") continue;
      if (trimmed.startsWith("#")) {
        const expected = /^#\s*→\s?(.*)$/.exec(trimmed);
        const last = steps.at(-1);
        if (expected && last) last.expected.push(expected[1] ?? "");
        continue;
      }
      current = { line: lineNumber, lines: [] };
    }
    current.lines.push(raw);
    const state = scanLine(raw, quote);
    quote = state.quote;
    if (quote === null && !state.continues) {
      steps.push({ line: current.line, text: current.lines.join("\n"), expected: [] });
      current = null;
    }
  }
  if (current !== null) {
    throw new Error(`README.md:${current.line}: a command's quote or line continuation never ends`);
  }
  return steps;
}

/**
 * Follows quotes through one line, as a POSIX shell reads them: whether a quote is still open
 * at its end, and whether an unquoted trailing backslash continues it. Comments (`#` after
 * whitespace, outside quotes) end the scan.
 */
function scanLine(line: string, open: "'" | '"' | null): { quote: "'" | '"' | null; continues: boolean } {
  let quote = open;
  let code = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
    } else if (quote === '"') {
      if (c === "\\") i++;
      else if (c === '"') quote = null;
    } else if (c === "\\") {
      if (i === line.length - 1) return { quote: null, continues: true };
      i++;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] ?? ""))) {
      break;
    }
    if (quote === null) code += c;
  }
  // A line ending in a pipe or `&&`/`||` goes on, as in the shell.
  return { quote, continues: quote === null && /(\||&&)\s*$/.test(code) };
}

/**
 * The shape an expected-output line promises: the JSON field names it shows (`"id":`), each of
 * which the real output must contain. Values are examples (ids, times, counts) and not compared.
 */
export function expectedFields(expected: string): string[] {
  return [...expected.matchAll(/"([A-Za-z_][A-Za-z0-9_]*)"\s*:/g)].map((m) => m[1] ?? "");
}
