import { describe, expect, it } from "vitest";
import { testDialects } from "../test-support/databases.js";
import { useHarness } from "../test-support/harness.js";
import { startReceiver } from "../webhooks/test-receiver.js";
import { checkExpiringKeys } from "./expiring-keys.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(await testDialects())("key.expiring on %s", (dialect) => {
  const h = useHarness(dialect);

  const check = () => checkExpiringKeys({ store: h.store, alerts: h.keysmith.alerts }, h.clock.now());
  const expiringIn = (ms: number) => new Date(h.clock.now() + ms).toISOString();
  const warnings = async (keyId: string): Promise<string[]> =>
    (await h.api("GET", `/v1/alerts?type=key.expiring&keyId=${keyId}`)).body.data
      .map((a: { data: { within: string } }) => a.data.within)
      .reverse();

  it("fires once per threshold: 7 days, then 1 day before expiry", async () => {
    const projectId = (await h.project()).id;
    const far = await h.key(projectId, { expiresAt: expiringIn(8 * DAY), ownerId: "cus_1", name: "far" });
    const week = await h.key(projectId, { expiresAt: expiringIn(3 * DAY) });
    const soon = await h.key(projectId, { expiresAt: expiringIn(12 * HOUR) });
    const never = await h.key(projectId);
    const revoked = await h.key(projectId, { expiresAt: expiringIn(2 * DAY) });
    await h.api("POST", `/v1/keys/${revoked.id}/revoke`);
    const rolled = await h.key(projectId);
    await h.api("POST", `/v1/keys/${rolled.id}/roll`, { gracePeriod: "1h" });

    await check();
    expect(await check()).toBe(0);
    expect(await warnings(far.id)).toEqual([]);
    expect(await warnings(week.id)).toEqual(["7d"]);
    // A key already within a day is warned once, for the day, not twice at once.
    expect(await warnings(soon.id)).toEqual(["1d"]);
    for (const quiet of [never, revoked, rolled]) expect(await warnings(quiet.id)).toEqual([]);

    h.clock.advance(1.5 * DAY);
    await check();
    expect(await warnings(far.id)).toEqual(["7d"]);
    expect(await warnings(week.id)).toEqual(["7d"]);

    h.clock.advance(DAY);
    await check();
    expect(await warnings(week.id)).toEqual(["7d", "1d"]);
    expect(await check()).toBe(0);

    const [alert] = (await h.api("GET", `/v1/alerts?type=key.expiring&keyId=${far.id}`)).body.data;
    expect(alert).toMatchObject({
      projectId,
      keyId: far.id,
      data: {
        keyId: far.id,
        ownerId: "cus_1",
        name: "far",
        expiresAt: far.expiresAt,
        within: "7d",
      },
    });
  });

  it("warns again when the expiry is moved, and never after it passed", async () => {
    const projectId = (await h.project()).id;
    const key = await h.key(projectId, { expiresAt: expiringIn(2 * DAY) });
    await check();
    await h.api("PATCH", `/v1/keys/${key.id}`, { expiresAt: expiringIn(5 * DAY) });
    await check();
    expect(await warnings(key.id)).toEqual(["7d", "7d"]);
    h.clock.advance(6 * DAY);
    await check();
    expect(await warnings(key.id)).toEqual(["7d", "7d"]);
  });

  it("runs from the dispatcher's pass and delivers the warning", async () => {
    const projectId = (await h.project()).id;
    const receiver = await startReceiver(() => h.clock.now());
    try {
      const created = await h.api("POST", "/v1/webhooks", {
        url: receiver.url,
        events: ["key.expiring"],
        projectId,
      });
      receiver.secret = created.body.secret;
      const key = await h.key(projectId, { expiresAt: expiringIn(10 * DAY) });
      h.clock.advance(4 * DAY);
      await h.keysmith.dispatcher.runOnce();
      expect(receiver.accepted().map((r) => [r.body.type, r.body.data.keyId, r.body.data.within])).toEqual([
        ["key.expiring", key.id, "7d"],
      ]);
      await h.api("DELETE", `/v1/webhooks/${created.body.id}`);
    } finally {
      await receiver.close();
    }
  });
});
