import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { Context } from "../context.js";
import { json } from "../format.js";
import { CliError, EXIT, type Io } from "../io.js";
import { gitTopLevel } from "./scan.js";

interface InstallFlags {
  command?: string;
  baseline?: string;
  json?: boolean;
}

/**
 * `keysmith hook install|uninstall|status`: the pre-commit hook that runs `keysmith scan --staged`
 * and blocks a commit adding secrets.
 */
export function hookCommands(program: Command, { io, act }: Context): void {
  const hook = program
    .command("hook")
    .description("install or remove the git pre-commit hook that blocks commits adding secrets");

  hook
    .command("install")
    .description("write .git/hooks/pre-commit (an existing hook is kept and still runs first)")
    .option(
      "--command <command>",
      'the scan the hook runs (default: this keysmith, by absolute path; e.g. "npx --no-install keysmith scan --staged")',
    )
    .option(
      "--baseline <file>",
      "findings recorded in this baseline (relative to the repository) do not block",
    )
    .option("--json", "print { path, chained, updated, command }")
    .addHelpText(
      "after",
      `
By default the hook runs this very CLI by absolute path (node and keysmith's bin.js), so it works
from a clone of keysmith and from a global install without anything on PATH. After moving the
clone or changing Node version, run "keysmith hook install" again; in a project that has keysmith
as a devDependency, --command "npx --no-install keysmith scan --staged" follows its updates.`,
    )
    .action(
      act(async (flags: InstallFlags) => {
        const top = await repoTop(io);
        const { installHook } = await import("@keysmith/scanner");
        const command = hookCommand(flags);
        const result = await installHook(top, { command }).catch((error: unknown) => {
          throw new CliError(error instanceof Error ? error.message : String(error));
        });
        if (flags.json) {
          io.stdout(json({ ...result, command }));
          return EXIT.OK;
        }
        io.stdout(
          `${result.updated ? "Updated" : "Installed"} the keysmith pre-commit hook: ${result.path}\n` +
            (result.chained
              ? `The existing hook was kept as ${result.chained} and still runs first.\n`
              : "") +
            `Each commit now runs: ${command}\n` +
            "A commit that adds a secret is blocked with what was found (masked). Skip the check once with " +
            "git commit --no-verify; remove the hook with keysmith hook uninstall.\n",
        );
        return EXIT.OK;
      }),
    );

  hook
    .command("uninstall")
    .description("remove keysmith's pre-commit hook (and put back the hook it kept)")
    .option("--json", "print { removed, restored }")
    .action(
      act(async (flags: { json?: boolean }) => {
        const top = await repoTop(io);
        const { uninstallHook } = await import("@keysmith/scanner");
        const result = await uninstallHook(top);
        if (flags.json) io.stdout(json(result));
        else if (!result.removed)
          io.stdout("No keysmith pre-commit hook is installed here; nothing changed.\n");
        else if (result.restored) io.stdout(`Removed the keysmith hook and restored ${result.restored}.\n`);
        else io.stdout("Removed the keysmith pre-commit hook.\n");
        return EXIT.OK;
      }),
    );

  hook
    .command("status")
    .description("exit 0 when keysmith's pre-commit hook is installed, 1 when not")
    .option("--json", "print { installed, repository }")
    .action(
      act(async (flags: { json?: boolean }) => {
        const top = await repoTop(io);
        const { isHookInstalled } = await import("@keysmith/scanner");
        const installed = await isHookInstalled(top);
        io.stdout(
          flags.json
            ? json({ installed, repository: top })
            : installed
              ? `The keysmith pre-commit hook is installed in ${top}.\n`
              : `No keysmith pre-commit hook in ${top}: run keysmith hook install.\n`,
        );
        return installed ? EXIT.OK : EXIT.NEGATIVE;
      }),
    );
}

async function repoTop(io: Io): Promise<string> {
  const cwd = resolve(io.cwd ?? ".");
  const top = await gitTopLevel(cwd);
  if (top === null) throw new CliError(`${cwd} is not in a git repository: run this inside the repository`);
  return top;
}

/**
 * The command the hook runs: `--command`, else this CLI by absolute path — the Node running it
 * and the package's built bin (`dist/bin.js`, found through package.json, so the same answer
 * comes from the sources in tests).
 */
function hookCommand(flags: InstallFlags): string {
  const command = flags.command?.trim() || `${quote(process.execPath)} ${quote(binPath())} scan --staged`;
  return flags.baseline ? `${command} --baseline ${quote(flags.baseline)}` : command;
}

/** The absolute path of this package's `keysmith` bin. */
export function binPath(): string {
  // src/commands/hook.ts and dist/commands/hook.js are both two levels below the package.
  const packageJson = fileURLToPath(new URL("../../package.json", import.meta.url));
  const manifest = JSON.parse(readFileSync(packageJson, "utf8")) as { bin: { keysmith: string } };
  return join(dirname(packageJson), manifest.bin.keysmith);
}

/** A word for sh, in single quotes. */
function quote(text: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
