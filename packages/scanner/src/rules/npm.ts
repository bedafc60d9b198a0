/**
 * npm access tokens. Format from the npm Docs, "About access tokens", and the GitHub blog post
 * "Announcing npm's new access token format": `npm_` followed by 30 random base62 characters and
 * a 6-character base62 CRC32 checksum of them — GitHub's token scheme. The checksum is verified.
 */
import type { Rule } from "../types.js";
import { alnumRun, crc32Base62Suffix, isPlaceholder, startsWord } from "./validators.js";

export const npmToken: Rule = {
  id: "npm-token",
  title: "npm access token",
  severity: "error",
  description:
    "A checksum-valid npm access token (classic or granular). Revoke it with `npm token revoke` or on npmjs.com.",
  keywords: ["npm_"],
  regex: /(?<![A-Za-z0-9_])npm_[0-9A-Za-z]{36}(?![0-9A-Za-z])/g,
  quickCheck: (bytes, start, end) => startsWord(bytes, start) && alnumRun(bytes, end, 36),
  validate: (secret) => crc32Base62Suffix(secret, 4) && !isPlaceholder(secret.slice(4)),
};

export const rules: readonly Rule[] = [npmToken];
