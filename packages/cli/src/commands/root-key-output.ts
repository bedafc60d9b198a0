import type { Io } from "../io.js";
import { oneLine } from "./server-config.js";

/** The variable that names the file `serve` and `init` write the first root key to. */
export const ROOT_KEY_FILE_VARIABLE = "KEYSMITH_ROOT_KEY_FILE";

export const ROOT_KEY_FILE_HELP = `write the first root key to this file (created 0600, never overwritten) instead of the terminal (env ${ROOT_KEY_FILE_VARIABLE})`;

/** `--root-key-file`, else `KEYSMITH_ROOT_KEY_FILE`, else none; an empty value counts as none. */
export function rootKeyFile(io: Io, flag: string | undefined): string | null {
  return flag || io.env[ROOT_KEY_FILE_VARIABLE] || null;
}

/**
 * Writes the first root key to `path`, created with mode 0600 and never over an existing file
 * (it may hold the only copy of another database's key). Returns null when written, else why not.
 */
export async function writeRootKeyFile(path: string, rootKey: string): Promise<string | null> {
  const { open } = await import("node:fs/promises");
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "wx", 0o600);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === "EEXIST" ? `${path} exists and is never overwritten` : oneLine(error);
  }
  try {
    // The umask may have narrowed the mode further; it can never have widened it, but say 0600.
    await handle.chmod(0o600);
    await handle.writeFile(`${rootKey}\n`, "utf8");
  } finally {
    await handle.close();
  }
  return null;
}

/**
 * Hands the first root key over once: to the file asked for, or to the terminal on stderr (apart
 * from the log stream on stdout). A file that cannot be written does not lose the key: it goes
 * to stderr then, after a line that says why.
 */
export async function deliverRootKey(
  io: Io,
  rootKey: string,
  file: string | null,
  banner: (rootKey: string) => string,
): Promise<void> {
  if (file !== null) {
    const failure = await writeRootKeyFile(file, rootKey);
    if (failure === null) {
      io.stderr(`keysmith wrote the first root key to ${file} (mode 0600); it is shown nowhere else.\n`);
      return;
    }
    io.stderr(`keysmith: could not write the first root key to ${file}: ${failure}\n`);
  }
  io.stderr(banner(rootKey));
}
