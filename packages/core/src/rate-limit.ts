// Fixed-window rate limiting as keysmith counts it in Redis: the scripts, the key layout and the
// subject of a standalone limit. The server and the SDK (which copies this file into
// src/generated/ by `npm run generate -w @keysmith/sdk`, checked by a drift test) count with the
// same scripts under the same keys, so an SDK limiter and a keysmith cluster on one Redis share
// their counters. No imports: this module runs anywhere JavaScript does.

/**
 * One check, atomically: read every window's counter, and only when all have room for the cost
 * add it to each. A counter created by this call expires at its window's end (plus the grace in
 * ARGV), so Redis drops ended windows itself.
 *
 * KEYS[i]      the counter of window i (`rateLimitKey`)
 * ARGV[1]      cost
 * ARGV[1+i]    limit of window i
 * ARGV[1+n+i]  ms until window i's key may expire
 * Returns      { allowed (1|0), count of window 1 after the decision, …, count of window n }
 */
export const RATE_LIMIT_LUA = `
local n = #KEYS
local cost = tonumber(ARGV[1])
local counts = redis.call('MGET', unpack(KEYS))
local reply = { 1 }
for i = 1, n do
  local count = tonumber(counts[i]) or 0
  if count + cost > tonumber(ARGV[1 + i]) then reply[1] = 0 end
  reply[i + 1] = count
end
if reply[1] == 0 or cost == 0 then return reply end
for i = 1, n do
  local count = redis.call('INCRBY', KEYS[i], cost)
  if count == cost then redis.call('PEXPIRE', KEYS[i], ARGV[1 + n + i]) end
  reply[i + 1] = count
end
return reply
`;

/**
 * Many single-window checks in one call, each decided exactly as `RATE_LIMIT_LUA` decides a
 * check of one window, in order (two checks of one counter in a batch see each other).
 *
 * KEYS[i]       the counter of check i
 * ARGV[3i-2]    cost of check i
 * ARGV[3i-1]    limit of check i
 * ARGV[3i]      ms until check i's key may expire
 *               — or only ARGV[1..3], the cost, limit and ms shared by every check (the usual
 *               batch: one limiter, one window), which spares Redis two thirds of the arguments
 * Returns       { allowed 1 (1|0), count 1 after the decision, …, allowed m, count m }
 */
export const RATE_LIMIT_BATCH_LUA = `
local reply = {}
local step = 3
if #ARGV == 3 then step = 0 end
local cost = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
for i = 1, #KEYS do
  local at = step * (i - 1)
  if step > 0 then
    cost = tonumber(ARGV[at + 1])
    limit = tonumber(ARGV[at + 2])
  end
  local count = tonumber(redis.call('GET', KEYS[i])) or 0
  if count + cost > limit then
    reply[2 * i - 1] = 0
  else
    reply[2 * i - 1] = 1
    if cost > 0 then
      count = redis.call('INCRBY', KEYS[i], cost)
      if count == cost then redis.call('PEXPIRE', KEYS[i], ARGV[at + 3]) end
    end
  end
  reply[2 * i] = count
end
return reply
`;

/**
 * Many checks of any number of windows in one call, each decided exactly as `RATE_LIMIT_LUA`
 * decides it (all-or-nothing across its windows), in order: two checks of one counter in a batch
 * see each other. The server's Redis store sends the checks of one event-loop turn this way.
 *
 * KEYS          the counters of check 1's windows, then check 2's, …
 * ARGV          per check: n (its windows), cost, the n limits, the n ms until each key may expire
 * Returns       per check: allowed (1|0), then the n counts after the decision
 */
export const RATE_LIMIT_CHECKS_LUA = `
local reply = {}
local k = 0
local a = 1
local r = 0
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  local cost = tonumber(ARGV[a + 1])
  local allowed = 1
  for i = 1, n do
    local count = tonumber(redis.call('GET', KEYS[k + i])) or 0
    if count + cost > tonumber(ARGV[a + 1 + i]) then allowed = 0 end
    reply[r + 1 + i] = count
  end
  if allowed == 1 and cost > 0 then
    for i = 1, n do
      local count = redis.call('INCRBY', KEYS[k + i], cost)
      if count == cost then redis.call('PEXPIRE', KEYS[k + i], ARGV[a + 1 + n + i]) end
      reply[r + 1 + i] = count
    end
  end
  reply[r + 1] = allowed
  r = r + 1 + n
  k = k + n
  a = a + 2 + 2 * n
end
return reply
`;

/** SHA-1 of each script, for EVALSHA without a hash function at hand (a test checks them). */
export const RATE_LIMIT_LUA_SHA = "65d4c8ab2c44a90877672176eff94d2bf945e091";
export const RATE_LIMIT_BATCH_LUA_SHA = "1c6150221beacd15f396b975f18f7174b1ac63f3";
export const RATE_LIMIT_CHECKS_LUA_SHA = "0412275219297ecf504bf7b4726be84f8ced8209";

/**
 * Counters outlive their window by this much, so a node whose clock lags a little behind the one
 * that created a counter still finds it instead of a fresh one for the window's last moments.
 */
export const RATE_LIMIT_CLOCK_SKEW_GRACE_MS = 1_000;

/**
 * The Redis key of one window's counter. The subject is a hash tag, so a Redis Cluster keeps
 * one subject's windows in one slot.
 *
 * @example rateLimitKey("keysmith:", "key_123", "burst", 1733400000000) // "keysmith:rl:{key_123}:burst:1733400000000"
 */
export function rateLimitKey(prefix: string, subject: string, window: string, start: number): string {
  return `${prefix}rl:{${subject}}:${window}:${start}`;
}

/** The start of the fixed window containing `now`: a multiple of `durationMs` since the epoch. */
export function fixedWindowStart(now: number, durationMs: number): number {
  return now - (now % durationMs);
}

/** A namespace of standalone limits: 1–64 of `[A-Za-z0-9_.-]` (no `:`, so subjects never collide). */
export const RATELIMIT_NAMESPACE_PATTERN = "^[A-Za-z0-9_.-]{1,64}$";
/** The longest identifier a standalone limit takes (an IP, an email, a user id…). */
export const RATELIMIT_IDENTIFIER_MAX = 256;
/** The shortest and longest window of a rate limit: 1 s to 31 days. */
export const RATE_LIMIT_MIN_WINDOW_MS = 1_000;
export const RATE_LIMIT_MAX_WINDOW_MS = 31 * 86_400_000;

/**
 * The counter subject of a standalone limit (`POST /v1/ratelimit`): `ns:<namespace>:<identifier>`.
 * Key ids (`key_…`) and the server's own subjects never start with `ns:`.
 */
export function standaloneSubject(namespace: string, identifier: string): string {
  return `ns:${namespace}:${identifier}`;
}

/** The window name of a standalone limit: its length, so a changed duration starts a new counter. */
export function standaloneWindow(durationMs: number): string {
  return `w${durationMs}`;
}

/** An override of a namespace's limit for one identifier, or for every identifier starting with a prefix (`identifier` ending in `*`). */
export interface RateLimitOverrideRule {
  identifier: string;
  limit: number;
  durationMs: number;
}

/**
 * The most specific override for `identifier`: an exact one, else the wildcard (`prefix*`) with
 * the longest prefix that `identifier` starts with, else null. `rules` in any order.
 *
 * @example mostSpecificOverride([{ identifier: "user_*", … }, { identifier: "user_1", … }], "user_1") // the exact one
 */
export function mostSpecificOverride<T extends RateLimitOverrideRule>(
  rules: readonly T[],
  identifier: string,
): T | null {
  let best: T | null = null;
  let bestLength = -1;
  for (const rule of rules) {
    const pattern = rule.identifier;
    if (pattern.endsWith("*")) {
      const prefix = pattern.slice(0, -1);
      if (prefix.length > bestLength && identifier.startsWith(prefix)) {
        best = rule;
        bestLength = prefix.length;
      }
    } else if (pattern === identifier) {
      return rule;
    }
  }
  return best;
}
