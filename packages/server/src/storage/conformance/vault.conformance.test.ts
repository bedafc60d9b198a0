import { describe, expect, it, vi } from "vitest";
import { VaultRepository } from "../repositories/vault.js";
import { breakEachMethod, conformance, failingChecks, repositoryContext } from "./harness.js";
import { vaultChecks } from "./vault-checks.js";

conformance("vault", vaultChecks);

// The suite is only worth something if it fails when the repository is wrong: break each
// method in turn (it does nothing and answers nothing) and the suite must notice.
describe("the vault suite catches a broken repository method", () => {
  const db = repositoryContext("sqlite");
  breakEachMethod([["vault", VaultRepository, vaultChecks]], db.fresh);

  it("vault: a secret list that ignores its cursor", async () => {
    const list = VaultRepository.prototype.listSecrets;
    vi.spyOn(VaultRepository.prototype, "listSecrets").mockImplementation(function (
      this: VaultRepository,
      filter,
      _after,
      limit,
    ) {
      return list.call(this, filter, null, limit);
    });
    expect(await failingChecks(vaultChecks, db.fresh)).toEqual([
      "lists secrets by environment and name in pages, within a project, its environments and deletion",
    ]);
  });
});
