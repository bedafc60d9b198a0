import { describe, expect, it } from "vitest";
import { type AddedLines, DiffReader } from "./diff-reader.js";

function read(diff: string): AddedLines[] {
  const files: AddedLines[] = [];
  const reader = new DiffReader((f) => files.push(f));
  for (const line of diff.split("\n")) reader.line(line);
  reader.end();
  return files;
}

describe("DiffReader", () => {
  it("collects added lines with new-file line numbers across hunks and files", () => {
    const files = read(
      [
        "diff --git a/a.txt b/a.txt",
        "--- a/a.txt",
        "+++ b/a.txt",
        "@@ -2 +2,2 @@",
        "-old",
        "+new two",
        "+new three",
        "@@ -10,0 +11 @@",
        "+eleven",
        "\\ No newline at end of file",
        "diff --git a/gone.txt b/gone.txt",
        "--- a/gone.txt",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-bye",
        'diff --git "a/t\\tab.txt" "b/t\\tab.txt"',
        "--- /dev/null",
        '+++ "b/t\\tab\\303\\251.txt"',
        "@@ -0,0 +1 @@",
        "++++ not a header",
      ].join("\n"),
    );
    expect(files).toEqual([
      { path: "a.txt", lines: ["new two", "new three", "eleven"], lineNumbers: [2, 3, 11] },
      { path: "t\tabé.txt", lines: ["+++ not a header"], lineNumbers: [1] },
    ]);
  });

  it("tags files with the commit header that precedes them", () => {
    const files = read(
      [
        "\x1eabc123\x1fAda <ada@x>\x1f2024-01-02T03:04:05Z",
        "",
        "diff --git a/x b/x",
        "+++ b/x",
        "@@ -0,0 +1 @@",
        "+hi",
      ].join("\n"),
    );
    expect(files[0]?.commit).toEqual({ sha: "abc123", author: "Ada <ada@x>", date: "2024-01-02T03:04:05Z" });
  });
});
