/**
 * The published packages as a user gets them: each workspace package is packed (`npm pack`,
 * prepack scripts included), the tarballs are installed into a temporary project with
 * `npm install --offline` from the local npm cache, and the installed packages are run: the
 * `keysmith` binary (--version, scan), the server started by the installed CLI from the installed
 * server package (dashboard at `/`), the SDK's verify against it, and TypeScript resolving every
 * export's types.
 *
 * Offline needs a lockfile: `npm install ./*.tgz` without one resolves every range against the
 * registry's package documents, which `npm install` from this repository's lockfile does not
 * leave in the cache (measured: ENOTCACHED for commander on a fresh clone's cache, and on this
 * machine's). So the temporary project gets a package-lock.json cut from this repository's: the
 * same entries (versions, integrity) for the packages the published ones depend on, laid out as
 * they are here. npm then takes every tarball from the cache by its integrity.
 *
 * better-sqlite3's install script compiles SQLite (a minute or more on 2 cores; its prebuilt
 * download is not reachable offline), so the project installs with --ignore-scripts and gets the
 * addon this repository's `npm install` built, for the same better-sqlite3 version and Node (the
 * test checks both). None of keysmith's own packages has an install script.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PUBLISHED = ["core", "scanner", "sdk", "server", "cli"] as const;

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface Manifest extends LockEntry {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  repository?: { type: string; url: string; directory: string };
  publishConfig?: Record<string, unknown>;
  devDependencies?: Record<string, string>;
}

const read = <T>(path: string): T => JSON.parse(readFileSync(path, "utf8")) as T;
const manifestOf = (name: string): Manifest => read(join(ROOT, "packages", name, "package.json"));

/** Settings a child npm keeps from its caller: where the cache and the registry are. */
const KEPT_NPM_SETTINGS = /^npm_config_(cache|registry|userconfig)$/i;

/**
 * The environment of a child npm: none of the settings an npm that started vitest passes down
 * (workspace, script and lifecycle ones), except the cache and registry it installed from.
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || KEPT_NPM_SETTINGS.test(k)),
    ),
    npm_config_loglevel: "error",
    npm_config_update_notifier: "false",
    ...extra,
  };
}

async function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The lock key a package named `name` resolves to from the package at lock key `from` (Node's lookup). */
function locate(packages: Record<string, LockEntry>, name: string, from: string): string {
  for (let dir = from; ; ) {
    const key = `${dir === "" ? "" : `${dir}/`}node_modules/${name}`;
    if (packages[key]) return key;
    if (dir === "") throw new Error(`${name} (needed by ${from || "the root"}) is not in package-lock.json`);
    const nested = dir.lastIndexOf("/node_modules/");
    dir = nested >= 0 ? dir.slice(0, nested) : "";
  }
}

/** What npm installs with a package: dependencies, optional ones, and peers not marked optional. */
function needs(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter(
    (name) => entry.peerDependenciesMeta?.[name]?.optional !== true,
  );
  return [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...peers,
  ];
}

/**
 * A package-lock.json for a project that depends on the tarballs: this repository's entries for
 * every package the published ones bring, at the same places (`packages/x/node_modules/…` moves
 * under `node_modules/@keysmith/x/`), and the tarballs themselves as `file:` entries.
 */
/** Where the registry keeps a package's tarball: `<registry>/@scope/name/-/name-1.2.3.tgz`. */
function tarballUrl(registry: string, name: string, version: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return `${registry.replace(/\/?$/, "/")}${name}/-/${base}-${version}.tgz`;
}

function consumerLock(
  tarballs: Map<string, { file: string; integrity: string }>,
  registry: string,
): {
  name: string;
  lockfileVersion: number;
  requires: boolean;
  packages: { "": { name: string; dependencies: Record<string, string> } } & Record<string, LockEntry>;
} {
  const lock = read<{ packages: Record<string, LockEntry> }>(join(ROOT, "package-lock.json"));
  const workspaceDir = new Map<string, string>(); // packages/cli → node_modules/@keysmith/cli
  for (const name of PUBLISHED) workspaceDir.set(`packages/${name}`, `node_modules/@keysmith/${name}`);
  const place = (key: string): string => {
    for (const [from, to] of workspaceDir) if (key.startsWith(`${from}/`)) return to + key.slice(from.length);
    return key;
  };
  const out: Record<string, LockEntry> = {};
  const visit = (from: string, entry: LockEntry): void => {
    for (const name of needs(entry)) {
      const key = locate(lock.packages, name, from);
      const found = lock.packages[key] as LockEntry;
      if (found.link) continue; // a workspace package: one of the tarballs, entered below
      const target = place(key);
      if (out[target]) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = found;
      // This repository's lockfile omits registry URLs (omit-lockfile-registry-resolved); with
      // one, npm takes the tarball from the cache without reading the package's document.
      out[target] = {
        ...kept,
        resolved: kept.resolved ?? tarballUrl(registry, name, kept.version as string),
      };
      visit(key, found);
    }
  };
  for (const name of PUBLISHED) {
    const manifest = manifestOf(name);
    const tarball = tarballs.get(name) as { file: string; integrity: string };
    out[`node_modules/@keysmith/${name}`] = {
      version: manifest.version,
      resolved: `file:../tarballs/${tarball.file}`,
      integrity: tarball.integrity,
      license: manifest.license,
      ...(manifest.bin ? { bin: manifest.bin } : {}),
      ...(manifest.dependencies ? { dependencies: manifest.dependencies } : {}),
      ...(manifest.peerDependencies ? { peerDependencies: manifest.peerDependencies } : {}),
      ...(manifest.peerDependenciesMeta ? { peerDependenciesMeta: manifest.peerDependenciesMeta } : {}),
      ...(manifest.engines ? { engines: manifest.engines } : {}),
    };
    visit(`packages/${name}`, manifest);
  }
  const dependencies = Object.fromEntries(
    PUBLISHED.map((name) => [`@keysmith/${name}`, `file:../tarballs/${tarballs.get(name)?.file}`]),
  );
  return {
    name: "keysmith-consumer",
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name: "keysmith-consumer", dependencies }, ...out },
  };
}

describe("the published packages", () => {
  it.each(PUBLISHED)("@keysmith/%s has the fields a publish needs", (name) => {
    const manifest = manifestOf(name);
    expect(manifest.private).toBeUndefined();
    expect(manifest.license).toBe("Apache-2.0");
    expect(manifest.engines).toEqual({ node: ">=20.19" });
    expect(manifest.publishConfig).toEqual({ access: "public", provenance: true });
    // Provenance checks that the repository named here is the one that built the package.
    expect(manifest.repository).toEqual({
      type: "git",
      url: expect.stringMatching(/^git\+https:\/\/github\.com\/[^/]+\/keysmith\.git$/),
      directory: `packages/${name}`,
    });
    expect(manifest.repository?.url).toBe(manifestOf("core").repository?.url);
    expect(manifest.files).toContain("dist");
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      if (typeof target === "string") continue;
      expect(Object.keys(target).filter((c) => c !== "source")[0], subpath).toBe("types");
    }
    // Between keysmith's packages: caret ranges on the current version, never `*` or a pin.
    const all = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.devDependencies };
    for (const [dependency, range] of Object.entries(all)) {
      if (dependency.startsWith("@keysmith/"))
        expect(range, dependency).toBe(`^${manifestOf("core").version}`);
    }
  });
});

describe("the packed packages installed offline into a new project", () => {
  let dir: string;
  let app: string;
  let bin: string;
  let server: ChildProcess | undefined;
  let url = "";
  let rootKey = "";
  const versions = new Map(PUBLISHED.map((name) => [name, manifestOf(name).version]));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keysmith-pack-"));
    const tarballDir = join(dir, "tarballs");
    app = join(dir, "app");
    mkdirSync(tarballDir);
    mkdirSync(app);
    const packed = await run(
      "npm",
      [
        "pack",
        "--json",
        "--pack-destination",
        tarballDir,
        ...PUBLISHED.flatMap((n) => ["-w", `@keysmith/${n}`]),
      ],
      { cwd: ROOT },
    );
    expect(packed.code, packed.stderr).toBe(0);
    const results = JSON.parse(packed.stdout) as { name: string; filename: string; integrity: string }[];
    const tarballs = new Map(
      results.map((r) => [r.name.replace("@keysmith/", ""), { file: r.filename, integrity: r.integrity }]),
    );
    const registry = (await run("npm", ["config", "get", "registry"], { cwd: ROOT })).stdout.trim();
    const lock = consumerLock(tarballs, registry);
    // The root's overrides (cookie 1 for light-my-request: see package.json) bind only the
    // project that declares them; an installer of @keysmith/server on Node 20 adds the same one
    // or sees cookie 2's engine warning. Without it npm would re-resolve cookie here.
    const { overrides } = read<{ overrides: unknown }>(join(ROOT, "package.json"));
    const manifest = {
      name: lock.name,
      private: true,
      type: "module",
      dependencies: lock.packages[""].dependencies,
      overrides,
    };
    writeFileSync(join(app, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(join(app, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
    const installed = await run(
      "npm",
      ["install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"],
      { cwd: app },
    );
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stderr).not.toMatch(/EBADENGINE|ERR!/);
    // The addon this repository's npm install compiled, for the same version and Node.
    const here = join(ROOT, "node_modules/better-sqlite3");
    const there = join(app, "node_modules/better-sqlite3");
    expect(read<Manifest>(join(there, "package.json")).version).toBe(
      read<Manifest>(join(here, "package.json")).version,
    );
    cpSync(join(here, "build/Release/better_sqlite3.node"), join(there, "build/Release/better_sqlite3.node"));
    bin = join(app, "node_modules/.bin/keysmith");
  }, 240_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs the packages from the tarballs, not from this repository", () => {
    for (const name of PUBLISHED) {
      const installedDir = join(app, "node_modules/@keysmith", name);
      // A copy unpacked from the tarball, not a link back to the workspace.
      expect(lstatSync(installedDir).isSymbolicLink(), name).toBe(false);
      expect(read<Manifest>(join(installedDir, "package.json")).version).toBe(versions.get(name));
      // The licence the manifest names travels with the code.
      expect(readFileSync(join(installedDir, "LICENSE"), "utf8"), name).toContain("Apache License");
    }
    // A tarball holds only what `files` names: no sources, no tests.
    expect(() => readFileSync(join(app, "node_modules/@keysmith/cli/src/bin.ts"))).toThrow();
    expect(() => readFileSync(join(app, "node_modules/@keysmith/server/dashboard/index.html"))).not.toThrow();
  });

  it("runs the installed keysmith --version", async () => {
    const result = await run(bin, ["--version"], { cwd: app, env: cleanEnv() });
    expect(result).toEqual({ code: 0, stdout: `${versions.get("cli")}\n`, stderr: "" });
  });

  it("runs the installed keysmith scan: exit 0 on a clean folder, 1 with a finding", async () => {
    const clean = join(dir, "clean");
    const leaky = join(dir, "leaky");
    mkdirSync(clean);
    mkdirSync(leaky);
    writeFileSync(join(clean, "index.js"), "export const answer = 42;\n");
    // One of the scanner's own true-positive fixtures (a GitHub token in a workflow file).
    cpSync(join(ROOT, "packages/scanner/fixtures/github-token/ng.yml"), join(leaky, "ci.yml"));
    const ok = await run(bin, ["scan", "--no-progress", "."], { cwd: clean, env: cleanEnv() });
    expect(ok.code, ok.stderr).toBe(0);
    const found = await run(bin, ["scan", "--no-progress", "--format", "json", "."], {
      cwd: leaky,
      env: cleanEnv(),
    });
    expect(found.code, found.stderr).toBe(1);
    expect(found.stdout).toContain("ci.yml");
    expect(found.stdout).toContain("github");
  });

  it("serves the dashboard at / from the installed server package, started by the installed CLI", async () => {
    const init = await run(bin, ["init", "--json", "--database-url", join(dir, "keysmith.db")], {
      cwd: app,
      env: cleanEnv(),
    });
    expect(init.code, init.stderr).toBe(0);
    rootKey = (JSON.parse(init.stdout) as { rootKey: string }).rootKey;
    const child = spawn(
      bin,
      ["serve", "--database-url", join(dir, "keysmith.db"), "--host", "127.0.0.1", "--port", "0"],
      { cwd: app, env: cleanEnv({ KEYSMITH_LOG_LEVEL: "warn" }), stdio: ["ignore", "pipe", "pipe"] },
    );
    server = child;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
        const match = /^keysmith \S+ listening on (http:\/\/\S+)$/.exec(line);
        if (match?.[1]) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script as string, `${url}/`));
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect((await asset.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it("verifies a key created through the API with the installed SDK", async () => {
    expect(url).not.toBe("");
    const api = async (path: string, body: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${rootKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(response.status, path).toBe(201);
      return (await response.json()) as Record<string, unknown>;
    };
    const project = await api("/v1/projects", { name: "Packed", prefix: "packed" });
    const issued = await api("/v1/keys", { projectId: project.id, scopes: ["weather:read"] });
    const script = join(app, "verify.mjs");
    writeFileSync(
      script,
      [
        'import { Keysmith } from "@keysmith/sdk";',
        "const [baseUrl, rootKey, key] = process.argv.slice(2);",
        "const client = new Keysmith({ baseUrl, rootKey });",
        'const answer = await client.verifyKey(key, { scopes: "weather:read" });',
        "console.log(JSON.stringify({ valid: answer.valid, code: answer.code, keyId: answer.keyId }));",
      ].join("\n"),
    );
    const result = await run(process.execPath, [script, url, rootKey, issued.key as string], {
      cwd: app,
      env: cleanEnv(),
    });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, code: "VALID", keyId: issued.id });
  });

  it("gives TypeScript the types of every export of every package", async () => {
    const imports = PUBLISHED.flatMap((name) =>
      Object.keys(manifestOf(name).exports ?? {})
        .filter((subpath) => subpath !== "./package.json")
        .map((subpath) => `@keysmith/${name}${subpath.slice(1)}`),
    );
    writeFileSync(
      join(app, "types.ts"),
      `${imports.map((specifier, i) => `import * as m${i} from "${specifier}";`).join("\n")}\n` +
        `export const all = [${imports.map((_, i) => `m${i}`).join(", ")}];\n` +
        'import { Keysmith } from "@keysmith/sdk";\n' +
        'export const client: Keysmith = new Keysmith({ baseUrl: "http://127.0.0.1:1", rootKey: "x" });\n',
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["types.ts"],
      }),
    );
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const result = await run(process.execPath, [tsc, "-p", relative(app, join(app, "tsconfig.json"))], {
      cwd: app,
    });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});
