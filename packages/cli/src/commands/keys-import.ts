import { createReadStream } from "node:fs";
import { isAbsolute, join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { Command } from "commander";
import { type ClientFlags, type Context, clientCommand, clientFor, print } from "../context.js";
import { CliError, EXIT, type Io } from "../io.js";

interface ImportFlags extends ClientFlags {
  project: string;
  format?: "jsonl" | "csv";
}

/** The API takes at most this many keys a call. */
const BATCH = 1000;
const LIST_FIELDS = new Set(["scopes"]);

/**
 * `keysmith keys import FILE`: JSON lines or CSV (a header row naming the fields), sent 1000
 * rows a call, each call all or none and idempotent, so a run stopped halfway can be repeated.
 */
export function keysImportCommand(keys: Command, { io, act }: Context): void {
  clientCommand(
    keys
      .command("import")
      .description("import keys by the SHA-256 of their plaintext from JSON lines or CSV (- for stdin)")
      .argument(
        "<file>",
        "rows of { hash, type, environment, start?, ownerId?, scopes?, name?, meta?, expiresAt? }",
      )
      .requiredOption("--project <id>", "the project the keys join (proj_…)")
      .option("--format <format>", "jsonl or csv (default: by the file's extension, else jsonl)")
      .addHelpText(
        "after",
        [
          "",
          "hash is the hex SHA-256 of the key's plaintext; keysmith never needs the plaintext.",
          "CSV: a header row; scopes separated by spaces or |; meta as JSON. Importing a row twice changes nothing.",
          "Examples:",
          "  keysmith keys import legacy-keys.jsonl --project proj_…",
          "  psql -Atc \"select json_build_object('hash', hash, 'type', 'secret', 'environment', 'live') from api_keys\" \\",
          "    | keysmith keys import - --project proj_… --json",
        ].join("\n"),
      ),
  ).action(
    act(async (file: string, flags: ImportFlags) => {
      const format = flags.format ?? (file.toLowerCase().endsWith(".csv") ? "csv" : "jsonl");
      if (format !== "jsonl" && format !== "csv")
        throw new CliError(`--format must be jsonl or csv (got "${format}")`);
      const client = clientFor(io, flags);
      const source = await openInput(io, file);
      const rows = format === "csv" ? csvRows(source) : jsonLines(source);
      const ids: string[] = [];
      let imported = 0;
      let batch: Record<string, unknown>[] = [];
      const send = async () => {
        const answer = await client.post<{ imported: number; ids: string[] }>("/v1/keys/import", {
          projectId: flags.project,
          keys: batch,
        });
        imported += answer.imported;
        ids.push(...answer.ids);
        batch = [];
        // Progress goes to stderr, so --json output stays one document.
        if (io.stderrIsTTY) io.stderr(`\rimported ${imported} of ${ids.length} rows read`);
      };
      for await (const row of rows) {
        batch.push(row);
        if (batch.length === BATCH) await send().catch((e: unknown) => rethrowAt(e, ids.length));
      }
      if (batch.length) await send().catch((e: unknown) => rethrowAt(e, ids.length));
      if (io.stderrIsTTY && ids.length) io.stderr("\n");
      if (ids.length === 0) throw new CliError(`${file} holds no rows`);
      const summary = { imported, rows: ids.length, ids };
      print(
        io,
        flags,
        summary,
        () => `Imported ${imported} new keys from ${ids.length} rows (the rest were there already).\n`,
      );
      return EXIT.OK;
    }),
  );
}

/** An API error in a batch: say which rows the failing call held; earlier batches are in. */
function rethrowAt(error: unknown, done: number): never {
  if (error instanceof Error && done > 0) {
    error.message = `${error.message} (in the batch after row ${done}; the ${done} rows before it were imported)`;
  }
  throw error;
}

async function openInput(io: Io, file: string): Promise<NodeJS.ReadableStream> {
  if (file === "-") {
    const text = io.readAllStdin ? await io.readAllStdin() : await io.stdin();
    if (text === null) throw new CliError("nothing on stdin: pipe the rows in, or name a file");
    return Readable.from([text]);
  }
  const path = isAbsolute(file) || !io.cwd ? file : join(io.cwd, file);
  const stream = createReadStream(path);
  await new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new CliError(e.code === "ENOENT" ? `no such file: ${file}` : `cannot read ${file}: ${e.message}`),
      ),
    );
  });
  return stream;
}

async function* jsonLines(source: NodeJS.ReadableStream): AsyncGenerator<Record<string, unknown>> {
  let line = 0;
  for await (const text of createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY })) {
    line += 1;
    if (text.trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      throw new CliError(`line ${line} is not JSON`);
    }
    if (row === null || typeof row !== "object" || Array.isArray(row))
      throw new CliError(`line ${line} is not a JSON object`);
    yield row as Record<string, unknown>;
  }
}

async function* csvRows(source: NodeJS.ReadableStream): AsyncGenerator<Record<string, unknown>> {
  // Loaded here, not at start: every other command runs without it.
  const { parse } = await import("csv-parse");
  const parser = source.pipe(parse({ columns: true, skip_empty_lines: true, trim: true, bom: true }));
  let line = 1;
  for await (const record of parser as AsyncIterable<Record<string, string>>) {
    line += 1;
    const row: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(record)) {
      if (value === "") continue;
      if (LIST_FIELDS.has(field)) row[field] = value.split(/[\s|]+/).filter(Boolean);
      else if (field === "meta") {
        try {
          row.meta = JSON.parse(value);
        } catch {
          throw new CliError(`CSV row ${line - 1}: meta is not JSON`);
        }
      } else row[field] = value;
    }
    yield row;
  }
}
