import { CliError, EXIT } from "../io.js";

// On `keysmith run`'s start path (only when an environment answered no secrets): no commander.

/** One GET of the management API, from whichever client the command uses. */
export type GetJson = <T>(path: string, query: Record<string, string | undefined>) => Promise<T>;

interface SecretPage {
  data: { environment: string }[];
  nextCursor: string | null;
}

/**
 * Throws `UNKNOWN_ENVIRONMENT` (exit 2) unless the vault environment holds or once held a secret
 * of the project: an environment exists once a secret was set in it (the vault has no separate
 * list of environments). The message lists the environments the project has.
 *
 * @example await requireKnownEnvironment(get, "proj_1", "prodction", "--allow-empty runs anyway")
 */
export async function requireKnownEnvironment(
  get: GetJson,
  projectId: string | undefined,
  environment: string,
  override: string,
): Promise<void> {
  const here = await get<SecretPage>("/v1/secrets", {
    projectId,
    environment,
    includeDeleted: "true",
    limit: "1",
  });
  if (here.data.length > 0) return;
  const known = await knownEnvironments(get, projectId);
  const project = projectId ? `project ${projectId}` : "this project";
  const list =
    known.length === 0
      ? `${project} has no vault environment yet (\`keysmith secrets set NAME --env ${environment}\` creates one)`
      : `known environments: ${known.join(", ")}`;
  throw new CliError(
    `the environment "${environment}" has no secrets and was never created in ${project}; ${list}` +
      (override ? `; ${override}` : ""),
    EXIT.ERROR,
    { code: "UNKNOWN_ENVIRONMENT", details: { environment, knownEnvironments: known } },
  );
}

/** Every environment that holds or held a secret of the project, sorted. */
export async function knownEnvironments(get: GetJson, projectId: string | undefined): Promise<string[]> {
  const environments = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await get<SecretPage>("/v1/secrets", {
      projectId,
      includeDeleted: "true",
      limit: "500",
      cursor,
    });
    for (const secret of page.data) environments.add(secret.environment);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return [...environments].sort();
}
