import { describe, expect, it } from "vitest";
import { maskSecret } from "./mask.js";

describe("maskSecret", () => {
  it("keeps the type prefix and a few characters, never more than 40%", () => {
    expect(maskSecret("ghp_16C7e42F292c6912E7710c838347Ae178B4a")).toBe("ghp_16C7…4a");
    expect(maskSecret("sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789")).toBe("sk-ant-api03-abcd…89");
    expect(maskSecret("AKIAZ7Q2XK4M5N6P3R2T")).toBe("AKIA…2T"); // keysmith:allow a made-up id
    expect(maskSecret("s3cr3tP4ss", 0)).toBe("s3cr…");
    expect(maskSecret("abcd")).toBe("…");
  });
});
