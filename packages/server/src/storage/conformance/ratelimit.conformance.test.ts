import { afterEach, describe, expect, it, vi } from "vitest";
import { RateLimitOverrideRepository } from "../repositories/ratelimit-overrides.js";
import { conformance, failingChecks, repositoryContext } from "./harness.js";
import { ratelimitOverrideChecks } from "./ratelimit-checks.js";

conformance("rate-limit overrides", ratelimitOverrideChecks);

// Break each method in turn (it does nothing and answers nothing): the suite must notice.
describe("the rate-limit override suite catches a broken repository method", () => {
  const db = repositoryContext("sqlite");
  afterEach(() => vi.restoreAllMocks());
  const methods = Object.getOwnPropertyNames(RateLimitOverrideRepository.prototype).filter(
    (m) => m !== "constructor",
  );
  it.each(methods)("rate-limit overrides: %s", async (method) => {
    vi.spyOn(
      RateLimitOverrideRepository.prototype as unknown as Record<string, () => unknown>,
      method,
    ).mockImplementation(async () => undefined);
    expect(await failingChecks(ratelimitOverrideChecks, db.fresh)).not.toEqual([]);
  });

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
