/**
 * Google API keys. Format from Google Cloud documentation, "Manage API keys" (and the Maps
 * Platform "Use API keys" page): keys start with `AIza` followed by 35 characters of
 * letters, digits, `_` and `-`.
 */
import type { Rule } from "../types.js";
import { looksRandom, startsWord } from "./validators.js";

export const googleApiKey: Rule = {
  id: "google-api-key",
  title: "Google API key",
  severity: "error",
  description:
    "A Google Cloud / Maps / Firebase API key. Restrict or delete it under APIs & Services, Credentials.",
  keywords: ["AIza"],
  regex: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
  quickCheck: startsWord,
  validate: (secret) => looksRandom(secret.slice(4), 3.5),
};

export const rules: readonly Rule[] = [googleApiKey];
