import type { Page } from "@keysmith/sdk";
import type { ApiClient, Query } from "./client.js";

export interface PagingFlags {
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** The API's largest page, used when `--all` walks every page and no `--limit` was given. */
const MAX_PAGE = 500;

/**
 * One page of a list, or with `--all` every page from the cursor on, merged into one
 * `{ data, nextCursor: null }`.
 */
export async function listPages<T>(
  client: ApiClient,
  path: string,
  query: Query,
  flags: PagingFlags,
): Promise<Page<T>> {
  const limit = flags.limit ?? (flags.all ? MAX_PAGE : undefined);
  let page = await client.get<Page<T>>(path, { ...query, limit, cursor: flags.cursor });
  if (!flags.all) return page;
  const data = [...page.data];
  while (page.nextCursor !== null) {
    page = await client.get<Page<T>>(path, { ...query, limit, cursor: page.nextCursor });
    data.push(...page.data);
  }
  return { data, nextCursor: null };
}

/** The line after a human list that says how to get the next page, if there is one. */
export function nextPageHint(command: string, page: Page<unknown>): string {
  return page.nextCursor === null ? "" : `\nmore: ${command} --cursor ${page.nextCursor} (or --all)\n`;
}
