/**
 * `require` for a CommonJS package (dotenv, smol-toml), made on first use: importing
 * `node:module` up front would load it, and its source-map support, on every start of the CLI,
 * `keysmith --help` and `keysmith run` included.
 *
 * @example const { parse } = requireLazily("dotenv") as typeof import("dotenv");
 */
export function requireLazily(id: string): unknown {
  return process.getBuiltinModule("node:module").createRequire(import.meta.url)(id);
}
