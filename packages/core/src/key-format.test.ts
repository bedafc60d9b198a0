import { hash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodeBase62, encodeBase62 } from "./base62.js";
import { crc32 } from "./crc32.js";
import { checkKeyFormat, displayStart, generateKey, hashKey, keyChecksum, parseKey } from "./key-format.js";

interface Vectors {
  keys: { key: string; crc32: number; checksum: string }[];
  crc: { input: string; crc32: number; base62: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL("../fixtures/key-vectors.json", import.meta.url), "utf8"),
) as Vectors;

describe("CRC32 and base62 against vectors computed by Python's zlib", () => {
  it.each(vectors.crc)("crc32($input) = $crc32", ({ input, crc32: expected, base62 }) => {
    expect(crc32(input)).toBe(expected);
    expect(encodeBase62(expected, 6)).toBe(base62);
  });

  it.each(vectors.keys)("checksums $key", ({ key, crc32: expected, checksum }) => {
    expect(crc32(key, key.length - 6)).toBe(expected);
    expect(keyChecksum(key.slice(0, -6))).toBe(checksum);
    expect(decodeBase62(key, key.length - 6, 6)).toBe(expected);
    expect(parseKey(key)).not.toBeNull();
  });
});

describe("parseKey", () => {
  it("reads prefix, type and environment", () => {
    expect(parseKey(vectors.keys[3]?.key ?? "")).toEqual({
      prefix: "acme",
      type: "publishable",
      typeCode: "pk",
      environment: "test",
      head: "acme_pk_test_",
    });
    const root = vectors.keys.find((v) => v.key.startsWith("ks_root_live_"))?.key ?? "";
    expect(parseKey(root)?.type).toBe("root");
  });

  it("rejects a key whose checksum does not match, however small the change", () => {
    for (const { key } of vectors.keys) {
      const body = key.length - 20;
      const swapped = key.slice(0, body) + (key[body] === "a" ? "b" : "a") + key.slice(body + 1);
      expect(parseKey(swapped)).toBeNull();
      const badSum = key.slice(0, -1) + (key.endsWith("0") ? "1" : "0");
      expect(parseKey(badSum)).toBeNull();
    }
  });

  it.each([
    "",
    "not a key",
    "acme_sk_live_",
    "ACME_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L", // upper-case prefix
    "acme_xk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L", // unknown type
    "acme_sk_prod_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L", // unknown environment
    "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3", // body one short
    "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L9", // body one long
    "a_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPPiN0hlT3L", // prefix too short
    "acme_sk_live_US2dg5sIKeEeeI6QMFYo8Yfzas-PiN0hlT3L", // non-base62 character
    "acme_sk_live_US2dg5sIKeEeeI6QMFYo8YfzasPéiN0hlT3L", // non-ASCII character
  ])("rejects %j", (text) => {
    expect(parseKey(text)).toBeNull();
    expect(checkKeyFormat(text)).toBe(-1);
  });

  it("reserves the ks prefix for root keys and root for the ks prefix", () => {
    const fake = (head: string): string => {
      const withRandom = `${head}${"a".repeat(30)}`;
      return withRandom + keyChecksum(withRandom);
    };
    expect(parseKey(fake("ks_sk_live_"))).toBeNull();
    expect(parseKey(fake("acme_root_live_"))).toBeNull();
    expect(parseKey(fake("ks_root_live_"))?.type).toBe("root");
    expect(parseKey(fake("acme_sk_live_"))?.type).toBe("secret");
  });
});

describe("generateKey", () => {
  it("makes checksum-valid keys with 30 random base62 characters", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const g = generateKey({ prefix: "acme", typeCode: "rk", environment: "test" });
      expect(g.key).toMatch(/^acme_rk_test_[0-9A-Za-z]{36}$/);
      expect(parseKey(g.key)?.type).toBe("restricted");
      expect(g.hash).toBe(hash("sha256", g.key, "hex"));
      expect(g.start).toBe(g.key.slice(0, "acme_rk_test_".length + 4));
      expect(g.last4).toBe(g.key.slice(-4));
      seen.add(g.key);
    }
    expect(seen.size).toBe(2000);
  });

  it("uses every base62 digit about evenly (no modulo bias)", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const { key } = generateKey({ prefix: "acme", typeCode: "sk", environment: "live" });
      for (const c of key.slice(13, 43)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    const expected = (2000 * 30) / 62;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.2);
  });

  it("refuses the reserved prefix for project keys and bad prefixes", () => {
    expect(() => generateKey({ prefix: "ks", typeCode: "sk", environment: "live" })).toThrow();
    expect(() => generateKey({ prefix: "Acme", typeCode: "sk", environment: "live" })).toThrow();
  });

  it("hashes and shows a start without the secret part", () => {
    const key = vectors.keys[0]?.key ?? "";
    expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(displayStart(key)).toBe("acme_sk_live_US2d");
  });
});
