import { afterEach, describe, expect, it, vi } from "vitest";
import { IdentityRepository } from "../repositories/identities.js";
import { RoleRepository } from "../repositories/roles.js";
import { conformance, failingChecks, repositoryContext } from "./harness.js";
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
  afterEach(() => vi.restoreAllMocks());
  for (const [area, repository, suite] of AREAS) {
    const methods = Object.getOwnPropertyNames(repository.prototype).filter((m) => m !== "constructor");
    it.each(methods)(`${area}: %s`, async (method) => {
      vi.spyOn(repository.prototype as unknown as Record<string, () => unknown>, method).mockImplementation(
        async () => undefined,
      );
      expect(await failingChecks(suite, db.fresh)).not.toEqual([]);
    });
  }
});
