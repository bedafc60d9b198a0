import { describe } from "vitest";
import { IdentityRepository } from "../repositories/identities.js";
import { RoleRepository } from "../repositories/roles.js";
import { breakEachMethod, conformance, repositoryContext } from "./harness.js";
import { identityChecks, roleChecks } from "./identity-checks.js";

conformance("identities", identityChecks);
conformance("roles", roleChecks);

// As in core.conformance.test.ts: break each method in turn; the area's suite must notice.
const AREAS = [
  ["identities", IdentityRepository, identityChecks],
  ["roles", RoleRepository, roleChecks],
] as const;

describe("the identity and role suites catch a broken repository method", () => {
  const db = repositoryContext("sqlite");
  breakEachMethod(AREAS, db.fresh);
});
