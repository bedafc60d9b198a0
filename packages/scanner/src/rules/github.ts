/**
 * GitHub tokens. Format from GitHub Docs, "About authentication to GitHub" (GitHub's token
 * formats: `ghp_` personal access token (classic), `gho_` OAuth access token, `ghu_` user-to-server,
 * `ghs_` server-to-server, `ghr_` refresh token; fine-grained personal access tokens
 * `github_pat_`) and the GitHub engineering blog post "Behind GitHub's new authentication token
 * formats": 30 random base62 characters followed by a 6-character base62 CRC32 checksum of them.
 * The checksum is verified, so random lookalikes are not reported.
 */
import type { Rule } from "../types.js";
import { alnumRun, crc32Base62Suffix, isPlaceholder, looksRandom, startsWord } from "./validators.js";

export const githubToken: Rule = {
  id: "github-token",
  title: "GitHub token",
  severity: "error",
  description:
    "A checksum-valid GitHub personal access (classic), OAuth, user-to-server, server-to-server or refresh token. Revoke it in GitHub settings.",
  keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
  regex: /(?<![A-Za-z0-9_])gh[pousr]_[0-9A-Za-z]{36}(?![0-9A-Za-z])/g,
  quickCheck: (bytes, start, end) => startsWord(bytes, start) && alnumRun(bytes, end, 36),
  validate: (secret) => crc32Base62Suffix(secret, 4) && !isPlaceholder(secret.slice(4)),
};

export const githubFineGrainedPat: Rule = {
  id: "github-fine-grained-pat",
  title: "GitHub fine-grained personal access token",
  severity: "error",
  description:
    "A GitHub fine-grained personal access token. Revoke it in GitHub settings, Developer settings.",
  keywords: ["github_pat_"],
  regex: /(?<![A-Za-z0-9_])github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59}(?![0-9A-Za-z])/g,
  quickCheck: startsWord,
  validate: (secret) => looksRandom(secret.slice(11), 4),
};

export const rules: readonly Rule[] = [githubToken, githubFineGrainedPat];
