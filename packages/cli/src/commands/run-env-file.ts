import { readFileSync } from "node:fs";
import { CliError } from "../io.js";
import { parseDotenv } from "./secrets-dotenv.js";

/**
 * `keysmith run --env-file FILE`: a `.env` template whose values are either plain (passed
 * through) or references into the vault, resolved at start like `op run --env-file`:
 *
 *   STRIPE_KEY=ks://production/STRIPE_KEY   the secret STRIPE_KEY of the environment production
 *   OPENAI_KEY=ks://OPENAI_KEY              OPENAI_KEY of the current environment (--env, KEYSMITH_ENV, keysmith link)
 *   PORT=8080                               a plain value
 */

/** A `ks://` value: where it is in the file and what it names. */
export interface Reference {
  /** The variable the child gets. */
  variable: string;
  /** The environment it names, or null for the current one. */
  environment: string | null;
  secret: string;
  /** `FILE:LINE` of the variable's (last) assignment. */
  where: string;
  /** The reference as written. */
  text: string;
}

export interface EnvTemplate {
  /** Every variable in file order, plain values as they are. */
  entries: (readonly [variable: string, value: string])[];
  references: Reference[];
}

export const SCHEME = "ks://";
const REFERENCE = /^ks:\/\/(?:([a-z0-9][a-z0-9_.-]{0,62})\/)?([A-Z_][A-Z0-9_]{0,127})$/;

/**
 * The variables of an env template and its `ks://` references; a malformed reference is an error
 * naming its line.
 *
 * @example readEnvTemplate(".env.keysmith").references[0] // { variable: "STRIPE_KEY", environment: "production", secret: "STRIPE_KEY", … }
 */
export function readEnvTemplate(file: string): EnvTemplate {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`cannot read the env file ${file}: ${(error as Error).message}`);
  }
  return parseEnvTemplate(text, file);
}

/** `readEnvTemplate` on a text already read. */
export function parseEnvTemplate(text: string, file: string): EnvTemplate {
  let entries: ReturnType<typeof parseDotenv>;
  try {
    entries = parseDotenv(text);
  } catch (error) {
    throw new CliError(`${file}: ${(error as Error).message}`);
  }
  const lines = text.split(/\r\n?|\n/);
  const references: Reference[] = [];
  for (const [variable, value] of entries) {
    if (!value.startsWith(SCHEME)) continue;
    const where = `${file}:${lineOf(lines, variable)}`;
    const match = REFERENCE.exec(value);
    if (!match) {
      throw new CliError(
        `${where}: ${variable}=${value} is not a secret reference: write ks://ENVIRONMENT/NAME or ks://NAME`,
      );
    }
    references.push({
      variable,
      environment: match[1] ?? null,
      secret: match[2] as string,
      where,
      text: value,
    });
  }
  return { entries, references };
}

/** The 1-based line of a variable's last assignment (dotenv keeps the last one). */
function lineOf(lines: readonly string[], variable: string): number {
  const escaped = variable.replace(/[.]/g, "\\.");
  const assignment = new RegExp(`^\\s*(?:export\\s+)?${escaped}\\s*[=:]`);
  for (let i = lines.length - 1; i >= 0; i--) if (assignment.test(lines[i] as string)) return i + 1;
  return 0;
}
