import { afterEach, describe, expect, it, vi } from "vitest";
import { KeysmithApiError, KeysmithConnectionError } from "./errors.js";
import { UsageReporter } from "./usage-reporter.js";

type Batch = { keyId: string; count: number }[];

function apiError(status: number, code: string): KeysmithApiError {
  return new KeysmithApiError({ code, message: code, status, requestId: "req_1" });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("UsageReporter", () => {
  it("sends each key's count once per interval, and nothing while nothing was counted", async () => {
    vi.useFakeTimers();
    const sent: Batch[] = [];
    const reporter = new UsageReporter(async (keys) => sent.push(keys), 1000);
    reporter.count("key_a");
    reporter.count("key_a");
    reporter.count("key_b");
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([
      [
        { keyId: "key_a", count: 2 },
        { keyId: "key_b", count: 1 },
      ],
    ]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps the counts of a report keysmith could not take, and sends them with the next", async () => {
    const sent: Batch[] = [];
    const errors: unknown[] = [];
    let failures = 2;
    const reporter = new UsageReporter(
      async (keys) => {
        if (failures-- === 2) throw new KeysmithConnectionError("NETWORK_ERROR", "down");
        if (failures === 0) throw apiError(503, "STORE_UNAVAILABLE");
        sent.push(keys);
      },
      60_000,
      (error) => errors.push(error),
    );
    reporter.count("key_a");
    await reporter.flush();
    reporter.count("key_a");
    await reporter.flush();
    reporter.count("key_b");
    await reporter.flush();
    expect(sent).toEqual([
      [
        { keyId: "key_a", count: 2 },
        { keyId: "key_b", count: 1 },
      ],
    ]);
    expect(errors).toHaveLength(2);
  });

  it("drops a batch keysmith refused (a root key without keys:verify) and stops against a server without the route", async () => {
    const calls: Batch[] = [];
    let answer: Error | null = apiError(403, "FORBIDDEN");
    const reporter = new UsageReporter(async (keys) => {
      calls.push(keys);
      if (answer) throw answer;
    }, 60_000);
    reporter.count("key_a");
    await reporter.flush();
    answer = null;
    reporter.count("key_b");
    await reporter.flush();
    expect(calls.at(-1)).toEqual([{ keyId: "key_b", count: 1 }]);

    answer = apiError(404, "NOT_FOUND");
    reporter.count("key_c");
    await reporter.flush();
    reporter.count("key_d");
    await reporter.flush();
    expect(calls).toHaveLength(3);
  });

  it("splits a report of more than 1000 keys into several calls", async () => {
    const sent: Batch[] = [];
    const reporter = new UsageReporter(async (keys) => sent.push(keys), 60_000);
    for (let i = 0; i < 2500; i++) reporter.count(`key_${i}`);
    await reporter.flush();
    expect(sent.map((batch) => batch.length)).toEqual([1000, 1000, 500]);
  });
});
