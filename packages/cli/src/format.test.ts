import { describe, expect, it } from "vitest";
import { amount, sparkline } from "./format.js";

describe("sparkline", () => {
  it("scales bars to the largest value, zero lowest and any count above zero visible", () => {
    expect(sparkline([0, 1, 4, 8])).toBe("▁▃▅█");
    expect(sparkline([1, 1000])).toBe("▂█");
    expect(sparkline([5])).toBe("█");
  });

  it("draws all zeros (and nothing) flat", () => {
    expect(sparkline([0, 0, 0])).toBe("▁▁▁");
    expect(sparkline([])).toBe("");
  });
});

describe("amount", () => {
  it("drops floating-point noise", () => {
    expect(amount(0.1 + 0.2)).toBe("0.3");
    expect(amount(12)).toBe("12");
  });
});
