import { describe, expect, it } from "vitest";
import { testDialects } from "../../test-support/databases.js";
import { createHarness } from "../../test-support/harness.js";
import { up as migration0007 } from "./0007-webhook-secrets.js";
import { migrationContext } from "./context.js";

describe.each(await testDialects())("migration 0007 on %s", (dialect) => {
  it("turns old delivery errors into classes and drops credentials from endpoint URLs", async () => {
    const h = await createHarness(dialect);
    try {
      const projectId = (await h.project()).id;
      const hook = await h.api("POST", "/v1/webhooks", {
        url: "https://hooks.example.com/k",
        events: ["key.anomaly"],
        projectId,
      });
      await h.store.database
        .updateTable("webhooks")
        .set({ url: "https://user:s3cr3tpw@hooks.example.com/k?x=1" })
        .where("id", "=", hook.body.id)
        .execute();
      const errors = [
        "HTTP 401",
        "timed out after 10000 ms",
        "fetch failed: ECONNREFUSED",
        null,
        "http_status",
      ];
      for (const i of errors.keys()) {
        await h.keysmith.alerts.raise({
          type: "key.anomaly",
          projectId,
          keyId: null,
          data: {},
          idempotencyKey: `m:${i}`,
        });
      }
      const ids = (
        await h.store.database.selectFrom("webhook_deliveries").select("id").orderBy("id").execute()
      ).map((r) => r.id);
      for (const [i, id] of ids.entries()) {
        await h.store.database
          .updateTable("webhook_deliveries")
          .set({ error: errors[i] ?? null })
          .where("id", "=", id)
          .execute();
      }
      await migration0007(h.store.database as never, migrationContext(h.store.dialect));
      const after = await h.store.database
        .selectFrom("webhook_deliveries")
        .select("error")
        .orderBy("id")
        .execute();
      expect(after.map((r) => r.error)).toEqual([
        "http_status",
        "timeout",
        "connection_failed",
        null,
        "http_status",
      ]);
      const read = await h.api("GET", `/v1/webhooks/${hook.body.id}`);
      expect(read.body.url).toBe("https://hooks.example.com/k?x=1");
    } finally {
      await h.close();
    }
  });
});
