import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { useHarness, useProject } from "../test-support/harness.js";
import { startReceiver } from "../webhooks/test-receiver.js";
import { checkRotationDue } from "./rotation.js";

const DAY = 86_400_000;

describe.each(await testDialects())("secret.rotation_due on %s", (dialect) => {
  const h = useHarness(dialect, { masterKey: randomBytes(32) });
  const project = useProject(h);

  const check = () => checkRotationDue({ vault: h.store.vault, alerts: h.keysmith.alerts }, h.clock.now());
  const set = (name: string, value: string, extra: Record<string, unknown> = {}) =>
    h.api("POST", `/v1/secrets/production/${name}?projectId=${project.id}`, { value, ...extra });
  const alerts = async (): Promise<{ data: Record<string, unknown> }[]> =>
    (await h.api("GET", `/v1/alerts?type=secret.rotation_due&projectId=${project.id}`)).body.data.reverse();

  it("fires once per due date, and again after the next rotation falls due", async () => {
    const created = await set("ROTATE_ME", "v1", { rotateEvery: "30d" });
    await set("NO_PERIOD", "v1");
    const firstDue = h.clock.now() + 30 * DAY;
    await check();
    expect(await alerts()).toEqual([]);

    h.clock.advance(30 * DAY);
    expect(await check()).toBe(1);
    expect(await check()).toBe(0);
    h.clock.advance(DAY);
    expect(await check()).toBe(0);
    const [first] = await alerts();
    expect(first).toMatchObject({
      projectId: project.id,
      keyId: null,
      data: {
        secretId: created.body.id,
        name: "ROTATE_ME",
        environment: "production",
        rotateEvery: "30d",
        dueAt: new Date(firstDue).toISOString(),
      },
    });
    expect(JSON.stringify(first)).not.toContain('"v1"');

    // A new version moves the due date; the next alert fires when that one passes.
    await set("ROTATE_ME", "v2");
    const secondDue = h.clock.now() + 30 * DAY;
    expect(await check()).toBe(0);
    h.clock.advance(30 * DAY);
    expect(await check()).toBe(1);
    expect((await alerts()).map((a) => a.data.dueAt)).toEqual([
      new Date(firstDue).toISOString(),
      new Date(secondDue).toISOString(),
    ]);
  });

  it("is quiet for deleted secrets", async () => {
    await set("DELETED_DUE", "v1", { rotateEvery: "1d" });
    await h.api("DELETE", `/v1/secrets/production/DELETED_DUE?projectId=${project.id}`);
    h.clock.advance(2 * DAY);
    await check();
    expect((await alerts()).map((a) => a.data.name)).not.toContain("DELETED_DUE");
  });

  it("runs from the dispatcher's pass and delivers the alert to a subscribed webhook", async () => {
    const receiver = await startReceiver(() => h.clock.now());
    try {
      const hook = await h.api("POST", "/v1/webhooks", {
        url: receiver.url,
        events: ["secret.rotation_due"],
        projectId: project.id,
      });
      receiver.secret = hook.body.secret;
      await set("DISPATCHED", "v1", { rotateEvery: "1h" });
      h.clock.advance(2 * 3_600_000);
      await h.keysmith.dispatcher.runOnce();
      expect(
        receiver.accepted().map((r) => [r.body.type, r.body.data.name, r.body.data.environment]),
      ).toEqual([["secret.rotation_due", "DISPATCHED", "production"]]);
      await h.api("DELETE", `/v1/webhooks/${hook.body.id}`);
    } finally {
      await receiver.close();
    }
  });
});
