/**
 * Slack tokens and incoming webhooks. Format from Slack API documentation, "Access tokens"
 * (token types: `xoxb-` bot, `xoxp-` user, `xoxa-` / `xoxr-` workspace app access and refresh
 * tokens, `xapp-` app-level tokens: dash-separated numeric ids and a random tail) and "Sending
 * messages using incoming webhooks" (`https://hooks.slack.com/services/T…/B…/<24 characters>`).
 */
import type { Rule } from "../types.js";
import { looksRandom, startsWord } from "./validators.js";

export const slackToken: Rule = {
  id: "slack-token",
  title: "Slack token",
  severity: "error",
  description:
    "A Slack bot, user, app or refresh token. Revoke it on the app's OAuth & Permissions page or with auth.revoke.",
  keywords: ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xapp-"],
  regex:
    /(?<![A-Za-z0-9_-])(?:xox[bpar]-[0-9]{6,16}(?:-[0-9A-Za-z]{6,64}){1,3}|xapp-[0-9]-[A-Z0-9]{6,16}-[0-9]{6,16}-[0-9A-Za-z]{32,96})(?![0-9A-Za-z_-])/g,
  quickCheck: startsWord,
  validate: (secret) => looksRandom(secret.slice(secret.lastIndexOf("-") + 1), 3),
};

export const slackWebhookUrl: Rule = {
  id: "slack-webhook-url",
  title: "Slack incoming webhook URL",
  severity: "error",
  description:
    "A Slack incoming webhook URL: anyone holding it can post to the channel. Regenerate it in the app's Incoming Webhooks page.",
  keywords: ["hooks.slack.com/"],
  regex:
    /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Z0-9]{8,12}\/[A-Z0-9]{8,12}\/[0-9A-Za-z]{20,40}(?![0-9A-Za-z])/g,
  validate: (secret) => looksRandom(secret.slice(secret.lastIndexOf("/") + 1), 3.2),
};

export const rules: readonly Rule[] = [slackToken, slackWebhookUrl];
