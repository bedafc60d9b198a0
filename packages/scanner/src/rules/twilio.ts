/**
 * Twilio credentials. Format from Twilio Docs, "API keys overview" (API key SIDs start with `SK`)
 * and "Glossary: What is a SID?" (Account SIDs start with `AC`): two letters followed by 32
 * hexadecimal characters. An API key SID is reported as an error (its secret travels with it);
 * an Account SID alone identifies an account and is reported as info.
 */
import type { Rule } from "../types.js";
import { isPlaceholder, shannonEntropy, startsWord } from "./validators.js";

const HEX = new Uint8Array(256);
for (const c of "0123456789abcdefABCDEF") HEX[c.charCodeAt(0)] = 1;

// The keyword is only two letters, so reject most hits (`TASK`, `BACK…`) before decoding the line.
function sidAt(bytes: Uint8Array, start: number, end: number): boolean {
  if (!startsWord(bytes, start) || end + 32 > bytes.length) return false;
  for (let i = end; i < end + 32; i++) if (HEX[bytes[i] as number] === 0) return false;
  return true;
}

const randomHex = (secret: string): boolean =>
  !isPlaceholder(secret.slice(2)) && shannonEntropy(secret.slice(2)) >= 3;

export const twilioApiKey: Rule = {
  id: "twilio-api-key",
  title: "Twilio API key SID",
  severity: "error",
  description:
    "A Twilio API key SID (its secret is usually next to it). Delete the key in the Twilio Console.",
  keywords: ["SK"],
  regex: /(?<![A-Za-z0-9_])SK[0-9a-fA-F]{32}(?![0-9A-Za-z_])/g,
  quickCheck: sidAt,
  validate: randomHex,
};

export const twilioAccountSid: Rule = {
  id: "twilio-account-sid",
  title: "Twilio Account SID",
  severity: "info",
  description:
    "A Twilio Account SID: an identifier, not a secret, but a sign that an auth token may be nearby.",
  keywords: ["AC"],
  regex: /(?<![A-Za-z0-9_])AC[0-9a-fA-F]{32}(?![0-9A-Za-z_])/g,
  quickCheck: sidAt,
  validate: randomHex,
};

export const rules: readonly Rule[] = [twilioApiKey, twilioAccountSid];
