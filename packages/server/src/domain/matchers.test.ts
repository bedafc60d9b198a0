import { describe, expect, it } from "vitest";
import { ipMatcher, normalizeCidr } from "./ips.js";
import { normalizeOrigin, originMatcher } from "./origins.js";

describe("origins", () => {
  it.each([
    ["https://App.Example.com", "https://app.example.com"],
    ["https://example.com:443", "https://example.com"],
    ["http://localhost:3000", "http://localhost:3000"],
    ["https://*.Example.com", "https://*.example.com"],
    ["https://example.com/", "https://example.com"],
  ])("normalizes %s", (input, expected) => expect(normalizeOrigin(input)).toBe(expected));

  it.each([
    "example.com",
    "ftp://example.com",
    "https://example.com/path",
    "https://u:p@example.com",
    "https://x.com?q",
  ])("refuses %s", (input) => expect(normalizeOrigin(input)).toBeNull());

  it("matches exact origins and one wildcard label", () => {
    const m = originMatcher(["https://app.example.com", "https://*.example.org"]);
    expect(m.allows("https://app.example.com")).toBe(true);
    expect(m.allows("https://a.example.org")).toBe(true);
    expect(m.allows("https://a.b.example.org")).toBe(true);
    expect(m.allows("https://example.org")).toBe(false);
    expect(m.allows("https://badexample.org")).toBe(false);
    expect(m.allows("http://a.example.org")).toBe(false);
    expect(m.allows(undefined)).toBe(false);
    expect(m.allows("null")).toBe(false);
  });
});

describe("IP ranges", () => {
  it.each([
    ["10.0.0.1", "10.0.0.1/32"],
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["2001:DB8::/32", "2001:db8::/32"],
    ["::ffff:192.0.2.0/120", "192.0.2.0/24"],
    ["::1", "::1/128"],
  ])("normalizes %s", (input, expected) => expect(normalizeCidr(input)).toBe(expected));

  it.each(["10.0.0.0/33", "300.0.0.1", "nope", "2001:db8::/129"])("refuses %s", (input) =>
    expect(normalizeCidr(input)).toBeNull(),
  );

  it("matches addresses of the same family only", () => {
    const m = ipMatcher(["10.0.0.0/8", "2001:db8::/32"]);
    expect(m.allows("10.255.0.1")).toBe(true);
    expect(m.allows("::ffff:10.0.0.1")).toBe(true);
    expect(m.allows("2001:db8::1")).toBe(true);
    expect(m.allows("11.0.0.1")).toBe(false);
    expect(m.allows("::1")).toBe(false);
    expect(m.allows("garbage")).toBe(false);
    expect(m.allows(undefined)).toBe(false);
  });
});
