/**
 * SendGrid API keys. Format from Twilio SendGrid documentation, "API Keys" (key management):
 * `SG.` followed by a 22-character key id, a `.`, and a 43-character secret, both base64url.
 */
import type { Rule } from "../types.js";
import { looksRandom, startsWord } from "./validators.js";

export const sendgridApiKey: Rule = {
  id: "sendgrid-api-key",
  title: "SendGrid API key",
  severity: "error",
  description: "A Twilio SendGrid API key. Delete it under Settings, API Keys in SendGrid.",
  keywords: ["SG."],
  regex: /(?<![A-Za-z0-9_.-])SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}(?![0-9A-Za-z_-])/g,
  quickCheck: startsWord,
  validate: (secret) => looksRandom(secret.slice(26), 3.5),
};

export const rules: readonly Rule[] = [sendgridApiKey];
