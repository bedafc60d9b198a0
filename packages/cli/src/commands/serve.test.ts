import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../run.js";
import { captureIo, cli, keysIn, useTempDir } from "../test-support/cli.js";

const dir = useTempDir();

/** Starts `keysmith serve` in-process; `stop()` plays the part of SIGTERM. */
function serve(databaseUrl: string, ...extra: string[]) {
  let signal!: () => void;
  const shutdown = new Promise<void>((resolve) => {
    signal = resolve;
  });
  const captured = captureIo({ waitForShutdown: () => shutdown });
  const exit = run(
    ["serve", "--database-url", databaseUrl, "--port", "0", "--log-level", "silent", ...extra],
    captured.io,
  );
  return {
    captured,
    exit,
    async stop(): Promise<number> {
      signal();
      return exit;
    },
  };
}

describe("keysmith serve", () => {
  it("prints the first root key once on stderr with a curl example, serves, and stops gracefully with exit 0", async () => {
    const databaseUrl = join(dir.path, "keysmith.db");
    const first = serve(databaseUrl);
    const output = await first.captured.waitForStdout(/listening on (http:\/\/\S+)\n/);
    const url = /listening on (http:\/\/\S+)\n/.exec(output)?.[1] ?? "";
    // stdout is the log stream: the key goes to the terminal on stderr.
    expect(keysIn(output)).toEqual([]);
    const banner = first.captured.stderr();
    const rootKeys = keysIn(banner);
    expect(rootKeys).toHaveLength(1);
    expect(rootKeys[0]).toMatch(/^ks_root_live_/);
    expect(banner).toContain("shown once — store it now");
    expect(banner).toContain(`curl -H "Authorization: Bearer $KEYSMITH_ROOT_KEY" ${url}/v1/projects`);

    const list = await cli(["projects", "list", "--json"], {
      env: { KEYSMITH_URL: url, KEYSMITH_ROOT_KEY: rootKeys[0] },
    });
    expect(list.code).toBe(0);

    expect(await first.stop()).toBe(0);
    expect(first.captured.stdout()).toContain("keysmith stopped\n");
    expect(keysIn(first.captured.stdout())).toEqual([]);
    expect(first.captured.stderr()).toBe(banner);

    const second = serve(databaseUrl);
    const again = await second.captured.waitForStdout(/listening on /);
    expect(keysIn(again)).toEqual([]);
    expect(again).not.toContain("root key");
    expect(await second.stop()).toBe(0);
    expect(second.captured.stderr()).toBe("");
  });

  it("writes the first root key to --root-key-file (0600) instead, and never overwrites it", async () => {
    const databaseUrl = join(dir.path, "keysmith.db");
    const file = join(dir.path, "root-key");
    const first = serve(databaseUrl, "--root-key-file", file);
    await first.captured.waitForStdout(/listening on /);
    expect(await first.stop()).toBe(0);
    const written = readFileSync(file, "utf8");
    expect(keysIn(written)).toHaveLength(1);
    expect(written).toMatch(/^ks_root_live_\S+\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keysIn(first.captured.stdout() + first.captured.stderr())).toEqual([]);
    expect(first.captured.stderr()).toBe(
      `keysmith wrote the first root key to ${file} (mode 0600); it is shown nowhere else.\n`,
    );

    // A later start creates no key: the file stays as it was.
    const second = serve(databaseUrl, "--root-key-file", file);
    await second.captured.waitForStdout(/listening on /);
    expect(await second.stop()).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(written);
    expect(second.captured.stderr()).toBe("");
  });

  it("prints the key on stderr rather than lose it when KEYSMITH_ROOT_KEY_FILE already exists", async () => {
    const file = join(dir.path, "taken");
    writeFileSync(file, "another database's key\n");
    let signal!: () => void;
    const shutdown = new Promise<void>((resolve) => {
      signal = resolve;
    });
    const captured = captureIo({ waitForShutdown: () => shutdown, env: { KEYSMITH_ROOT_KEY_FILE: file } });
    const exit = run(
      ["serve", "--database-url", join(dir.path, "keysmith.db"), "--port", "0", "--log-level", "silent"],
      captured.io,
    );
    await captured.waitForStdout(/listening on /);
    signal();
    expect(await exit).toBe(0);
    expect(readFileSync(file, "utf8")).toBe("another database's key\n");
    expect(captured.stderr()).toContain(
      `could not write the first root key to ${file}: ${file} exists and is never overwritten\n`,
    );
    expect(keysIn(captured.stderr())).toHaveLength(1);
    expect(keysIn(captured.stdout())).toEqual([]);
  });

  it("arms its shutdown hook before it says it is listening", async () => {
    // Whoever reads "listening" may signal at once; a hook armed later would miss that signal.
    let stdoutWhenArmed: string | undefined;
    const captured = captureIo({
      waitForShutdown: () => {
        stdoutWhenArmed = captured.stdout();
        return Promise.resolve();
      },
    });
    const databaseUrl = join(dir.path, "keysmith.db");
    const code = await run(
      ["serve", "--database-url", databaseUrl, "--port", "0", "--log-level", "silent"],
      captured.io,
    );
    expect(code).toBe(0);
    expect(stdoutWhenArmed).toBe("");
    expect(captured.stdout()).toMatch(/listening on [^\n]+\nkeysmith stopping[^\n]*\nkeysmith stopped\n$/);
  });

  it("prints one JSON line with --json", async () => {
    const server = serve(join(dir.path, "keysmith.db"), "--json");
    const line = await server.captured.waitForStdout(/\n/);
    const started = JSON.parse(line) as { url: string; rootKey: string | null };
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(started.rootKey).toMatch(/^ks_root_live_/);
    expect(await server.stop()).toBe(0);
  });

  it("names the file instead of the key in its JSON line with --root-key-file", async () => {
    const file = join(dir.path, "root-key");
    const server = serve(join(dir.path, "keysmith.db"), "--json", "--root-key-file", file);
    const line = await server.captured.waitForStdout(/\n/);
    expect(JSON.parse(line)).toEqual({
      url: expect.stringMatching(/^http:/),
      rootKey: null,
      rootKeyFile: file,
    });
    expect(await server.stop()).toBe(0);
    expect(keysIn(readFileSync(file, "utf8"))).toHaveLength(1);
    expect(keysIn(server.captured.stdout() + server.captured.stderr())).toEqual([]);
  });

  it("reports a database it cannot open as one line with exit 2", async () => {
    // A directory where the database file should be.
    const result = await cli(["serve", "--database-url", dir.path, "--port", "0", "--log-level", "silent"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^keysmith: could not start: [^\n]+\n$/);
  });
});

describe("the shipped systemd unit", () => {
  it("sends the first root key to a 0600 file in a 0700 state directory, not to the journal", () => {
    const unit = readFileSync(new URL("../../../../deploy/keysmith@.service", import.meta.url), "utf8");
    const file = /^Environment=KEYSMITH_ROOT_KEY_FILE=(\/var\/lib\/keysmith\/\S+)$/m.exec(unit)?.[1];
    expect(file).toBeDefined();
    expect(unit).toMatch(/^StateDirectory=keysmith$/m);
    expect(unit).toMatch(/^StateDirectoryMode=0700$/m);
    expect(unit).toMatch(/^ExecStart=\S+ packages\/cli\/dist\/bin\.js serve$/m);
  });
});
