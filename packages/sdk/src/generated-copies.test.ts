import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { copiedCoreFiles } from "../scripts/core-copies.mjs";

describe("the core files the SDK carries a copy of", () => {
  it.each(copiedCoreFiles())("%s is the core's file as generated", (target, source) => {
    expect(
      readFileSync(target, "utf8") === source,
      `${target} is out of date: run npm run generate -w @keysmith/sdk`,
    ).toBe(true);
  });
});
