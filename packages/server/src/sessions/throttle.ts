import { isIPv4, isIPv6 } from "node:net";
import type { Clock } from "../clock.js";

/** Failed sign-ins one client address may make… */
export const SIGN_IN_MAX_FAILURES = 10;
/** …within this sliding window, before every sign-in from it answers 429 until the oldest ages out. */
export const SIGN_IN_WINDOW_MS = 15 * 60_000;
// Addresses tracked at once: ≤ 10 timestamps each, so a few MB at most.
const MAX_ADDRESSES = 50_000;

export interface SignInThrottleOptions {
  clock: Clock;
  maxFailures?: number;
  windowMs?: number;
  maxAddresses?: number;
}

/**
 * The part of a client address one party controls: an IPv4 address as is (an IPv4-mapped IPv6
 * address as its IPv4 form), an IPv6 address as its /64, the smallest block a host is given.
 *
 * @example throttleBucket("2001:db8::1") // "2001:db8:0:0::/64"
 */
export function throttleBucket(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = address.includes("::") && tail !== "" ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}

/**
 * Dashboard sign-in throttling: each failed attempt is remembered per client address for a
 * window; an address with too many failures in it is refused (correct key or not) until the
 * oldest failure ages out. A success clears nothing, so one valid low-privilege root key cannot
 * reset the count between guesses. Kept in this process's memory: one node counts its own
 * attempts (behind a load balancer, N nodes allow N times as many).
 *
 * @example
 * const wait = throttle.blockedFor(request.ip); // ms, 0 when free to try
 * if (!ok) throttle.fail(request.ip);
 */
export class SignInThrottle {
  private readonly clock: Clock;
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly failures = new Map<string, number[]>();

  constructor(options: SignInThrottleOptions) {
    this.clock = options.clock;
    this.maxFailures = options.maxFailures ?? SIGN_IN_MAX_FAILURES;
    this.windowMs = options.windowMs ?? SIGN_IN_WINDOW_MS;
    this.maxAddresses = options.maxAddresses ?? MAX_ADDRESSES;
  }

  /** Milliseconds until this address may try to sign in again; 0 when it may now. */
  blockedFor(address: string): number {
    const recent = this.recent(throttleBucket(address), this.clock.now());
    if (recent.length < this.maxFailures) return 0;
    return Math.max(1, (recent[0] as number) + this.windowMs - this.clock.now());
  }

  /** Records a failed sign-in from this address. */
  fail(address: string): void {
    const bucket = throttleBucket(address);
    const now = this.clock.now();
    const recent = this.recent(bucket, now);
    recent.push(now);
    // Only the newest maxFailures matter to blockedFor.
    if (recent.length > this.maxFailures) recent.shift();
    this.failures.delete(bucket);
    this.failures.set(bucket, recent);
    if (this.failures.size > this.maxAddresses) this.evict(now);
  }

  /** Addresses tracked (for tests). */
  get size(): number {
    return this.failures.size;
  }

  private recent(bucket: string, now: number): number[] {
    const all = this.failures.get(bucket);
    if (!all) return [];
    const since = now - this.windowMs;
    while (all.length > 0 && (all[0] as number) <= since) all.shift();
    if (all.length === 0) this.failures.delete(bucket);
    return all;
  }

  /** Drops aged-out addresses, then the least recently failing ones until under the cap. */
  private evict(now: number): void {
    for (const bucket of [...this.failures.keys()]) this.recent(bucket, now);
    for (const bucket of this.failures.keys()) {
      if (this.failures.size <= this.maxAddresses) break;
      this.failures.delete(bucket);
    }
  }
}
