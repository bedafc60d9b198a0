export type { CacheOptions } from "./answer-cache.js";
export type { ChangeStreamStatus, KeyChangeEvent } from "./change-stream.js";
export { Keysmith, type KeysmithOptions } from "./client.js";
export { KeysmithApiError, KeysmithConnectionError } from "./errors.js";
export type { ErrorCode, ErrorResponse, Operations } from "./generated/openapi.js";
export type { Fetch, RetryPolicy } from "./http.js";
export { isWellFormedKey } from "./key-format.js";
export {
  RateLimiter,
  type RateLimiterOptions,
  type RateLimiterRedis,
  type RateLimitOverrideOption,
  type RateLimitResult,
} from "./rate-limiter.js";
export type { RequestOptions } from "./resources/common.js";
export type * from "./types.js";
export type { RateLimitHeaders, VerifyKeyOptions, VerifyKeyResult } from "./verify.js";
