import type { Page } from "../types.js";

/** Per-call options every method takes last. */
export interface RequestOptions {
  /** Cancels the call (the client's `timeoutMs` still applies). */
  signal?: AbortSignal | undefined;
}

/** A path segment from an id, escaped so no id can change the route. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}

/**
 * Every item of a cursor-paginated list, one page at a time: the next page is fetched only
 * when the items of the previous one have been consumed.
 *
 * @example for await (const key of paginate((cursor) => client.keys.list({ cursor }))) …
 */
export async function* paginate<T>(
  page: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const current = await page(cursor);
    yield* current.data;
    cursor = current.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
