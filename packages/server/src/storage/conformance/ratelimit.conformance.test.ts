import { describe, expect, it, vi } from "vitest";
import { RateLimitOverrideRepository } from "../repositories/ratelimit-overrides.js";
import { breakEachMethod, conformance, failingChecks, repositoryContext } from "./harness.js";
import { ratelimitOverrideChecks } from "./ratelimit-checks.js";

conformance("rate-limit overrides", ratelimitOverrideChecks);

// Break each method in turn (it does nothing and answers nothing): the suite must notice.
describe("the rate-limit override suite catches a broken repository method", () => {
  const db = repositoryContext("sqlite");
  breakEachMethod([["rate-limit overrides", RateLimitOverrideRepository, ratelimitOverrideChecks]], db.fresh);

  it("rate-limit overrides: a list that ignores its cursor", async () => {
    const list = RateLimitOverrideRepository.prototype.list;
    vi.spyOn(RateLimitOverrideRepository.prototype, "list").mockImplementation(function (
      this: RateLimitOverrideRepository,
      namespace,
      _after,
      limit,
    ) {
      return list.call(this, namespace, null, limit);
    });
    expect(await failingChecks(ratelimitOverrideChecks, db.fresh)).toEqual([
      "lists one namespace by identifier in pages, counts it, and reads it whole up to a bound",
    ]);
  });
});
