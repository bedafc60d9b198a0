import { describe, expect, it } from "vitest";
import { MAX_DURATION_MS, parseDuration } from "./duration.js";
import { isId, newId } from "./ids.js";

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["15m", 900_000],
    ["24h", 86_400_000],
    ["7d", 604_800_000],
    ["0s", 0],
    [2500, 2500],
    ["3652d", 3652 * 86_400_000],
    [MAX_DURATION_MS, MAX_DURATION_MS],
  ] as const)("%s → %d ms", (input, ms) => expect(parseDuration(input)).toBe(ms));
  it.each(["", "5", "5y", "-1s", "1.5h", " 5s", -1, 1.5, "9999999999w", "3653d", MAX_DURATION_MS + 1])(
    "rejects %j",
    (input) => expect(parseDuration(input)).toBeNull(),
  );
});

describe("newId", () => {
  it("prefixes the kind and sorts by creation time", () => {
    const a = newId("key", 1_700_000_000_000);
    const b = newId("key", 1_700_000_000_001);
    expect(isId("key", a)).toBe(true);
    expect(isId("proj", a)).toBe(false);
    expect(a < b).toBe(true);
  });
});
