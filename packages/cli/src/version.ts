import { readFileSync } from "node:fs";

/**
 * The CLI's version, from its own package.json (one level above both src/ and dist/): `--version`
 * answers without loading the server or any command.
 */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
