import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The house rules of the server package (see its README), checked on the source so that a
// shortcut fails here rather than in review.

const SRC = dirname(fileURLToPath(import.meta.url));

function sources(): { file: string; text: string; test: boolean }[] {
  const out: { file: string; text: string; test: boolean }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts"))
        out.push({
          file: relative(SRC, path),
          text: readFileSync(path, "utf8"),
          test:
            entry.name.endsWith(".test.ts") || path.includes("test-support") || path.includes("conformance"),
        });
    }
  };
  walk(SRC);
  return out;
}

/** The relative imports of a file, as paths relative to src. */
function localImports(file: string, text: string): string[] {
  const found = [...text.matchAll(/from\s+["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1] as string);
  return found.map((spec) => relative(SRC, resolve(SRC, dirname(file), spec)));
}

const files = sources();
const code = files.filter((f) => !f.test);
const area = (path: string) => path.split("/")[0] as string;

describe("the server's layers", () => {
  it("keeps Kysely inside storage/", () => {
    const outside = code.filter((f) => area(f.file) !== "storage" && /from\s+["']kysely["']/.test(f.text));
    expect(outside.map((f) => f.file)).toEqual([]);
  });

  it("opens transactions only in storage/: features write through the unit of work", () => {
    const opening = code.filter((f) => area(f.file) !== "storage" && /\.transaction\(\)/.test(f.text));
    expect(opening.map((f) => f.file)).toEqual([]);
  });

  it("builds the domain on nothing but itself and the core", () => {
    const leaks = code
      .filter((f) => area(f.file) === "domain")
      .flatMap((f) =>
        localImports(f.file, f.text)
          .filter((p) => area(p) !== "domain")
          .map((p) => `${f.file} → ${p}`),
      );
    expect(leaks).toEqual([]);
  });

  it("lets storage depend on the domain, never on services, routes or plugins", () => {
    const upward = code
      .filter((f) => area(f.file) === "storage")
      .flatMap((f) =>
        localImports(f.file, f.text)
          .filter((p) => ["services", "routes", "plugins", "app.ts", "server.ts"].includes(area(p)))
          .map((p) => `${f.file} → ${p}`),
      );
    expect(upward).toEqual([]);
  });
});
