/**
 * JSON Web Tokens. Format from RFC 7519 (JWT) and RFC 7515 (JWS compact serialization): three
 * base64url parts separated by `.`, the first a JSON header with an `alg` member. Signed tokens
 * are bearer credentials until they expire. The well-known example token of the jwt.io
 * introduction (subject `1234567890`) and tokens whose claims are placeholders are skipped.
 */
import type { Rule } from "../types.js";

// Claims of documentation tokens (jwt.io's introduction uses subject 1234567890, "John Doe").
const PLACEHOLDER_CLAIMS = ['"1234567890"', "john doe", "example", "xxxx", "your-", "your_", "placeholder"];

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

export const jwt: Rule = {
  id: "jwt",
  title: "JSON Web Token",
  severity: "warning",
  description:
    "A signed JSON Web Token: a bearer credential until it expires. Rotate the signing key if it is long-lived.",
  keywords: ["eyJ"],
  reach: { before: 16, after: 11_100 },
  regex:
    /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,2000}\.[A-Za-z0-9_-]{10,8000}\.[A-Za-z0-9_-]{16,1000}(?![A-Za-z0-9_-])/g,
  validate: (secret) => {
    const [header, payload] = secret.split(".");
    const decoded = decodeJson(header ?? "");
    if (typeof decoded !== "object" || decoded === null || !("alg" in decoded)) return false;
    if (typeof decoded.alg !== "string" || decoded.alg.toLowerCase() === "none") return false;
    const claims = Buffer.from(payload ?? "", "base64url")
      .toString("utf8")
      .toLowerCase();
    return !PLACEHOLDER_CLAIMS.some((marker) => claims.includes(marker));
  },
};

export const rules: readonly Rule[] = [jwt];
