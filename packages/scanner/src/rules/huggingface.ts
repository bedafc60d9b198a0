/**
 * Hugging Face access tokens. Format from the Hugging Face Hub documentation, "User access
 * tokens": `hf_` followed by 34 letters.
 */
import type { Rule } from "../types.js";
import { looksRandom, startsWord } from "./validators.js";

export const huggingfaceToken: Rule = {
  id: "huggingface-token",
  title: "Hugging Face access token",
  severity: "error",
  description: "A Hugging Face user access token. Invalidate it in the Hub's Settings, Access Tokens.",
  keywords: ["hf_"],
  regex: /(?<![A-Za-z0-9_])hf_[A-Za-z]{34}(?![A-Za-z0-9_])/g,
  quickCheck: startsWord,
  validate: (secret) =>
    looksRandom(secret.slice(3), 3.5) && /[A-Z]/.test(secret) && /[a-z]/.test(secret.slice(3)),
};

export const rules: readonly Rule[] = [huggingfaceToken];
