/**
 * GitLab personal access tokens. Format from GitLab Docs, "Token overview" (token prefixes
 * table: `glpat-` for personal, project and group access tokens): `glpat-` followed by 20
 * base64url characters, or — for newer routable tokens — a longer base64url body with a `.`-
 * separated version and checksum suffix.
 */
import type { Rule } from "../types.js";
import { looksRandom, startsWord } from "./validators.js";

export const gitlabPat: Rule = {
  id: "gitlab-pat",
  title: "GitLab personal access token",
  severity: "error",
  description:
    "A GitLab personal, project or group access token. Revoke it under the user's or project's Access Tokens.",
  keywords: ["glpat-"],
  regex: /(?<![A-Za-z0-9_-])glpat-[0-9A-Za-z_-]{20,300}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9})?(?![0-9A-Za-z_-])/g,
  quickCheck: startsWord,
  validate: (secret) => looksRandom(secret.slice(6).split(".")[0] ?? "", 3.2),
};

export const rules: readonly Rule[] = [gitlabPat];
