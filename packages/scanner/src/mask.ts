import { hash } from "node:crypto";

/**
 * The part of a secret that is safe to print: its type prefix (`sk-proj-`, `acme_sk_live_`) and
 * a few characters, then `…`, then the last two — never more than 40% of it, so what is shown
 * identifies a key without being usable. Pass `prefixLength` 0 for values with no type prefix.
 *
 * @example maskSecret("ghp_16C7e42F292c6912E7710c838347Ae178B4a") // "ghp_16C7…4a"
 */
export function maskSecret(secret: string, prefixLength: number = typePrefixLength(secret)): string {
  const len = secret.length;
  if (len <= 4) return "…";
  const prefixEnd = prefixLength;
  const head = Math.max(1, Math.min(prefixEnd + 4, Math.floor(len * 0.4)));
  const tail = len >= 16 ? 2 : 0;
  return `${secret.slice(0, head)}…${tail ? secret.slice(len - tail) : ""}`;
}

// The leading run of letters ending in `_`, `-` or `.` within the first 16 characters
// (`sk-ant-api03-`, `xoxb-`, `SG.`), which says what kind of key it is and is not secret.
function typePrefixLength(secret: string): number {
  let end = 0;
  for (let i = 0; i < Math.min(secret.length, 16); i++) {
    const c = secret[i] as string;
    if (c === "_" || c === "-" || c === ".") end = i + 1;
  }
  return end;
}

/**
 * sha256(ruleId + secret + path) as hex: identifies one secret in one file without storing it.
 *
 * @example fingerprint("github-token", token, "src/app.ts").length // 64
 */
export function fingerprint(ruleId: string, secret: string, path: string): string {
  return hash("sha256", ruleId + secret + path, "hex");
}
