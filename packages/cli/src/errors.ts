import { ApiError, NetworkError } from "./client.js";
import { redactKeys } from "./format.js";
import { CliError, type Io } from "./io.js";
import { describeSource, usedSetting } from "./settings.js";

// On `keysmith run`'s start path: no commander here.

/** The flags and positional arguments of the command that failed, so errors can name them. */
export interface Exposed {
  /** Long flags: `--project`, `--env`, … */
  flags: readonly string[];
  /** Positional argument names: `name`, `id`, … */
  args: readonly string[];
}

/**
 * API fields whose flag is not simply their kebab-case form (`ownerId` is `--owner`, not
 * `--owner-id`). A field maps to the first of its flags the command has.
 */
const FIELD_FLAGS: Readonly<Record<string, readonly string[]>> = {
  projectId: ["--project"],
  environment: ["--env"],
  ownerId: ["--owner"],
  keyId: ["--key"],
  expiresAt: ["--expires-at", "--expires-in"],
  gracePeriod: ["--grace"],
  ratelimits: ["--ratelimit"],
  defaultRatelimits: ["--ratelimit"],
  roles: ["--role"],
  costTable: ["--cost"],
  includeDeleted: ["--deleted"],
};

/** What a pattern means, for the fields whose pattern a person should not have to read. */
const PATTERN_MEANING: Readonly<Record<string, string>> = {
  environment: "lower-case letters, digits, _ . and -, starting with a letter or digit (production, pr-142)",
  name: "an environment-variable name: upper-case letters, digits and _, not starting with a digit",
  projectId: "a project id, proj_ and 22 letters or digits (`keysmith projects list` shows them)",
};

const PROJECT_HINT = "pass --project <id>, set KEYSMITH_PROJECT, or run `keysmith link --project <id>`";

/** The flag (or `<argument>`) a command exposes for an API field, or null. */
export function flagFor(field: string, exposed: Exposed | undefined): string | null {
  if (!exposed) return null;
  const kebab = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  for (const flag of [...(FIELD_FLAGS[field] ?? []), kebab]) if (exposed.flags.includes(flag)) return flag;
  return exposed.args.includes(field) ? `<${field}>` : null;
}

/**
 * A failure in the CLI's words, one line: API field names become the command's flags, with the
 * fix when the CLI knows it; the stable code and request id stay at the end.
 *
 * @example describeError(apiError, io, { flags: ["--project"], args: [] })
 * // "--project is required: this root key is bound to all projects; pass --project <id>, … (UNPROCESSABLE, request req_1)"
 */
export function describeError(error: unknown, io: Io, exposed?: Exposed): string {
  if (error instanceof ApiError) {
    const where = error.requestId === null ? error.code : `${error.code}, request ${error.requestId}`;
    return `${oneLine(userMessage(error, io, exposed))} (${where})`;
  }
  if (error instanceof CliError) {
    return error.code === undefined ? oneLine(error.message) : `${oneLine(error.message)} (${error.code})`;
  }
  if (error instanceof NetworkError) return oneLine(error.message);
  return `unexpected error: ${oneLine(error instanceof Error ? error.message : String(error))}`;
}

/**
 * The error as `--json` prints it: the API's `{ error: { code, message, requestId, details? } }`
 * with `message` in the CLI's words and the server's own as `serverMessage`. Null for errors
 * without a stable code.
 */
export function errorJson(
  error: unknown,
  io: Io,
  exposed?: Exposed,
): { error: Record<string, unknown> } | null {
  if (error instanceof ApiError) {
    return {
      error: {
        code: error.code,
        message: redactKeys(oneLine(userMessage(error, io, exposed))),
        serverMessage: redactKeys(error.message),
        requestId: error.requestId,
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    };
  }
  if (error instanceof CliError && error.code !== undefined) {
    return {
      error: {
        code: error.code,
        message: redactKeys(oneLine(error.message)),
        ...(error.details === undefined ? {} : { details: error.details }),
      },
    };
  }
  return null;
}

function userMessage(error: ApiError, io: Io, exposed: Exposed | undefined): string {
  const field = fieldOf(error.details);
  if (field === "projectId" && error.code === "UNPROCESSABLE") {
    return `a project is needed: this root key is bound to all projects; ${PROJECT_HINT}`;
  }
  if (error.code === "PROJECT_NOT_FOUND") {
    const project = usedSetting(io, "project");
    if (project) {
      return (
        `no project ${project.value} (from ${describeSource(project)}) that this root key can see; ` +
        "`keysmith projects list` shows the ones it can"
      );
    }
  }
  if (error.code === "VALIDATION_ERROR" && Array.isArray(error.details) && error.details.length > 0) {
    const parts = error.details.map((detail) => validationPart(detail, exposed)).filter((p) => p !== null);
    if (parts.length > 0) return parts.join("; ");
  }
  return renameFields(error.message, exposed);
}

/** One schema complaint as `--env: must match …`, when the field is one of the command's flags. */
function validationPart(detail: unknown, exposed: Exposed | undefined): string | null {
  if (typeof detail !== "object" || detail === null) return null;
  const { path, message, field } = detail as { path?: unknown; message?: unknown; field?: unknown };
  const name =
    typeof field === "string"
      ? field
      : typeof path === "string"
        ? path
            .split("/")
            .filter((segment) => segment !== "" && !/^\d+$/.test(segment))
            .pop()
        : undefined;
  if (name === undefined) return null;
  const flag = flagFor(name, exposed);
  if (flag === null) return null;
  const text = typeof message === "string" ? message : "is invalid";
  const meaning = text.startsWith("must match pattern") ? PATTERN_MEANING[name] : undefined;
  return `${flag}: ${meaning ? `expected ${meaning}` : renameFields(text, exposed)}`;
}

/** `projectId is required …` → `--project is required …`, for the fields the command has flags for. */
function renameFields(message: string, exposed: Exposed | undefined): string {
  return message.replace(/\b[a-z]+(?:[A-Z][a-z]*)+\b/g, (word) => flagFor(word, exposed) ?? word);
}

function fieldOf(details: unknown): string | undefined {
  if (typeof details !== "object" || details === null) return undefined;
  const field = (details as { field?: unknown }).field;
  return typeof field === "string" ? field : undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
