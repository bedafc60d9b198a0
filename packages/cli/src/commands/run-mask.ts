import { Transform, type TransformCallback } from "node:stream";
import { StringDecoder } from "node:string_decoder";

/** Values shorter than this are not masked: `1` or `true` would blank out ordinary output. */
export const MIN_MASKED_LENGTH = 4;
export const MASK = "***";

/**
 * A stream that replaces every occurrence of a secret value with `***`. A value split across
 * chunks is still caught: text that could be the start of a value is held back until the next
 * chunk (or the end) shows whether it is one. Everything else passes through at once.
 *
 * @example child.stdout.pipe(maskingStream(["sk_live_…"])).pipe(process.stdout);
 */
export function maskingStream(values: readonly string[]): Transform {
  const secrets = [...new Set(values.filter((v) => v.length >= MIN_MASKED_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  const decoder = new StringDecoder("utf8");
  if (secrets.length === 0) {
    return new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        callback(null, chunk);
      },
    });
  }
  const pattern = new RegExp(secrets.map(escapeRegExp).join("|"), "g");
  let pending = "";
  const mask = (text: string): string => text.replace(pattern, MASK);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const text = mask(pending + decoder.write(chunk));
      const hold = heldBack(text, secrets);
      pending = text.slice(hold);
      callback(null, text.slice(0, hold));
    },
    flush(callback: TransformCallback) {
      callback(null, mask(pending + decoder.end()));
    },
  });
}

/** Where the longest tail of `text` that is a proper prefix of some secret begins (text.length: none). */
function heldBack(text: string, secrets: readonly string[]): number {
  let from = text.length;
  for (const secret of secrets) {
    const first = secret[0] as string;
    for (let start = Math.max(0, text.length - secret.length + 1); start < from; start++) {
      if (text[start] === first && secret.startsWith(text.slice(start))) {
        from = start;
        break;
      }
    }
  }
  return from;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
