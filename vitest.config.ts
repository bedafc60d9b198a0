import { defineConfig } from "vitest/config";

const CLUSTER = "packages/server/src/cluster/**/*.test.ts";
const BROWSER = "packages/dashboard/e2e/**/*.test.ts";

export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "packages/*/src/**/*.test.ts",
            "scripts/**/*.test.ts",
            "bench/**/*.test.ts",
            "examples/*/**/*.test.ts",
            // README.md run as written (test/readme): the README is its input.
            "test/**/*.test.ts",
          ],
          exclude: ["**/node_modules/**", "**/dist/**", CLUSTER],
        },
      },
      {
        // Several keysmith processes measuring latency: run alone, after everything else, so
        // the other suites do not compete with them for the machine's cores.
        extends: true,
        test: { name: "cluster", include: [CLUSTER], sequence: { groupOrder: 1 } },
      },
      {
        // A real Chromium against a real server: alone, after the cluster group, with room to breathe.
        extends: true,
        test: { name: "browser", include: [BROWSER], testTimeout: 180_000, sequence: { groupOrder: 2 } },
      },
    ],
  },
});
