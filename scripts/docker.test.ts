/**
 * The Dockerfile and compose.yaml: compose validates the file itself when docker and its compose
 * plugin are on the machine (`docker compose config` needs no daemon); the checks that need no
 * docker hold them to keysmith's configuration, which they would otherwise drift from silently.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CONFIG_VARIABLES } from "@keysmith/server";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// Continued lines joined, as docker reads them.
const dockerfile = readFileSync(`${ROOT}Dockerfile`, "utf8").replace(/\\\n/g, " ");
const composeText = readFileSync(`${ROOT}compose.yaml`, "utf8");

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  healthcheck?: unknown;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };

/** Every setting keysmith reads: the server's variables, and the CLI's root-key file. */
const KNOWN = new Set([...Object.values(CONFIG_VARIABLES).map((v) => v.env), "KEYSMITH_ROOT_KEY_FILE"]);

async function composeAvailable(): Promise<boolean> {
  try {
    await promisify(execFile)("docker", ["compose", "version"]);
    return true;
  } catch {
    return false;
  }
}

const hasCompose = await composeAvailable();

describe("compose.yaml", () => {
  it.runIf(hasCompose)("is valid for docker compose", async () => {
    const { stdout, stderr } = await promisify(execFile)(
      "docker",
      ["compose", "-f", "compose.yaml", "config", "--quiet"],
      {
        cwd: ROOT,
      },
    );
    expect(stdout).toBe("");
    expect(stderr).toBe("");
  });

  it("runs two keysmith nodes on one Postgres and one Redis, the second after the first is healthy", () => {
    const nodes = Object.entries(compose.services).filter(([, s]) => s.build === ".");
    expect(nodes.map(([name]) => name)).toEqual(["keysmith-a", "keysmith-b"]);
    for (const [, node] of nodes) {
      expect(node.environment?.KEYSMITH_DATABASE_URL).toMatch(
        /^postgres:\/\/keysmith:.*@postgres:5432\/keysmith$/,
      );
      expect(node.environment?.KEYSMITH_REDIS_URL).toBe("redis://redis:6379");
      expect(node.depends_on?.postgres).toEqual({ condition: "service_healthy" });
      expect(node.depends_on?.redis).toEqual({ condition: "service_healthy" });
    }
    expect(compose.services["keysmith-b"]?.depends_on?.["keysmith-a"]).toEqual({
      condition: "service_healthy",
    });
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    expect(compose.services.redis?.image).toMatch(/^redis:/);
  });

  it("sets only variables keysmith reads", () => {
    const names = Object.values(compose.services).flatMap((s) =>
      Object.keys(s.environment ?? {}).filter((name) => name.startsWith("KEYSMITH_")),
    );
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !KNOWN.has(name))).toEqual([]);
  });
});

describe("Dockerfile", () => {
  const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)].map((m) => ({
    image: m[1],
    name: m[2],
  }));

  it("builds in stages on node:20-slim and runs as the image's non-root user", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-slim$/m);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile build argument
    expect(stages.every((stage) => stage.image === "${NODE_IMAGE}")).toBe(true);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(runtime).toMatch(/^USER node$/m);
    // Nothing after the USER line switches back to root.
    expect(runtime.slice(runtime.indexOf("\nUSER node")).match(/^USER /gm)).toHaveLength(1);
  });

  it("checks health on /healthz and keeps SQLite in the /data volume", () => {
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toContain("KEYSMITH_DATABASE_URL=/data/keysmith.db");
    const names = [...dockerfile.matchAll(/\b(KEYSMITH_[A-Z_]+)=/g)].map((m) => m[1] as string);
    expect(names).toContain("KEYSMITH_HOST");
    expect(names.filter((name) => !KNOWN.has(name))).toEqual([]);
  });

  it("copies every workspace manifest npm ci needs (the lockfile names them all)", () => {
    const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, "utf8")) as {
      packages: Record<string, { link?: boolean; resolved?: string }>;
    };
    const workspaces = Object.values(lock.packages)
      .filter((entry) => entry.link)
      .map((entry) => entry.resolved as string);
    expect(workspaces.length).toBeGreaterThan(0);
    for (const workspace of workspaces) {
      expect(dockerfile, workspace).toContain(`COPY ${workspace}/package.json ${workspace}/`);
    }
  });
});
