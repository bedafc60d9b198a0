import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crc32, encodeBase62, isWellFormedKey } from "./key-format.js";

// The core's vectors, computed by Python's zlib: the SDK's copy of the check must agree.
const vectors = JSON.parse(
  readFileSync(new URL("../../core/fixtures/key-vectors.json", import.meta.url), "utf8"),
) as {
  keys: { key: string; crc32: number; checksum: string }[];
  crc: { input: string; crc32: number; base62: string }[];
};

describe("the SDK's copy of the key check", () => {
  it.each(vectors.crc)("crc32($input) = $crc32", ({ input, crc32: expected, base62 }) => {
    expect(crc32(input)).toBe(expected);
    expect(encodeBase62(expected, 6)).toBe(base62);
  });

  it.each(vectors.keys)("accepts $key", ({ key, crc32: expected, checksum }) => {
    expect(crc32(key.slice(0, -6))).toBe(expected);
    expect(key.endsWith(checksum)).toBe(true);
    expect(isWellFormedKey(key)).toBe(true);
  });

  it("rejects every single-character change of a valid key", () => {
    const key = vectors.keys[0]?.key ?? "";
    for (let i = 0; i < key.length; i++) {
      const changed = key.slice(0, i) + (key[i] === "a" ? "b" : "a") + key.slice(i + 1);
      expect(isWellFormedKey(changed), changed).toBe(false);
    }
  });

  it("rejects the wrong grammar whatever the checksum", () => {
    const sign = (head: string) => head + encodeBase62(crc32(head), 6);
    const body = "abcdefghijklmnopqrstuvwxyz0123";
    expect(isWellFormedKey(sign(`acme_sk_live_${body}`))).toBe(true);
    expect(isWellFormedKey(sign(`ks_root_test_${body}`))).toBe(true);
    expect(isWellFormedKey(sign(`ks_sk_live_${body}`))).toBe(false); // ks is reserved for root keys
    expect(isWellFormedKey(sign(`acme_root_live_${body}`))).toBe(false);
    expect(isWellFormedKey(sign(`Acme_sk_live_${body}`))).toBe(false);
    expect(isWellFormedKey(sign(`a_sk_live_${body}`))).toBe(false);
    expect(isWellFormedKey(sign(`acme_xk_live_${body}`))).toBe(false);
    expect(isWellFormedKey(sign(`acme_sk_prod_${body}`))).toBe(false);
    expect(isWellFormedKey(sign(`acme_sk_live_${body}x`))).toBe(false);
    expect(isWellFormedKey("")).toBe(false);
  });
});
