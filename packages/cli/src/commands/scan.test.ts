import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { cli, useTempDir } from "../test-support/cli.js";
import { commitFile, fakeKey, gitIn, initRepo, write } from "../test-support/git.js";
import { binPath } from "./hook.js";

const dir = useTempDir();

const scan = (args: string[], options: { stdin?: string } = {}) =>
  cli(["scan", ...args], { cwd: dir.path, ...options });

interface SarifLog {
  version: string;
  $schema: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; properties?: Record<string, unknown> }[] } };
    results: {
      ruleId: string;
      level: string;
      message: { text: string };
      locations: {
        physicalLocation: {
          artifactLocation: { uri: string };
          region: { startLine: number; startColumn: number };
        };
      }[];
      partialFingerprints: Record<string, string>;
    }[];
  }[];
}

describe("keysmith scan [paths]", () => {
  it("exits 1 on a key and prints it masked, with how to suppress it", async () => {
    const key = fakeKey();
    write(dir.path, "src/config.ts", `export const config = {\n  key: "${key}",\n};\n`);
    write(dir.path, "src/clean.ts", "export const key = process.env.KEYSMITH_KEY;\n");

    const result = await scan([]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("src/config.ts");
    expect(result.stdout).toMatch(
      /2:9\s+error\s+keysmith secret key\s+acme_sk_live_\w{4}…\w{2}\s+keysmith-secret-key/,
    );
    expect(result.stdout).toContain("1 secret found");
    expect(result.stdout).not.toContain(key);
    expect(result.stdout).not.toContain(key.slice(-20));
    expect(result.stderr).toContain(".keysmithignore");
    expect(result.stderr).not.toContain(key.slice(-20));

    const revealed = await scan(["src", "--reveal"]);
    expect(revealed.code).toBe(1);
    expect(revealed.stdout).toContain(key);
  });

  it("exits 0 on a clean tree", async () => {
    write(dir.path, "index.ts", 'export const url = "https://example.com";\n');
    const result = await scan(["."]);
    expect(result).toEqual({ code: 0, stdout: "No secrets found (1 file scanned).\n", stderr: "" });
  });

  it("prints JSON without the raw secret", async () => {
    const key = fakeKey();
    write(dir.path, "app.py", `API_KEY = "${key}"\n`);
    const result = await scan([".", "--format", "json"]);
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.summary).toMatchObject({ findings: 1, error: 1 });
    expect(parsed.findings[0]).toMatchObject({ ruleId: "keysmith-secret-key", file: "app.py", line: 1 });
    expect(parsed.findings[0]).not.toHaveProperty("secret");
    expect(result.stdout).not.toContain(key);
    expect((await scan([".", "--json"])).stdout).toBe(result.stdout);
  });

  it("prints SARIF 2.1.0 that code scanning accepts", async () => {
    const key = fakeKey();
    write(dir.path, "deploy/env.sh", `#!/bin/sh\nexport KEY=${key}\n`);
    const result = await scan(["--format", "sarif"]);
    expect(result.code).toBe(1);
    const sarif = JSON.parse(result.stdout) as SarifLog;
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0\.json$/);
    expect(sarif.runs).toHaveLength(1);
    const [run] = sarif.runs;
    expect(run?.tool.driver.name).toBe("keysmith");
    expect(run?.tool.driver.rules.map((r) => r.id)).toContain("keysmith-secret-key");
    expect(run?.results).toHaveLength(1);
    const [finding] = run?.results ?? [];
    expect(finding).toMatchObject({ ruleId: "keysmith-secret-key", level: "error" });
    expect(finding?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: expect.objectContaining({ uri: "deploy/env.sh" }),
      region: expect.objectContaining({ startLine: 2, startColumn: 12 }),
    });
    expect(Object.keys(finding?.partialFingerprints ?? {})).not.toHaveLength(0);
    expect(result.stdout).not.toContain(key);
  });

  it("honours keysmith:allow, .keysmithignore, .gitignore and --no-gitignore", async () => {
    write(dir.path, "test/a.test.ts", `const key = "${fakeKey()}"; // keysmith:allow fake\n`);
    write(dir.path, ".keysmithignore", "fixtures/\n");
    write(dir.path, "fixtures/keys.txt", `${fakeKey()}\n`);
    write(dir.path, ".gitignore", "local/\n");
    write(dir.path, "local/notes.txt", `${fakeKey()}\n`);
    expect((await scan([])).code).toBe(0);
    const all = await scan(["--no-gitignore", "--format", "json"]);
    expect(all.code).toBe(1);
    expect(JSON.parse(all.stdout).findings.map((f: { file: string }) => f.file)).toEqual(["local/notes.txt"]);
  });

  it("lists publishable keys as info without failing", async () => {
    const pk = fakeKey("acme", "pk");
    write(dir.path, "web/index.html", `<script>init("${pk}")</script>\n`);
    const result = await scan([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("keysmith-publishable-key");
  });

  it("records a baseline of fingerprints and then reports only new secrets", async () => {
    const old = fakeKey();
    write(dir.path, "legacy.js", `const key = "${old}";\n`);
    const written = await scan(["--write-baseline", "baseline.json"]);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain("Recorded 1 finding in baseline.json");
    const baseline = readFileSync(join(dir.path, "baseline.json"), "utf8");
    expect(baseline).not.toContain(old);
    expect(JSON.parse(baseline).findings[0]).toMatchObject({
      ruleId: "keysmith-secret-key",
      path: "legacy.js",
    });

    expect((await scan(["--baseline", "baseline.json"])).code).toBe(0);
    write(dir.path, "new.js", `const key = "${fakeKey()}";\n`);
    const fresh = await scan(["--baseline", "baseline.json", "--format", "json"]);
    expect(fresh.code).toBe(1);
    expect(JSON.parse(fresh.stdout).findings.map((f: { file: string }) => f.file)).toEqual(["new.js"]);

    const missing = await scan(["--baseline", "nope.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^keysmith: cannot read the baseline: /);
  });

  it("skips files over --max-file-size", async () => {
    write(dir.path, "big.txt", `${"x".repeat(2000)}\n${fakeKey()}\n`);
    const result = await scan(["--max-file-size", "1000"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Skipped 1 file over the size limit");
    expect((await scan(["--max-file-size", "10000"])).code).toBe(1);
  });

  it("answers usage errors with exit 2", async () => {
    for (const [args, message] of [
      [["missing-dir"], /^keysmith: scan failed: no such file or directory: /],
      [["--staged", "src"], /^keysmith: --staged takes no paths$/],
      [["--since", "HEAD"], /^keysmith: --since goes with --history$/],
      [["--staged", "--history"], /cannot be used with option '--history'/],
      [["--staged"], /^keysmith: --staged scans a git repository: run it inside one$/],
      [["--format", "xml"], /Allowed choices are text, json, sarif/],
      [["--url", "http://127.0.0.1:1"], /^keysmith: --url goes with --report$/],
    ] as const) {
      const result = await scan([...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.trim()).toMatch(message);
    }
  });
});

describe("keysmith scan --stdin", () => {
  it("scans standard input, reported as stdin", async () => {
    const key = fakeKey();
    const found = await scan(["--stdin"], { stdin: `log line\nAuthorization: Bearer ${key}\n` });
    expect(found.code).toBe(1);
    expect(found.stdout).toContain("stdin");
    expect(found.stdout).toMatch(/2:\d+\s+error\s+keysmith secret key/);
    expect(found.stdout).not.toContain(key);
    expect((await scan(["--stdin"], { stdin: "nothing to see\n" })).code).toBe(0);
  });
});

describe("keysmith scan in a git repository", () => {
  beforeEach(() => {
    initRepo(dir.path);
    commitFile(dir.path, "README.md", "# app\n", "initial");
  });

  it("--staged scans only the lines added in the index", async () => {
    const staged = fakeKey();
    const unstaged = fakeKey();
    write(dir.path, "src/a.ts", `export const a = "${staged}";\n`);
    gitIn(dir.path, "add", "src/a.ts");
    write(dir.path, "src/b.ts", `export const b = "${unstaged}";\n`);

    const result = await scan(["--staged", "--format", "json"]);
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.stdout).findings;
    expect(findings.map((f: { file: string; line: number }) => [f.file, f.line])).toEqual([["src/a.ts", 1]]);

    gitIn(dir.path, "reset", "-q");
    expect((await scan(["--staged"])).code).toBe(0);
  });

  it("--history finds a key committed then removed, once, at the commit that added it", async () => {
    const key = fakeKey();
    const added = commitFile(dir.path, "src/config.ts", `export const key = "${key}";\n`, "add config");
    commitFile(dir.path, "src/config.ts", "export const key = process.env.KEY;\n", "read it from the env");
    commitFile(dir.path, "src/other.ts", `// moved: ${key}\n`, "copy it elsewhere");

    expect((await scan([])).code).toBe(1); // src/other.ts still has it
    gitIn(dir.path, "rm", "-q", "src/other.ts");
    gitIn(dir.path, "commit", "-q", "--no-verify", "-m", "remove the copy");
    expect((await scan([])).code).toBe(0);

    const history = await scan(["--history", "--format", "json"]);
    expect(history.code).toBe(1);
    const findings = JSON.parse(history.stdout).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      file: "src/config.ts",
      line: 1,
      commit: added,
      author: "Test Author <author@test.invalid>",
    });
    expect(history.stdout).not.toContain(key);

    const text = await scan(["--history"]);
    expect(text.stdout).toContain(`commit ${added.slice(0, 12)} by Test Author`);
    // After the commit that added it, only the copy in src/other.ts is new.
    const since = await scan(["--history", "--since", added, "--format", "json"]);
    expect(JSON.parse(since.stdout).findings.map((f: { file: string }) => f.file)).toEqual(["src/other.ts"]);
  });

  it("reports paths from the repository's top, whatever the directory it runs in", async () => {
    write(dir.path, "packages/api/src/key.ts", `export const key = "${fakeKey()}";\n`);
    const result = await cli(["scan", "src", "--format", "json"], { cwd: join(dir.path, "packages/api") });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings[0].file).toBe("packages/api/src/key.ts");
  });
});

describe("keysmith scan: configuration, --redact, time budget", () => {
  it("uses custom rules from .keysmith/scan.toml and the allowlist of a .gitleaks.toml", async () => {
    const token = `itk_${"Zq8r2LmX9vPb4NcT7wYk1HsD6fGj3QaE".split("").reverse().join("")}`;
    write(
      dir.path,
      ".keysmith/scan.toml",
      `[[rules]]\nid = "acme-internal"\nregex = '''itk_[A-Za-z0-9]{32}'''\nkeywords = ["itk_"]\nentropy = 3\n`,
    );
    write(
      dir.path,
      ".gitleaks.toml",
      `[extend]\nuseDefault = true\n[allowlist]\npaths = ['''^fixtures/''']\n`,
    );
    write(dir.path, "src/a.ts", `export const t = "${token}";\n`);
    write(dir.path, "fixtures/b.ts", `export const t = "${token}";\n`);
    const result = await scan(["--format", "json"]);
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.stdout).findings;
    expect(findings.map((f: { ruleId: string; file: string }) => `${f.ruleId} ${f.file}`)).toEqual([
      "acme-internal src/a.ts",
    ]);
  });

  it("refuses a configuration whose regex could backtrack, naming the rule (exit 2)", async () => {
    write(dir.path, ".keysmith/scan.toml", `[[rules]]\nid = "slow-one"\nregex = '''(\\w+\\s?)+='''\n`);
    write(dir.path, "a.txt", "hello\n");
    const result = await scan([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/rule "slow-one"/);
  });

  it("--redact shows no character of the secret in any format", async () => {
    const key = fakeKey();
    write(dir.path, "src/config.ts", `export const key = "${key}";\n`);
    for (const format of ["text", "json", "sarif"]) {
      const result = await scan(["--redact", "--no-progress", "--format", format]);
      expect(result.code, format).toBe(1);
      expect(result.stdout, format).toContain("[REDACTED]");
      expect(result.stdout, format).not.toContain(key.slice(0, 16));
      // The masked form would show the last characters; six are long enough never to appear by chance.
      expect(result.stdout, format).not.toContain(key.slice(-6));
    }
    expect((await scan(["--redact", "--reveal"])).code).toBe(2);
  });

  it("finishes a file of one keyword and a megabyte of its alphabet (issue #20)", async () => {
    write(
      dir.path,
      "big.txt",
      `AKIA${"A".repeat(1024 * 1024)}\naws_secret_access_key = ${"A".repeat(1024 * 1024)}\n`,
    );
    const result = await scan(["--no-progress"]);
    expect(result.code).toBe(0);
  });
});

describe("keysmith scan into a closed pipe", () => {
  const bin = binPath();
  it.skipIf(!existsSync(bin))(
    "ends quietly when the reader closed the pipe (scan --format json | head)",
    async () => {
      for (let i = 0; i < 200; i++) write(dir.path, `src/f${i}.ts`, `export const k${i} = "${fakeKey()}";\n`);
      const child = spawn(process.execPath, [bin, "scan", "--format", "json", "--no-progress"], {
        cwd: dir.path,
        stdio: ["ignore", "pipe", "pipe"],
      });
      // The reader goes away before (or while) the scanner writes: its writes fail with EPIPE.
      child.stdout.destroy();
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
      });
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(stderr).not.toMatch(/EPIPE|Error|at /);
      // 1: secrets were found (the exit code of a completed scan), not a crash.
      expect(code).toBe(1);
    },
  );
});
