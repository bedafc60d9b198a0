import type { Alert, CreatedWebhook, Delivery, Page, Webhook } from "@keysmith/sdk";
import { describe, expect, it } from "vitest";
import { ALERT_EVENTS } from "../alert-events.js";
import { expectUsageErrors, jsonOf, useProjectServer } from "../test-support/cli.js";

// Nothing listens on port 9 here: deliveries fail fast and stay in the log.
const ENDPOINT = "http://127.0.0.1:9/hooks/keysmith";

const server = useProjectServer();

async function createWebhook(...extra: string[]): Promise<CreatedWebhook> {
  return jsonOf<CreatedWebhook>(
    await server.cli(["webhooks", "create", "--url", ENDPOINT, "--json", ...extra]),
  );
}

describe("keysmith webhooks", () => {
  it("creates an endpoint and prints its signing secret once, with a store-it-now note", async () => {
    const result = await server.cli([
      "webhooks",
      "create",
      "--url",
      ENDPOINT,
      "--events",
      "budget.threshold, budget.exhausted",
      "--project",
      server.projectId,
      "--description",
      "billing alerts",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Created webhook whk_[0-9A-Za-z]{22}; its signing secret:\n\n {2}whsec_\S+\n/,
    );
    expect(result.stdout.match(/whsec_/g)).toHaveLength(1);
    expect(result.stdout).toContain("Store it now");
    expect(result.stdout).toMatch(/^events:\s+budget.threshold,budget.exhausted$/m);
    expect(result.stdout).toMatch(new RegExp(`^project:\\s+${server.projectId}$`, "m"));
    expect(result.stdout).toMatch(/^description:\s+billing alerts$/m);

    const json = await createWebhook("--events", "key.revoked");
    expect(json).toMatchObject({ url: ENDPOINT, events: ["key.revoked"], projectId: null, deletedAt: null });
    expect(json.secret).toMatch(/^whsec_/);

    // Shown once: reading it back never carries the secret.
    const got = await server.cli(["webhooks", "get", json.id]);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^project:\s+every project$/m);
    expect(got.stdout).not.toContain("whsec_");
    const gotJson = await server.cli(["webhooks", "get", json.id, "--json"]);
    expect(JSON.parse(gotJson.stdout)).not.toHaveProperty("secret");
  });

  it("lists endpoints, deletes one, and the list no longer shows it", async () => {
    const kept = await createWebhook("--events", "key.rolled", "--project", server.projectId);
    const gone = await createWebhook("--events", "key.expiring");

    const table = await server.cli(["webhooks", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+URL\s+EVENTS\s+PROJECT\s+CREATED$/);
    expect(table.stdout).toContain(kept.id);
    expect(table.stdout).toContain(gone.id);
    expect(table.stdout).not.toContain("whsec_");

    const scoped = await server.cli(["webhooks", "list", "--project", server.projectId, "--json"]);
    const scopedIds = (JSON.parse(scoped.stdout) as Page<Webhook>).data.map((w) => w.id);
    expect(scopedIds).toContain(kept.id);
    expect(scopedIds).not.toContain(gone.id);

    const deleted = await server.cli(["webhooks", "delete", gone.id]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toBe(
      `Deleted webhook ${gone.id} (${ENDPOINT}); its pending deliveries are cancelled.\n`,
    );

    const all = await server.cli(["webhooks", "list", "--limit", "1", "--all", "--json"]);
    const page = JSON.parse(all.stdout) as Page<Webhook>;
    expect(page.nextCursor).toBeNull();
    expect(page.data.map((w) => w.id)).toContain(kept.id);
    expect(page.data.map((w) => w.id)).not.toContain(gone.id);

    const again = await server.cli(["webhooks", "delete", gone.id]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^keysmith: [^\n]+ \(WEBHOOK_NOT_FOUND, request req_[0-9A-Za-z]+\)\n$/);
  });

  it("shows an endpoint's delivery log, filtered by status", async () => {
    const hook = await createWebhook("--events", "key.revoked", "--project", server.projectId);
    const empty = await server.cli(["webhooks", "deliveries", hook.id]);
    expect(empty.stdout).toBe("No deliveries match.\n");

    const issued = await server.createKey();
    expect((await server.cli(["keys", "revoke", issued.id])).code).toBe(0);
    await server.running.keysmith.alerts.drain();

    const json = await server.cli(["webhooks", "deliveries", hook.id, "--json"]);
    expect(json.code).toBe(0);
    const deliveries = JSON.parse(json.stdout) as Page<Delivery>;
    expect(deliveries.data).toHaveLength(1);
    expect(deliveries.data[0]?.eventType).toBe("key.revoked");

    const table = await server.cli(["webhooks", "deliveries", hook.id]);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+ALERT\s+EVENT\s+STATUS\s+ATTEMPTS\s+HTTP/);
    expect(table.stdout).toContain(deliveries.data[0]?.alertId ?? "?");

    const delivered = await server.cli(["webhooks", "deliveries", hook.id, "--status", "delivered"]);
    expect(delivered.stdout).toBe("No deliveries match.\n");
  });

  it("takes the server as --server-url on create, where --url names the endpoint", async () => {
    const result = await server.cli(
      ["webhooks", "create", "--url", ENDPOINT, "--events", "key.leaked", "--server-url", server.running.url],
      { env: { KEYSMITH_URL: "http://127.0.0.1:1" } },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("answers bad flags with a one-line usage error and exit 2", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["webhooks", "create", "--url", ENDPOINT, "--events", "bogus"],
        /unknown event "bogus"; expected some of/,
      ],
      [["webhooks", "create", "--url", ENDPOINT, "--events", ","], /no event given/],
      [["webhooks", "create", "--events", "key.revoked"], /required option '--url <url>' not specified/],
      [["webhooks", "deliveries", "whk_x", "--status", "lost"], /Allowed choices are pending, delivered/],
      [["alerts", "list", "--type", "key.lost"], /Allowed choices are budget.threshold/],
      [["alerts", "list", "--limit", "0"], /option '--limit <n>' argument '0' is invalid/],
    ];
    await expectUsageErrors(cases, (argv) => server.cli(argv));
    const badUrl = await server.cli(["webhooks", "create", "--url", "ftp://x", "--events", "key.revoked"]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/\(VALIDATION_ERROR, request req_[0-9A-Za-z]+\)\n$/);
  });

  it("knows exactly the alert types the server does", async () => {
    const response = await fetch(`${server.running.url}/openapi.json`);
    const spec = (await response.json()) as {
      paths: Record<
        string,
        { get: { parameters: { name: string; schema: { anyOf: { enum: string[] }[] } }[] } }
      >;
    };
    const type = spec.paths["/v1/alerts"]?.get.parameters.find((p) => p.name === "type");
    const serverTypes = type?.schema.anyOf.flatMap((s) => s.enum) ?? [];
    expect(serverTypes.sort()).toEqual([...ALERT_EVENTS].sort());
  });
});

describe("keysmith alerts", () => {
  it("lists the budget alerts of a key verified past its budget", async () => {
    const issued = await server.createKey("--budget", "2", "--thresholds", "0.5,1");
    for (const expected of [0, 0, 1]) {
      const result = await server.cli(["keys", "verify"], { stdin: issued.key });
      expect(result.code).toBe(expected);
    }
    // The app raises alerts off the verify path; wait for them rather than for time.
    await server.running.keysmith.alerts.drain();

    const json = await server.cli([
      "alerts",
      "list",
      "--type",
      "budget.threshold",
      "--key",
      issued.id,
      "--json",
    ]);
    expect(json.code).toBe(0);
    const alerts = JSON.parse(json.stdout) as Page<Alert>;
    expect(alerts.data.map((a) => a.data.threshold).sort()).toEqual([0.5, 1]);
    expect(alerts.data.every((a) => a.keyId === issued.id && a.projectId === server.projectId)).toBe(true);

    const table = await server.cli(["alerts", "list", "--type", "budget.threshold", "--key", issued.id]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+KEY\s+PROJECT\s+CREATED\s+DETAILS$/);
    expect(lines).toHaveLength(3);
    expect(table.stdout).toMatch(/budget\.threshold .*threshold=0\.5 spent=1 limit=2/);

    const exhausted = await server.cli([
      "alerts",
      "list",
      "--type",
      "budget.exhausted",
      "--project",
      server.projectId,
    ]);
    expect(exhausted.stdout).toContain(issued.id);

    const paged = await server.cli(["alerts", "list", "--key", issued.id, "--limit", "1", "--all", "--json"]);
    const everything = JSON.parse(paged.stdout) as Page<Alert>;
    expect(everything.data.map((a) => a.type).sort()).toEqual([
      "budget.exhausted",
      "budget.threshold",
      "budget.threshold",
    ]);

    const first = await server.cli(["alerts", "list", "--key", issued.id, "--limit", "1"]);
    expect(first.stdout).toMatch(/\nmore: keysmith alerts list --cursor \S+ \(or --all\)\n$/);

    const none = await server.cli(["alerts", "list", "--type", "key.anomaly"]);
    expect(none.stdout).toBe("No alerts match.\n");
  });
});
