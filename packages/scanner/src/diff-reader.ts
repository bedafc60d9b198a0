/** The lines a diff adds to one file (in one commit, for history scans). */
export interface AddedLines {
  /** Path in the new tree, relative to the repository top, with `/` separators. */
  path: string;
  /** Added lines' text and their line numbers in the new file. */
  lines: string[];
  lineNumbers: number[];
  commit?: CommitInfo;
}

export interface CommitInfo {
  sha: string;
  author: string;
  date: string;
}

/** Separator that `git log --format` puts before each commit header (ASCII record separator). */
export const COMMIT_MARKER = "\x1e";
export const COMMIT_FORMAT = "--format=%x1e%H%x1f%an <%ae>%x1f%aI";

/**
 * Reads unified diff output (`git diff -U0`, `git log -p -U0`) line by line and reports each
 * file's added lines with their new line numbers. Hunk line counts are followed exactly, so an
 * added line that itself starts with `+++ ` or `diff --git` is not taken for a header.
 *
 * @example
 * const reader = new DiffReader((file) => console.log(file.path, file.lineNumbers));
 * for (const line of diffText.split("\n")) reader.line(line);
 * reader.end();
 */
export class DiffReader {
  private commit: CommitInfo | undefined;
  private file: AddedLines | null = null;
  private oldLeft = 0;
  private newLeft = 0;
  private newLine = 0;

  constructor(private readonly onFile: (file: AddedLines) => void) {}

  line(text: string): void {
    if (this.oldLeft > 0 || this.newLeft > 0) {
      this.hunkLine(text);
      return;
    }
    if (text.startsWith(COMMIT_MARKER)) {
      this.flush();
      const [sha = "", author = "", date = ""] = text.slice(1).split("\x1f");
      this.commit = { sha, author, date };
    } else if (
      text.startsWith("diff --git ") ||
      text.startsWith("diff --cc ") ||
      text.startsWith("diff --combined ")
    ) {
      this.flush();
    } else if (text.startsWith("+++ ")) {
      const path = parsePath(text.slice(4));
      this.file =
        path === null
          ? null
          : { path, lines: [], lineNumbers: [], ...(this.commit ? { commit: this.commit } : {}) };
    } else if (text.startsWith("@@ ") && this.file) {
      const m = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(text);
      if (!m) return;
      this.oldLeft = m[1] === undefined ? 1 : Number(m[1]);
      this.newLine = Number(m[2]);
      this.newLeft = m[3] === undefined ? 1 : Number(m[3]);
    }
  }

  /** Reports the last file. Call once at the end of the output. */
  end(): void {
    this.flush();
  }

  private hunkLine(text: string): void {
    const kind = text.charCodeAt(0);
    if (kind === 43 /* + */) {
      this.file?.lines.push(text.slice(1));
      this.file?.lineNumbers.push(this.newLine);
      this.newLine++;
      this.newLeft--;
    } else if (kind === 45 /* - */) {
      this.oldLeft--;
    } else if (kind === 32 /* space */ || text === "") {
      this.newLine++;
      this.newLeft--;
      this.oldLeft--;
    }
    // `\ No newline at end of file` counts for neither side.
  }

  private flush(): void {
    if (this.file && this.file.lines.length > 0) this.onFile(this.file);
    this.file = null;
    this.oldLeft = 0;
    this.newLeft = 0;
  }
}

/** `b/path`, `"b/path with \"quotes\""`, or `/dev/null` (deleted: null). */
function parsePath(raw: string): string | null {
  let path = raw.endsWith("\t") ? raw.slice(0, -1) : raw;
  if (path === "/dev/null") return null;
  if (path.startsWith('"')) path = unquoteC(path);
  return path.startsWith("b/") ? path.slice(2) : path;
}

/** Git's C-style quoting: `\"`, `\\`, `\t`, `\n` and octal bytes (`\303\251` for é). */
function unquoteC(quoted: string): string {
  const body = quoted.slice(1, quoted.endsWith('"') ? -1 : undefined);
  const bytes: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, "\\": 92 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== "\\") {
      bytes.push(...Buffer.from(ch, "utf8"));
      continue;
    }
    const next = body[i + 1] ?? "";
    if (/[0-7]/.test(next)) {
      bytes.push(Number.parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}
