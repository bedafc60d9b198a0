/**
 * AWS credentials. Format from the AWS IAM User Guide, "IAM identifiers" (unique ID prefixes:
 * `AKIA` access key, `ASIA` temporary STS access key, `ABIA` STS service bearer token, `ACCA`
 * context-specific credential) and "Managing access keys for IAM users" (a secret access key is
 * 40 characters of base64: letters, digits, `+` and `/`). A 40-character string is only taken
 * for a secret access key when it is assigned to a name like `aws_secret_access_key` /
 * `SecretAccessKey`, or sits within three lines of an access key id.
 */
import type { Rule } from "../types.js";
import { isPlaceholder, looksRandom, shannonEntropy, startsWord } from "./validators.js";

const ID_PREFIXES = ["AKIA", "ASIA", "ABIA", "ACCA"];
const ID_PATTERN = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g;

/** True when `text` holds an access key id that is not a documentation placeholder. */
function hasRealKeyId(text: string): boolean {
  for (const match of text.matchAll(ID_PATTERN)) if (!isPlaceholder(match[0])) return true;
  return false;
}

export const awsAccessKeyId: Rule = {
  id: "aws-access-key-id",
  title: "AWS access key id",
  severity: "error",
  description:
    "An AWS access key id (AKIA/ASIA/ABIA/ACCA). Its secret is likely nearby: deactivate the key in IAM and create a new one.",
  keywords: ID_PREFIXES,
  regex: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/g,
  quickCheck: startsWord,
  validate: (secret) => !isPlaceholder(secret) && shannonEntropy(secret.slice(4)) >= 2.5,
};

const SECRET_NAME = /(?:aws)?_?secret_?(?:access)?_?key/i;
// The name a value is assigned to, right before it: `aws_secret_access_key = "`, `SecretKey: `.
const ASSIGNED_NAME =
  /([A-Za-z0-9_.-]{0,80}(?:secret|Secret|SECRET)[A-Za-z0-9_.-]{0,40})["']?[ \t]{0,4}(?:=|:|=>)[ \t]{0,4}["']?$/;

export const awsSecretAccessKey: Rule = {
  id: "aws-secret-access-key",
  title: "AWS secret access key",
  severity: "error",
  description:
    "An AWS secret access key, assigned to an aws_secret_access_key-like name or next to an access key id. Deactivate the key pair in IAM.",
  keywords: [
    "aws_secret",
    "AWS_SECRET",
    "secret_access_key",
    "SECRET_ACCESS_KEY",
    "SecretAccessKey",
    "secretAccessKey",
    "SecretKey",
    ...ID_PREFIXES,
  ],
  window: { before: 3, after: 3 },
  reach: { before: 2048, after: 2048 },
  // A 40-character base64 run standing alone. The name it is assigned to is looked for in the
  // 120 characters before it by the validator (an optional name group here backtracked across
  // long alphanumeric runs: quadratic time, issue #20).
  regex: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
  validate: (secret, match) => {
    if (
      !looksRandom(secret, 4) ||
      !/[0-9/+]/.test(secret) ||
      !/[a-z]/.test(secret) ||
      !/[A-Z]/.test(secret)
    ) {
      return false;
    }
    const before = match.input.slice(Math.max(0, match.index - 120), match.index);
    const name = ASSIGNED_NAME.exec(before)?.[1];
    if (name !== undefined && SECRET_NAME.test(name)) return true;
    // Otherwise only when a (non-placeholder) access key id is in the window the regex ran on.
    return hasRealKeyId(match.input);
  },
};

export const rules: readonly Rule[] = [awsAccessKeyId, awsSecretAccessKey];
