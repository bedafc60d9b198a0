import { describe, expect, it } from "vitest";
import { expectedFields, shellBlocks, splitSteps } from "./blocks.js";

describe("README blocks", () => {
  it("cuts a block into commands: continuations, multi-line quotes, pipes; # → lines belong to the command before", () => {
    const body = [
      "# a comment",
      "A=$(curl -s x \\",
      "  -d '{",
      '    "a": 1',
      "  }')",
      '# → {"id":"proj_…"}',
      "echo \"it's\" # not a quote: 'open",
      "jq -n '{}' |",
      "  cat",
    ].join("\n");
    const steps = splitSteps(body, 10);
    expect(steps.map((s) => [s.line, s.expected])).toEqual([
      [11, ['{"id":"proj_…"}']],
      [16, []],
      [17, []],
    ]);
    expect(steps[0]?.text).toContain("  }')");
    expect(steps[2]?.text).toBe("jq -n '{}' |\n  cat");
  });

  it("reads markers: skip needs a reason, server is known, anything else is refused", () => {
    const readme = [
      "<!-- readme-test: skip (needs docker) -->",
      "```sh",
      "docker compose up",
      "```",
      "<!-- readme-test: server -->",
      "",
      "```bash",
      "npm start",
      "```",
      "```console",
      "ls",
      "```",
      "```ts",
      "const a = 1;",
      "```",
    ].join("\n");
    expect(shellBlocks(readme).map((b) => [b.line, b.lang, b.marker])).toEqual([
      [2, "sh", { kind: "skip", reason: "needs docker" }],
      [7, "bash", { kind: "server" }],
      [10, "console", { kind: "run" }],
    ]);
    expect(() => shellBlocks("<!-- readme-test: skip -->\n```sh\nls\n```")).toThrow(/README.md:2: unknown/);
    expect(() => shellBlocks("```sh\necho 'never closed\n```")).toThrow(/README.md:2: a command's quote/);
  });

  it("takes the field names an expected output shows", () => {
    expect(expectedFields('201 { "id": "idt_…", "meta": {…}, "ok":true }')).toEqual(["id", "meta", "ok"]);
    expect(expectedFields("exit 1 (a secret was found)")).toEqual([]);
  });
});
