/**
 * Anthropic API keys. Format from Anthropic's API documentation ("Getting started",
 * authentication) and Admin API documentation: API keys `sk-ant-api03-` and admin keys
 * `sk-ant-admin01-`, each followed by 93 base64url characters and the suffix `AA`.
 */
import type { Rule } from "../types.js";
import { looksRandom } from "./validators.js";

export const anthropicApiKey: Rule = {
  id: "anthropic-api-key",
  title: "Anthropic API key",
  severity: "error",
  description: "An Anthropic API or Admin API key. Disable it in the Anthropic Console and create a new one.",
  keywords: ["sk-ant-api03-", "sk-ant-admin01-"],
  regex: /(?<![A-Za-z0-9_-])sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA(?![A-Za-z0-9_-])/g,
  validate: (secret) => looksRandom(secret.slice(secret.indexOf("-", 7) + 1, -2), 3.5),
};

export const rules: readonly Rule[] = [anthropicApiKey];
