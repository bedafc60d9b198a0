/**
 * OpenAI API keys. Format from OpenAI's API reference ("Authentication") and its help-center
 * article on project API keys: project keys `sk-proj-…`, service-account keys `sk-svcacct-…`,
 * admin keys `sk-admin-…`, and legacy user keys `sk-` + 20 characters + `T3BlbkFJ` (base64 of
 * "OpenAI") + 20 characters. Current keys are long base64url bodies that also embed `T3BlbkFJ`.
 */
import type { Rule } from "../types.js";
import { looksRandom } from "./validators.js";

export const openaiApiKey: Rule = {
  id: "openai-api-key",
  title: "OpenAI API key",
  severity: "error",
  description:
    "An OpenAI project, service-account, admin or legacy API key. Delete it in the OpenAI dashboard and create a new one.",
  keywords: ["sk-proj-", "sk-svcacct-", "sk-admin-", "T3BlbkFJ"],
  regex:
    /(?<![A-Za-z0-9_-])(?:sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,300}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![A-Za-z0-9_-])/g,
  validate: (secret) => looksRandom(secret.slice(secret.indexOf("-", 3) + 1), 3.5),
};

export const rules: readonly Rule[] = [openaiApiKey];
