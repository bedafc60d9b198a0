import { execFile } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Installing the CLI must not pull the server's weight: no database driver, native addon or
// HTTP server. serve, init, migrate and vault rotate-master import @keysmith/server on demand.
const FORBIDDEN = ["better-sqlite3", "pg", "ioredis", "fastify", "kysely"];

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
}

/** What npm installs with a package: its dependencies, optional ones, and required peers. */
function installed(manifest: Manifest): string[] {
  const requiredPeers = Object.keys(manifest.peerDependencies ?? {}).filter(
    (name) => manifest.peerDependenciesMeta?.[name]?.optional !== true,
  );
  return [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...requiredPeers,
  ];
}

/** Node's lookup: `node_modules/<name>` in `from` and each folder above it. */
function resolvePackage(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`${name} (needed from ${from}) is not installed`);
  }
}

/** Every package installing `dir`'s package brings, by name, with the chain that brings it. */
function closure(dir: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const walk = (packageDir: string, chain: string[]): void => {
    for (const name of installed(readManifest(packageDir))) {
      if (seen.has(name)) continue;
      seen.set(name, [...chain, name]);
      walk(resolvePackage(name, packageDir), [...chain, name]);
    }
  };
  walk(dir, [readManifest(dir).name]);
  return seen;
}

describe("the CLI package", () => {
  it("pulls no database driver, native addon or HTTP server when installed", () => {
    const packages = closure(PACKAGE_DIR);
    expect(packages.size).toBeGreaterThan(0);
    const found = FORBIDDEN.filter((name) => packages.has(name)).map((name) =>
      (packages.get(name) ?? []).join(" > "),
    );
    expect(found).toEqual([]);
  });

  it("names the server package as an optional peer, for the commands that run it", () => {
    const manifest = readManifest(PACKAGE_DIR);
    expect(manifest.dependencies?.["@keysmith/server"]).toBeUndefined();
    expect(manifest.peerDependencies?.["@keysmith/server"]).toBeDefined();
    expect(manifest.peerDependenciesMeta?.["@keysmith/server"]).toEqual({ optional: true });
  });

  it("the closure walk finds the server's drivers in the server package (the check can fail)", () => {
    const server = closure(resolvePackage("@keysmith/server", PACKAGE_DIR));
    expect(FORBIDDEN.filter((name) => server.has(name))).toEqual(FORBIDDEN);
  });
});

describe("the CLI installed without the server package", () => {
  // The built CLI copied beside its dependencies only (commander, core, scanner): what
  // `npm install @keysmith/cli` leaves on a machine.
  let root: string;
  let bin: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "keysmith-cli-alone-"));
    const cli = join(root, "node_modules", "@keysmith", "cli");
    mkdirSync(cli, { recursive: true });
    cpSync(join(PACKAGE_DIR, "dist"), join(cli, "dist"), { recursive: true });
    cpSync(join(PACKAGE_DIR, "package.json"), join(cli, "package.json"));
    for (const name of installed(readManifest(PACKAGE_DIR))) {
      const target = join(root, "node_modules", name);
      mkdirSync(dirname(target), { recursive: true });
      symlinkSync(resolvePackage(name, PACKAGE_DIR), target, "dir");
    }
    bin = join(cli, "dist", "bin.js");
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  async function keysmith(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { PATH, HOME } = process.env;
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], {
        cwd: root,
        env: { PATH, HOME },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it("answers --version and --help", async () => {
    const version = await keysmith(["--version"]);
    expect(version).toEqual({ code: 0, stdout: `${readManifest(PACKAGE_DIR).version}\n`, stderr: "" });
    const help = await keysmith(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("serve");
    expect(help.stdout).toContain("@keysmith/server");
  });

  it.each([["serve"], ["init"], ["migrate"], ["vault", "rotate-master"]])(
    "keysmith %s fails with exit 2 and names the package to install",
    async (...command) => {
      const result = await keysmith([...command, "--database-url", join(root, "keysmith.db")]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toBe(
        `keysmith: keysmith ${command.join(" ")} needs the keysmith server package, which is not installed: ` +
          "npm install @keysmith/server (next to the keysmith CLI), then run it again\n",
      );
      expect(existsSync(join(root, "keysmith.db"))).toBe(false);
    },
  );
});
