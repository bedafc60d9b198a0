import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_DASHBOARD_ROOT } from "./plugins/dashboard.js";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const REPOSITORY = fileURLToPath(new URL("../../..", import.meta.url));

describe("the published server package", () => {
  it("serves the dashboard from inside itself, not from the repository's packages/dashboard", () => {
    expect(DEFAULT_DASHBOARD_ROOT).toBe(join(PACKAGE_DIR, "dashboard/"));
  });

  it("carries the built dashboard: npm pack lists its index.html and assets", async () => {
    // `npm test` builds first; the server's build copies packages/dashboard/dist here.
    expect(existsSync(join(DEFAULT_DASHBOARD_ROOT, "index.html")), "run `npm run build` first").toBe(true);
    const { stdout } = await promisify(execFile)(
      "npm",
      ["pack", "--dry-run", "--json", "--ignore-scripts", "-w", "@keysmith/server"],
      {
        cwd: REPOSITORY,
        // Settings of an npm that started this test (npm test) must not leak into this one.
        env: {
          ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
          npm_config_loglevel: "silent",
        },
      },
    );
    const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
    expect(files).toContain("dashboard/index.html");
    expect(files.some((f) => /^dashboard\/assets\/.+\.js$/.test(f))).toBe(true);
    expect(files).toContain("dist/index.js");
  });
});
