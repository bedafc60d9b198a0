import { describe, expect, it } from "vitest";
import {
  alertSummary,
  formatDuration,
  formatPercent,
  fromLocalInput,
  keyMatches,
  looksLikeKey,
  maskedKey,
  relativeTime,
  splitLines,
  splitList,
  toLocalInput,
} from "./format";

const KEY = "acme_sk_live_3fTzq9LmP0xYbVwe0Qk8Zr1a3fTzq9LmP0x1";

describe("format", () => {
  it("masks a key as its stored start and last four", () => {
    expect(maskedKey({ start: "acme_sk_live_3fTz", last4: "9xQa" })).toBe("acme_sk_live_3fTz…9xQa");
  });

  it("recognises a whole pasted key and matches it by start and last four, locally", () => {
    expect(looksLikeKey(KEY)).toBe(true);
    expect(looksLikeKey("acme_sk_live_3fTz")).toBe(false);
    expect(looksLikeKey("cus_42")).toBe(false);
    expect(keyMatches(KEY, { start: "acme_sk_live_3fTz", last4: "0x1".padStart(4, "P") })).toBe(true);
    expect(keyMatches(KEY, { start: "acme_sk_live_3fTz", last4: "AAAA" })).toBe(false);
  });

  it("says how long ago, coarsely", () => {
    const now = Date.parse("2026-06-01T12:00:00Z");
    expect(relativeTime(null, now)).toBe("never");
    expect(relativeTime("2026-06-01T11:59:30Z", now)).toBe("just now");
    expect(relativeTime("2026-06-01T10:00:00Z", now)).toBe("2 h ago");
    expect(relativeTime("2026-06-04T12:00:00Z", now)).toBe("in 3 d");
    expect(relativeTime("2026-05-31T11:55:00Z", now)).toBe("1 d ago");
  });

  it("writes durations and percentages for people", () => {
    expect(formatDuration("24h")).toBe("24h");
    expect(formatDuration(86_400_000)).toBe("1d");
    expect(formatDuration(90_000)).toBe("90s");
    expect(formatDuration(1500)).toBe("1500ms");
    expect(formatPercent(0.8)).toBe("80%");
    expect(formatPercent(0.025)).toBe("2.5%");
    expect(formatPercent(1.234)).toBe("123%");
  });

  it("splits lists typed with spaces, commas or lines", () => {
    expect(splitList(" a:read, b:write\nc:* ")).toEqual(["a:read", "b:write", "c:*"]);
    expect(splitLines("https://a.example.com\n\n https://b.example.com ,10.0.0.0/8")).toEqual([
      "https://a.example.com",
      "https://b.example.com",
      "10.0.0.0/8",
    ]);
  });

  it("round-trips a datetime-local value through UTC", () => {
    const iso = "2026-07-04T09:30:00.000Z";
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
    expect(fromLocalInput("")).toBeNull();
    expect(toLocalInput(null)).toBe("");
  });

  it("summarises alerts in words", () => {
    expect(alertSummary("budget.threshold", { spent: 17, limit: 20, threshold: 0.8, period: "month" })).toBe(
      "Spent 17 of 20 (80%) this month",
    );
    expect(alertSummary("key.anomaly", { rate: 1200 })).toBe('{"rate":1200}');
  });
});
