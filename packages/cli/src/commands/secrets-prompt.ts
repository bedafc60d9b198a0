/**
 * Terminal helpers for the secret commands, kept free of the API client so `bin.ts` can import
 * them cheaply: a prompt that does not echo, and reading all of a piped stdin.
 */

/**
 * Asks `question` on `output` and reads one line from the terminal `input` in raw mode, echoing
 * nothing. Backspace edits, Enter (or Ctrl-D) ends, Ctrl-C rejects.
 *
 * @example const value = await promptHidden(process.stdin, process.stderr, "value for STRIPE_KEY: ");
 */
export function promptHidden(
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
  question: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    output.write(question);
    let value = "";
    const wasRaw = input.isRaw;
    const finish = (error: Error | null): void => {
      input.off("data", onData);
      input.setRawMode?.(wasRaw);
      input.pause();
      output.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of String(chunk)) {
        if (char === "\r" || char === "\n" || char === "\u0004") {
          finish(null);
          return;
        }
        if (char === "\u0003") {
          finish(new Error("cancelled"));
          return;
        }
        if (char === "\u007f" || char === "\b") value = [...value].slice(0, -1).join("");
        else value += char;
      }
    };
    input.setRawMode?.(true);
    input.setEncoding("utf8");
    input.on("data", onData);
    input.resume();
  });
}

/** All of `input` as UTF-8 text, or null when it is a terminal (nothing was piped). */
export async function readAll(input: NodeJS.ReadStream): Promise<string | null> {
  if (input.isTTY) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}
