import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { git } from "./git.js";

/** Line that marks a pre-commit hook as keysmith's. */
export const HOOK_MARKER = "# keysmith-hook: v1";
/** Where an existing pre-commit hook is kept; keysmith's hook runs it first. */
export const PREVIOUS_HOOK = "pre-commit.keysmith-previous";
export const DEFAULT_HOOK_COMMAND = "npx --no-install keysmith scan --staged";

export interface InstallHookOptions {
  /** Shell command that scans the index and exits 1 on findings (default: `npx --no-install keysmith scan --staged`). */
  command?: string;
}

export interface HookInstallResult {
  /** The pre-commit hook written. */
  path: string;
  /** Where an existing hook was moved to (it still runs first), or null. */
  chained: string | null;
  /** True when a keysmith hook was already there and was rewritten. */
  updated: boolean;
}

/**
 * Writes `.git/hooks/pre-commit` (or the `core.hooksPath` directory's) running `command` on each
 * commit and blocking it when the command exits non-zero. An existing, foreign pre-commit hook is
 * moved to `pre-commit.keysmith-previous` and still runs first, so both keep working; running
 * install again only updates the command.
 *
 * @example await installHook(repoDir, { command: "keysmith scan --staged" })
 */
export async function installHook(
  repoDir: string,
  options: InstallHookOptions = {},
): Promise<HookInstallResult> {
  const dir = await hooksDir(repoDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "pre-commit");
  const previous = join(dir, PREVIOUS_HOOK);
  let chained: string | null = existsSync(previous) ? previous : null;
  let updated = false;
  if (existsSync(path)) {
    if (isKeysmithHook(path)) {
      updated = true;
    } else {
      if (existsSync(previous)) {
        throw new Error(
          `${path} is not keysmith's and ${previous} already exists: merge them by hand, then install again`,
        );
      }
      renameSync(path, previous);
      chained = previous;
    }
  }
  writeFileSync(path, hookScript(options.command ?? DEFAULT_HOOK_COMMAND));
  chmodSync(path, 0o755);
  return { path, chained, updated };
}

export interface HookUninstallResult {
  /** False when there was no keysmith hook to remove. */
  removed: boolean;
  /** The hook put back in place of keysmith's, or null. */
  restored: string | null;
}

/**
 * Removes keysmith's pre-commit hook and puts back the hook it had chained, if any. A pre-commit
 * hook that is not keysmith's is left alone.
 *
 * @example await uninstallHook(repoDir) // { removed: true, restored: null }
 */
export async function uninstallHook(repoDir: string): Promise<HookUninstallResult> {
  const dir = await hooksDir(repoDir);
  const path = join(dir, "pre-commit");
  const previous = join(dir, PREVIOUS_HOOK);
  if (!existsSync(path) || !isKeysmithHook(path)) return { removed: false, restored: null };
  rmSync(path);
  if (existsSync(previous)) {
    renameSync(previous, path);
    return { removed: true, restored: path };
  }
  return { removed: true, restored: null };
}

/** True when the repository's pre-commit hook is keysmith's. */
export async function isHookInstalled(repoDir: string): Promise<boolean> {
  const path = join(await hooksDir(repoDir), "pre-commit");
  return existsSync(path) && isKeysmithHook(path);
}

/** The hooks directory git uses for this repository (honours `core.hooksPath` and worktrees). */
export async function hooksDir(repoDir: string): Promise<string> {
  const dir = (await git(["rev-parse", "--git-path", "hooks"], repoDir)).trim();
  return isAbsolute(dir) ? dir : join(repoDir, dir);
}

function isKeysmithHook(path: string): boolean {
  try {
    return readFileSync(path, "utf8").includes(HOOK_MARKER);
  } catch {
    return false;
  }
}

/** The hook: run the chained hook, then the scan; explain a block. */
export function hookScript(command: string): string {
  return `#!/bin/sh
# keysmith pre-commit hook: blocks commits that add secrets.
# Installed by \`keysmith hook install\`; remove with \`keysmith hook uninstall\`.
${HOOK_MARKER}
hook_dir=$(dirname "$0")
if [ -x "$hook_dir/${PREVIOUS_HOOK}" ]; then
  "$hook_dir/${PREVIOUS_HOOK}" "$@" || exit $?
fi
${command}
status=$?
if [ "$status" -eq 1 ]; then
  echo "keysmith: commit blocked: the staged changes add the secrets listed above." >&2
  echo "  Remove them (and rotate any that were real), mark a false positive with a" >&2
  echo "  keysmith:allow comment on its line, or skip the check once: git commit --no-verify" >&2
  exit 1
elif [ "$status" -ne 0 ]; then
  echo "keysmith: the secret scan could not run (exit $status), so the commit was blocked." >&2
  echo "  Fix the error above, or skip the check once: git commit --no-verify" >&2
  exit "$status"
fi
exit 0
`;
}
