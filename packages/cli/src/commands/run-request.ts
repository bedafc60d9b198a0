import type { IncomingMessage } from "node:http";
import { ApiError, NetworkError, type Query } from "../client.js";
import { CliError, type Io } from "../io.js";
import { resolveUrl } from "../settings.js";

/**
 * One GET for `keysmith run`, on node:http(s) rather than fetch: the first fetch of a process
 * loads undici, which costs more than the whole request, and `run` is on the start path of the
 * program it wraps. Errors are the client's: `ApiError` for an error answer, `NetworkError`
 * when the server cannot be reached.
 */
export async function getJson<T>(
  io: Io,
  flags: { url?: string | undefined },
  path: string,
  query: Query,
): Promise<T> {
  const base = resolveUrl(io, flags.url).value;
  let url: URL;
  try {
    url = new URL(base.replace(/\/+$/, "") + path);
  } catch {
    throw new CliError(`the server URL ${JSON.stringify(base)} is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new CliError(`the server URL must be http:// or https://, not ${url.protocol}`);
  }
  for (const [name, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(name, String(value));
  const rootKey = io.env.KEYSMITH_ROOT_KEY?.trim();
  if (!rootKey) {
    throw new CliError(
      "KEYSMITH_ROOT_KEY is not set; export the root key that `keysmith serve` or `keysmith init` printed",
    );
  }
  const { request } = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  const where = `GET ${url.origin}${url.pathname}`;
  const response = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      url,
      { headers: { accept: "application/json", authorization: `Bearer ${rootKey}` }, timeout: 30_000 },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", (error) => reject(new NetworkError(`${where} failed: ${error.message}`)));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out after 30s")));
    req.on("error", (error: NodeJS.ErrnoException) => {
      const reason =
        error.code && !error.message.includes(error.code)
          ? `${error.message} (${error.code})`
          : error.message;
      reject(
        new NetworkError(`cannot reach keysmith at ${where}: ${reason || error.code || "connection failed"}`),
      );
    });
    req.end();
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.text);
  } catch {
    parsed = undefined;
  }
  if (response.status < 200 || response.status > 299) {
    const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error ?? {};
    throw new ApiError(response.status, {
      ...(typeof error.code === "string" ? { code: error.code } : {}),
      message:
        typeof error.message === "string" ? error.message : `${where} answered HTTP ${response.status}`,
      ...(typeof error.requestId === "string" ? { requestId: error.requestId } : {}),
      ...(error.details === undefined ? {} : { details: error.details }),
    });
  }
  if (parsed === undefined) {
    throw new ApiError(response.status, {
      code: "INVALID_RESPONSE",
      message: `${where} did not answer JSON; is ${base} a keysmith server?`,
    });
  }
  return parsed as T;
}
