/**
 * Stripe keys. Format from Stripe's documentation "API keys" (key types and prefixes) and
 * "Check the webhook signatures": secret keys `sk_live_` / `sk_test_`, restricted keys
 * `rk_live_` / `rk_test_`, publishable keys `pk_live_` / `pk_test_` (public by design, so info
 * only), each followed by a base62 body (24 characters for older keys, 99 for current ones), and
 * webhook signing secrets `whsec_` followed by base64 characters.
 */
import type { Rule } from "../types.js";
import { looksRandom, startsWord } from "./validators.js";

const body = (secret: string): string => secret.slice(8);

export const stripeSecretKey: Rule = {
  id: "stripe-secret-key",
  title: "Stripe secret or restricted key",
  severity: "error",
  description:
    "A Stripe secret (sk_) or restricted (rk_) API key, live or test mode. Roll it in the Stripe Dashboard.",
  keywords: ["sk_live_", "sk_test_", "rk_live_", "rk_test_"],
  regex: /(?<![A-Za-z0-9_])[sr]k_(?:live|test)_[0-9A-Za-z]{20,247}(?![0-9A-Za-z])/g,
  quickCheck: startsWord,
  validate: (secret) => looksRandom(body(secret)),
};

export const stripePublishableKey: Rule = {
  id: "stripe-publishable-key",
  title: "Stripe publishable key",
  severity: "info",
  description: "A Stripe publishable key. These are meant for browsers; reported for inventory only.",
  keywords: ["pk_live_", "pk_test_"],
  regex: /(?<![A-Za-z0-9_])pk_(?:live|test)_[0-9A-Za-z]{20,247}(?![0-9A-Za-z])/g,
  quickCheck: startsWord,
  validate: (secret) => looksRandom(body(secret)),
};

export const stripeWebhookSecret: Rule = {
  id: "stripe-webhook-secret",
  title: "Stripe webhook signing secret",
  severity: "error",
  description:
    "A Stripe webhook endpoint signing secret. Roll it on the webhook endpoint's page in the Stripe Dashboard.",
  keywords: ["whsec_"],
  regex: /(?<![A-Za-z0-9_])whsec_[A-Za-z0-9+/]{32,100}={0,2}(?![A-Za-z0-9+/=])/g,
  quickCheck: startsWord,
  validate: (secret) => looksRandom(secret.slice(6)),
};

export const rules: readonly Rule[] = [stripeSecretKey, stripeWebhookSecret, stripePublishableKey];
