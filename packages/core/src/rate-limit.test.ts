import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  mostSpecificOverride,
  RATE_LIMIT_BATCH_LUA,
  RATE_LIMIT_BATCH_LUA_SHA,
  RATE_LIMIT_CHECKS_LUA,
  RATE_LIMIT_CHECKS_LUA_SHA,
  RATE_LIMIT_LUA,
  RATE_LIMIT_LUA_SHA,
  rateLimitKey,
  standaloneSubject,
} from "./rate-limit.js";

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

describe("the rate-limit scripts and key layout", () => {
  it("publishes the SHA-1 of each script", () => {
    expect(RATE_LIMIT_LUA_SHA).toBe(sha1(RATE_LIMIT_LUA));
    expect(RATE_LIMIT_BATCH_LUA_SHA).toBe(sha1(RATE_LIMIT_BATCH_LUA));
    expect(RATE_LIMIT_CHECKS_LUA_SHA).toBe(sha1(RATE_LIMIT_CHECKS_LUA));
  });

  it("puts the subject in a hash tag", () => {
    expect(rateLimitKey("keysmith:", standaloneSubject("login", "1.2.3.4"), "w60000", 120_000)).toBe(
      "keysmith:rl:{ns:login:1.2.3.4}:w60000:120000",
    );
  });
});

describe("mostSpecificOverride", () => {
  const rule = (identifier: string) => ({ identifier, limit: identifier.length, durationMs: 1000 });
  const rules = ["*", "user_*", "user_vip_*", "user_vip_42", "admin"].map(rule);

  it.each([
    ["user_vip_42", "user_vip_42"],
    ["user_vip_4", "user_vip_*"],
    ["user_1", "user_*"],
    ["admin", "admin"],
    ["admins", "*"],
    ["", "*"],
  ])("%s takes %s", (identifier, expected) => {
    expect(mostSpecificOverride(rules, identifier)?.identifier).toBe(expected);
    // The order of the rules does not matter.
    expect(mostSpecificOverride([...rules].reverse(), identifier)?.identifier).toBe(expected);
  });

  it("answers null when nothing matches", () => {
    expect(mostSpecificOverride([rule("user_*"), rule("a")], "b")).toBeNull();
    expect(mostSpecificOverride([], "b")).toBeNull();
  });
});
