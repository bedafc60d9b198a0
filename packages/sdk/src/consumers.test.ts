import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The CLI and the dashboard import the API's types from this package (generated from the
// server's /openapi.json); a hand-written copy of one of them would drift from the server.
const PACKAGES = fileURLToPath(new URL("../..", import.meta.url));
const CONSUMERS = ["cli/src", "dashboard/src"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** The API type names this package exports from types.ts. */
function apiTypeNames(): string[] {
  const text = readFileSync(new URL("./types.ts", import.meta.url), "utf8");
  return [...text.matchAll(/^export (?:type|interface) (\w+)/gm)].map((m) => m[1] as string);
}

describe("the SDK's API types", () => {
  it("are the only ones: the CLI and the dashboard declare none of them again", () => {
    const names = apiTypeNames();
    expect(names).toEqual(expect.arrayContaining(["Key", "Project", "Webhook", "Secret", "UsageBucket"]));
    const declaration = new RegExp(`^\\s*(?:export\\s+)?(?:interface|type)\\s+(${names.join("|")})\\b`, "gm");
    const copies = CONSUMERS.flatMap((consumer) =>
      sourceFiles(join(PACKAGES, consumer)).flatMap((file) =>
        [...readFileSync(file, "utf8").matchAll(declaration)].map((m) => `${file}: ${m[1]}`),
      ),
    );
    expect(copies).toEqual([]);
  });
});
