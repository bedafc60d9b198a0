import { type Kysely, sql } from "kysely";
import type { MigrationContext } from "./context.js";

/**
 * Webhook hardening, for rows written before it:
 *
 * - delivery errors become failure classes: the network error's text (`ECONNREFUSED`, `HTTP 401`)
 *   told whoever chose an endpoint URL which internal ports are open;
 * - credentials are dropped from endpoint URLs (`https://user:pass@host/` → `https://host/`):
 *   deliveries never sent them (fetch refuses such URLs), and a password kept in plaintext is
 *   a secret at rest.
 *
 * Signing secrets are sealed by the first start instead (webhooks/secret-key.ts): a migration
 * runs without the master key or the local key file.
 */
export async function up(db: Kysely<unknown>, _context: MigrationContext): Promise<void> {
  await sql`update webhook_deliveries set error = 'http_status' where error like 'HTTP %'`.execute(db);
  await sql`update webhook_deliveries set error = 'timeout' where error like 'timed out%'`.execute(db);
  await sql`update webhook_deliveries set error = 'connection_failed'
    where error is not null and error not in
      ('timeout', 'connection_failed', 'http_status', 'response_too_large', 'address_refused', 'secret_unavailable')`.execute(
    db,
  );
  const { rows } = await sql<{
    id: string;
    url: string;
  }>`select id, url from webhooks where url like ${"%@%"}`.execute(db);
  for (const row of rows) {
    let url: URL;
    try {
      url = new URL(row.url);
    } catch {
      continue;
    }
    if (url.username === "" && url.password === "") continue;
    url.username = "";
    url.password = "";
    await sql`update webhooks set url = ${url.href} where id = ${row.id}`.execute(db);
  }
}
