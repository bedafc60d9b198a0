/**
 * What a secret may be called. Names are environment-variable names (`keysmith run` exports
 * them as they are): an upper-case letter or `_`, then upper-case letters, digits and `_`.
 * Environments are any lower-case label (`development`, `staging`, `production`, `pr-142`).
 */
export const SECRET_NAME_PATTERN = "^[A-Z_][A-Z0-9_]{0,127}$";
export const VAULT_ENVIRONMENT_PATTERN = "^[a-z0-9][a-z0-9_.-]{0,62}$";
/** The largest value, in UTF-8 bytes. */
export const MAX_SECRET_BYTES = 64 * 1024;

const NAME_RE = new RegExp(SECRET_NAME_PATTERN);
const ENVIRONMENT_RE = new RegExp(VAULT_ENVIRONMENT_PATTERN);

export function isSecretName(value: string): boolean {
  return NAME_RE.test(value);
}

export function isVaultEnvironment(value: string): boolean {
  return ENVIRONMENT_RE.test(value);
}
