import { describe, expect, it } from "vitest";
import { grantsAll, isValidScope, scopeMatches } from "./scopes.js";

describe("scopes", () => {
  it.each([
    ["*", "invoices:read", true],
    ["invoices:*", "invoices:read", true],
    ["invoices:*", "invoices:lines:write", true],
    ["invoices:read", "invoices:read", true],
    ["invoices:read", "invoices:write", false],
    ["invoices:*", "customers:read", false],
    ["*:read", "invoices:read", true],
    ["*:read", "invoices:write", false],
    ["invoices", "invoices:read", false],
    ["invoices:read", "invoices", false],
    ["invoices:read", "invoices:*", false],
    ["invoices:*", "invoices:*", true],
    ["invoice:read", "invoices:read", false],
  ])("%s grants %s: %s", (granted, requested, expected) => {
    expect(scopeMatches(granted, requested)).toBe(expected);
  });

  it("needs every requested scope", () => {
    expect(grantsAll(["a:read", "b:*"], ["a:read", "b:write"])).toBe(true);
    expect(grantsAll(["a:read"], ["a:read", "b:write"])).toBe(false);
    expect(grantsAll([], [])).toBe(true);
  });

  it.each(["invoices:read", "*", "a:*", "billing:invoices:read", "x.y-z_1:read"])("accepts %s", (s) =>
    expect(isValidScope(s)).toBe(true),
  );
  it.each(["", "invoices:", ":read", "a b", "a:re*d", "a::b", "x".repeat(129)])("rejects %j", (s) =>
    expect(isValidScope(s)).toBe(false),
  );
});
