export * from "./base62.js";
export * from "./crc32.js";
export * from "./duration.js";
export * from "./errors.js";
export * from "./ids.js";
export * from "./key-format.js";
export * from "./scopes.js";
export * from "./verify-codes.js";
