import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { envOf, findDirectoryConfig, projectOf, resolveSetting, resolveUrl } from "./settings.js";
import { captureIo, useTempDir } from "./test-support/cli.js";

const dir = useTempDir();

function write(path: string, text: string): string {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe("the directory config lookup", () => {
  it("finds keysmith.json upward from a nested directory, like .git", () => {
    const file = write(join(dir.path, "keysmith.json"), '{ "project": "proj_a", "env": "staging" }');
    const nested = join(dir.path, "a", "b", "c");
    mkdirSync(nested, { recursive: true });
    expect(findDirectoryConfig(nested)).toEqual({ file, values: { project: "proj_a", env: "staging" } });
  });

  it("reads .keysmith/config.toml", () => {
    const file = write(
      join(dir.path, ".keysmith", "config.toml"),
      '# linked\nurl = "https://keys.example.com"\nproject = "proj_t"\n',
    );
    expect(findDirectoryConfig(dir.path)).toEqual({
      file,
      values: { url: "https://keys.example.com", project: "proj_t" },
    });
  });

  it("takes the nearest file, whichever its format", () => {
    write(join(dir.path, "keysmith.json"), '{ "project": "proj_outer" }');
    const inner = write(join(dir.path, "app", ".keysmith", "config.toml"), 'project = "proj_inner"\n');
    const nested = join(dir.path, "app", "src");
    mkdirSync(nested, { recursive: true });
    expect(findDirectoryConfig(nested)).toEqual({ file: inner, values: { project: "proj_inner" } });
    expect(findDirectoryConfig(dir.path)?.values).toEqual({ project: "proj_outer" });
  });

  it("stops at the filesystem root with nothing found", () => {
    expect(findDirectoryConfig(dir.path)).toBeNull();
  });

  it("names the file it cannot read, and what is wrong with it", () => {
    const json = write(join(dir.path, "bad", "keysmith.json"), '{ "project": ');
    expect(() => findDirectoryConfig(join(dir.path, "bad"))).toThrow(
      new RegExp(`^${json.replace(/[.]/g, "\\.")} is not valid JSON: `),
    );
    const toml = write(join(dir.path, "badtoml", ".keysmith", "config.toml"), "project = \n");
    expect(() => findDirectoryConfig(join(dir.path, "badtoml"))).toThrow(
      new RegExp(`^${toml.replace(/[.]/g, "\\.")} is not valid TOML: `),
    );
    const unknown = write(join(dir.path, "typo", "keysmith.json"), '{ "projet": "proj_a" }');
    expect(() => findDirectoryConfig(join(dir.path, "typo"))).toThrow(
      `${unknown}: unknown setting "projet" (known: url, project, env)`,
    );
    const number = write(join(dir.path, "number", "keysmith.json"), '{ "env": 3 }');
    expect(() => findDirectoryConfig(join(dir.path, "number"))).toThrow(
      `${number}: "env" must be a non-empty string`,
    );
    const array = write(join(dir.path, "array", "keysmith.json"), "[]");
    expect(() => findDirectoryConfig(join(dir.path, "array"))).toThrow(
      `${array} must hold an object with url, project, env`,
    );
  });

  it("refuses a file holding a credential, by its name or its shape", () => {
    write(join(dir.path, "a", "keysmith.json"), '{ "rootKey": "x" }');
    expect(() => findDirectoryConfig(join(dir.path, "a"))).toThrow(/holds a credential \(rootKey\)/);
    write(join(dir.path, "b", "keysmith.json"), `{ "project": "ks_root_live_${"a".repeat(36)}" }`);
    expect(() => findDirectoryConfig(join(dir.path, "b"))).toThrow(/holds a credential \(project\)/);
  });

  it("refuses two config files in one directory rather than pick one", () => {
    write(join(dir.path, "keysmith.json"), "{}");
    write(join(dir.path, ".keysmith", "config.toml"), "");
    expect(() => findDirectoryConfig(dir.path)).toThrow(/both .*keysmith\.json and .*config\.toml exist/);
  });
});

describe("settings precedence", () => {
  it("takes the flag, then the variable, then the directory config, then the default", () => {
    const file = write(
      join(dir.path, "keysmith.json"),
      '{ "url": "http://file.example", "project": "proj_file", "env": "file-env" }',
    );
    const bare = captureIo({ cwd: dir.path }).io;
    expect(resolveUrl(bare, undefined)).toEqual({ value: "http://file.example", from: file });
    expect(projectOf(bare, {})).toBe("proj_file");
    expect(envOf(bare, {})).toBe("file-env");
    const withEnv = captureIo({
      cwd: dir.path,
      env: { KEYSMITH_URL: "http://env.example", KEYSMITH_PROJECT: "proj_env", KEYSMITH_ENV: "env-env" },
    }).io;
    expect(resolveUrl(withEnv, undefined)).toEqual({ value: "http://env.example", from: "KEYSMITH_URL" });
    expect(resolveSetting(withEnv, "project", undefined)).toEqual({
      value: "proj_env",
      from: "KEYSMITH_PROJECT",
    });
    expect(resolveSetting(withEnv, "env", "flag-env")).toEqual({ value: "flag-env", from: "--env" });
    const nothing = captureIo({ cwd: join(dir.path, "..") }).io;
    expect(resolveUrl(nothing, undefined)).toEqual({ value: "http://127.0.0.1:8787", from: "default" });
    expect(projectOf(nothing, {})).toBeUndefined();
    expect(() => envOf(nothing, {})).toThrow(
      "no environment: pass --env <environment>, set KEYSMITH_ENV, or run `keysmith link --env <environment>`",
    );
  });
});
