import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, ERRORS, KeysmithError } from "./errors.js";
import { VERIFY_CODES } from "./verify-codes.js";

const docs = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

describe("the error registry", () => {
  it.each(Object.entries(ERRORS))("documents %s with its status in docs/errors.md", (code, { status }) => {
    expect(docs).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`));
  });

  it("documents no code the registry lacks (the table before the first section)", () => {
    const table = docs.slice(0, docs.indexOf("\n## "));
    const documented = [...table.matchAll(/^\|\s*`([A-Z_]+)`\s*\|/gm)].map((m) => m[1]);
    expect(documented.length).toBeGreaterThan(0);
    expect(documented.sort()).toEqual(Object.keys(ERRORS).sort());
  });

  it("keeps one code per missing thing: no generic NOT_FOUND or CONFLICT", () => {
    expect(Object.keys(ERRORS)).not.toContain("NOT_FOUND");
    expect(Object.keys(ERRORS)).not.toContain("CONFLICT");
    for (const [code, { status }] of Object.entries(ERRORS)) {
      if (code.endsWith("_NOT_FOUND")) expect(status, code).toBe(404);
    }
  });

  it.each(VERIFY_CODES)("documents the verification code %s", (code) => {
    expect(docs).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|`));
  });

  it("lists every code once in ERROR_CODES", () => {
    expect(ERROR_CODES).toEqual(Object.keys(ERRORS));
  });

  it("builds errors with the registered status and message", () => {
    const error = new KeysmithError("PREFIX_TAKEN");
    expect(error.status).toBe(409);
    expect(error.message).toBe(ERRORS.PREFIX_TAKEN.message);
    expect(new KeysmithError("KEY_NOT_FOUND", "No such key.", { id: "x" })).toMatchObject({
      message: "No such key.",
      details: { id: "x" },
    });
  });
});
