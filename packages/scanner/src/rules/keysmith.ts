/**
 * keysmith API keys. Format from keysmith's own specification (SPEC §3, "Key format"):
 * `<prefix>_<sk|pk|rk>_<live|test>_<body>` with a 2–12 character `[a-z0-9]` project prefix, and
 * root keys `ks_root_<live|test>_<body>`. The 36-character base62 body ends in 6 characters of
 * CRC32 over everything before them, so a real key is told from a lookalike with no database:
 * a string of the right shape with a wrong checksum is not reported.
 */
import { checkKeyFormat } from "@keysmith/core";
import type { Rule } from "../types.js";
import { alnumRun } from "./validators.js";

const afterKeyword = (bytes: Uint8Array, _start: number, end: number): boolean => alnumRun(bytes, end, 36);

export const keysmithSecretKey: Rule = {
  id: "keysmith-secret-key",
  title: "keysmith secret key",
  severity: "error",
  description:
    "A checksum-valid keysmith secret, restricted or root key. Revoke it (`keysmith keys revoke`) and roll a new one.",
  keywords: ["_sk_live_", "_sk_test_", "_rk_live_", "_rk_test_", "_root_live_", "_root_test_"],
  regex: /(?<![A-Za-z0-9_])[a-z0-9]{2,12}_(?:sk|rk|root)_(?:live|test)_[0-9A-Za-z]{36}(?![0-9A-Za-z])/g,
  quickCheck: afterKeyword,
  validate: (secret) => checkKeyFormat(secret) >= 0,
};

export const keysmithPublishableKey: Rule = {
  id: "keysmith-publishable-key",
  title: "keysmith publishable key",
  severity: "info",
  description:
    "A checksum-valid keysmith publishable key. These are meant for clients; reported for inventory only.",
  keywords: ["_pk_live_", "_pk_test_"],
  regex: /(?<![A-Za-z0-9_])[a-z0-9]{2,12}_pk_(?:live|test)_[0-9A-Za-z]{36}(?![0-9A-Za-z])/g,
  quickCheck: afterKeyword,
  validate: (secret) => checkKeyFormat(secret) >= 0,
};

export const rules: readonly Rule[] = [keysmithSecretKey, keysmithPublishableKey];
