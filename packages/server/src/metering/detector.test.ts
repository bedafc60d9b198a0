import { describe, expect, it } from "vitest";
import type { AlertInput } from "./alert-sink.js";
import { Detector } from "./detector.js";
import { UsageRecorder } from "./usage.js";

const MINUTE = 60_000;

function setup(onAnomaly?: (keyId: string) => void) {
  const alerts: AlertInput[] = [];
  const detector = new Detector({
    alerts: {
      raise: async (a) => {
        alerts.push(a);
        return true;
      },
    },
    ...(onAnomaly ? { onAnomaly } : {}),
  });
  const recorder = new UsageRecorder({ addUsage: async () => {} }, detector);
  const hit = (minute: number, n: number, code: "VALID" | "RATE_LIMITED" = "VALID") => {
    for (let i = 0; i < n; i++) recorder.record("key_1", "proj_1", "cus_1", code, 0, minute * MINUTE + i);
  };
  return { alerts, hit };
}

describe("spike detection", () => {
  it("raises key.anomaly once when a minute reaches 10× the trailing mean and 100 calls", () => {
    const disabled: string[] = [];
    const { alerts, hit } = setup((k) => disabled.push(k));
    for (let m = 0; m < 20; m++) hit(m, 10); // a baseline of 10 a minute
    hit(20, 99);
    expect(alerts).toHaveLength(0);
    hit(20, 1); // 100 = 10 × 10
    expect(alerts.map((a) => a.type)).toEqual(["key.anomaly"]);
    expect(alerts[0]).toMatchObject({
      keyId: "key_1",
      projectId: "proj_1",
      idempotencyKey: `key.anomaly:key_1:${20 * MINUTE}`,
    });
    expect(disabled).toEqual(["key_1"]);
    hit(20, 500);
    hit(21, 300); // the episode goes on: no second alert
    expect(alerts).toHaveLength(1);
  });

  it("does not call a new key's first burst a spike", () => {
    const { alerts, hit } = setup();
    hit(0, 5000);
    expect(alerts).toHaveLength(0);
  });

  it("starts a new episode after traffic returns to normal", () => {
    const { alerts, hit } = setup();
    for (let m = 0; m < 20; m++) hit(m, 10);
    hit(20, 150);
    for (let m = 21; m < 25; m++) hit(m, 10);
    hit(25, 400);
    expect(alerts.filter((a) => a.type === "key.anomaly")).toHaveLength(2);
  });
});

describe("retry-storm detection", () => {
  it("raises key.retry_storm at 100 rejections in a minute, once per episode", () => {
    const { alerts, hit } = setup();
    hit(0, 99, "RATE_LIMITED");
    expect(alerts).toHaveLength(0);
    hit(0, 1, "RATE_LIMITED");
    expect(alerts.map((a) => a.type)).toEqual(["key.retry_storm"]);
    hit(1, 200, "RATE_LIMITED"); // still storming
    expect(alerts).toHaveLength(1);
    hit(2, 5, "RATE_LIMITED"); // calm minute ends the episode…
    hit(3, 100, "RATE_LIMITED"); // …so this is a new one
    expect(alerts.filter((a) => a.type === "key.retry_storm")).toHaveLength(2);
  });

  it("ignores a busy minute of valid calls", () => {
    const { alerts, hit } = setup();
    hit(0, 1000);
    expect(alerts.filter((a) => a.type === "key.retry_storm")).toHaveLength(0);
  });
});
