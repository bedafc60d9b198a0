import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERRORS, KeysmithError } from "./errors.js";
import { VERIFY_CODES } from "./verify-codes.js";

const docs = readFileSync(new URL("../../../docs/errors.md", import.meta.url), "utf8");

describe("the error registry", () => {
  it.each(Object.entries(ERRORS))("documents %s with its status in docs/errors.md", (code, { status }) => {
    expect(docs).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`));
  });

  it.each(VERIFY_CODES)("documents the verification code %s", (code) => {
    expect(docs).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|`));
  });

  it("builds errors with the registered status and message", () => {
    const error = new KeysmithError("PREFIX_TAKEN");
    expect(error.status).toBe(409);
    expect(error.message).toBe(ERRORS.PREFIX_TAKEN.message);
    expect(new KeysmithError("NOT_FOUND", "No such key.", { id: "x" })).toMatchObject({
      message: "No such key.",
      details: { id: "x" },
    });
  });
});
