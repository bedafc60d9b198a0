import { describe, expect, it } from "vitest";
import { ManualClock } from "../clock.js";
import { SignInThrottle, throttleBucket } from "./throttle.js";

describe("sign-in throttling", () => {
  it("counts IPv4 addresses alone and IPv6 addresses per /64", () => {
    expect(throttleBucket("203.0.113.7")).toBe("203.0.113.7");
    expect(throttleBucket("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(throttleBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(throttleBucket("2001:0db8:0000:0000:ffff::2")).toBe("2001:db8:0:0::/64");
    expect(throttleBucket("2001:db8:0:1::1")).toBe("2001:db8:0:1::/64");
    expect(throttleBucket("::1")).toBe("0:0:0:0::/64");
  });

  it("blocks after the limit within the window, until the oldest failure ages out", () => {
    const clock = new ManualClock(0);
    const throttle = new SignInThrottle({ clock, maxFailures: 3, windowMs: 1000 });
    for (const at of [0, 100, 200]) {
      clock.set(at);
      expect(throttle.blockedFor("198.51.100.1")).toBe(0);
      throttle.fail("198.51.100.1");
    }
    expect(throttle.blockedFor("198.51.100.1")).toBe(800);
    expect(throttle.blockedFor("198.51.100.2")).toBe(0);
    clock.set(1000);
    expect(throttle.blockedFor("198.51.100.1")).toBe(0);
    // Failing while blocked keeps it blocked: the newest failures are kept.
    throttle.fail("198.51.100.1");
    expect(throttle.blockedFor("198.51.100.1")).toBe(100);
  });

  it("keeps memory bounded: aged-out addresses go first, then the least recent", () => {
    const clock = new ManualClock(0);
    const throttle = new SignInThrottle({ clock, maxFailures: 2, windowMs: 1000, maxAddresses: 3 });
    for (let i = 0; i < 3; i++) throttle.fail(`192.0.2.${i}`);
    clock.set(2000);
    throttle.fail("192.0.2.10");
    throttle.fail("192.0.2.11");
    throttle.fail("192.0.2.12");
    throttle.fail("192.0.2.13");
    expect(throttle.size).toBe(3);
    expect(throttle.blockedFor("192.0.2.13")).toBe(0);
    throttle.fail("192.0.2.13");
    expect(throttle.blockedFor("192.0.2.13")).toBe(1000);
  });
});
