/**
 * PEM-encoded private keys. Format from RFC 7468 ("Textual Encodings of PKIX, PKCS, and CMS
 * Structures", the `-----BEGIN PRIVATE KEY-----` / `-----END PRIVATE KEY-----` boundaries and
 * base64 body), with the labels OpenSSL writes for PKCS #1 (`RSA PRIVATE KEY`), SEC 1
 * (`EC PRIVATE KEY`), encrypted PKCS #8 (`ENCRYPTED PRIVATE KEY`), OpenSSH's `OPENSSH PRIVATE
 * KEY` (OpenSSH PROTOCOL.key) and OpenPGP's `PGP PRIVATE KEY BLOCK` (RFC 4880, ASCII armor).
 * The key may span real lines or be one JSON string with `\n` escapes (service-account files).
 */
import type { Rule } from "../types.js";
import { hasPlaceholderMarker, shannonEntropy } from "./validators.js";

const HEADER_LINE = /^(?:Proc-Type|DEK-Info|Comment|Version|Hash):.*$/gm;

/** The base64 payload of a PEM block: headers, escapes, quotes and whitespace removed. */
function payload(block: string): string {
  const start = block.indexOf("-----", 5) + 5;
  const end = block.lastIndexOf("-----END");
  return block
    .slice(start, end)
    .replace(/\\[nr]/g, "\n")
    .replace(HEADER_LINE, "")
    .replace(/[^A-Za-z0-9+/=]/g, "");
}

export const privateKey: Rule = {
  id: "private-key",
  title: "Private key (PEM)",
  severity: "error",
  description:
    "A PEM-encoded private key (RSA, EC, DSA, PKCS #8, OpenSSH or PGP). Replace the key pair and revoke its certificates.",
  keywords: ["PRIVATE KEY"],
  window: { before: 0, after: 400 },
  reach: { before: 64, after: 20_000 },
  // The body never holds `--`, so a search from one BEGIN stops at the next boundary: linear time
  // even over a file of BEGIN lines.
  regex:
    /-----BEGIN (?<label>(?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----(?:[^-]|-(?!-)){0,16384}?-----END \k<label>-----/g,
  validate: (secret) => {
    const body = payload(secret);
    // Not `looksRandom`: its run test took the `AAAA…` runs of an OpenSSH key's binary header
    // (lengths and zero fields, base64-encoded) for a placeholder, so every ssh-keygen key was missed.
    return body.length >= 64 && !hasPlaceholderMarker(body) && shannonEntropy(body) >= 4;
  },
  mask: (secret) => {
    const header = secret.slice(0, secret.indexOf("-----", 5) + 5);
    return `${header} ${payload(secret).slice(0, 4)}… (${secret.length} chars)`;
  },
};

export const rules: readonly Rule[] = [privateKey];
