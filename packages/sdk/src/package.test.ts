import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

describe("the published package", () => {
  it("has no runtime dependencies: frameworks are optional peers", () => {
    expect(manifest.dependencies).toBeUndefined();
    for (const framework of ["express", "fastify", "hono"]) {
      expect(manifest.peerDependenciesMeta[framework]).toEqual({ optional: true });
    }
  });

  it("packs only the built ESM and declarations, package.json and the README", async () => {
    const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: PACKAGE_DIR,
      // Settings of an npm that started this test (npm test) must not leak into this one.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
        npm_config_loglevel: "silent",
      },
    });
    const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
    const outside = files.filter(
      (f) => !f.startsWith("dist/") && !["package.json", "README.md", "LICENSE"].includes(f),
    );
    expect(outside).toEqual([]);
    expect(files.filter((f) => /test|\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
    // Every export resolves to a file in the tarball.
    for (const [subpath, conditions] of Object.entries(manifest.exports as Record<string, unknown>)) {
      if (typeof conditions === "string") continue;
      const { types, default: main } = conditions as { types: string; default: string };
      expect(files, subpath).toContain(types.replace("./", ""));
      expect(files, subpath).toContain(main.replace("./", ""));
    }
  });
});
