import { afterEach, describe, expect, it, vi } from "vitest";
import { AlertRepository } from "../repositories/alerts.js";
import { SessionRepository } from "../repositories/sessions.js";
import { WebhookRepository } from "../repositories/webhooks.js";
import { alertChecks } from "./alerts-checks.js";
import { type Check, conformance, failingChecks, repositoryContext } from "./harness.js";
import { sessionChecks } from "./sessions-checks.js";
import { webhookChecks } from "./webhooks-checks.js";

conformance("sessions", sessionChecks);
conformance("webhooks", webhookChecks);
conformance("alerts", alertChecks);

// As for the core areas: break each method in turn (it does nothing and answers nothing) and
// the area's suite must notice.
const AREAS: [string, { prototype: object }, readonly Check[]][] = [
  ["sessions", SessionRepository, sessionChecks],
  ["webhooks", WebhookRepository, webhookChecks],
  ["alerts", AlertRepository, alertChecks],
];

describe("the conformance suites catch a broken repository method", () => {
  const db = repositoryContext("sqlite");
  afterEach(() => vi.restoreAllMocks());
  for (const [area, repository, suite] of AREAS) {
    const methods = Object.getOwnPropertyNames(repository.prototype).filter((m) => m !== "constructor");
    it.each(methods)(`${area}: %s`, async (method) => {
      vi.spyOn(repository.prototype as Record<string, () => unknown>, method).mockImplementation(
        async () => undefined,
      );
      expect(await failingChecks(suite, db.fresh)).not.toEqual([]);
    });
  }

  it("webhooks: a claim that ignores the per-endpoint cap", async () => {
    const claimDue = WebhookRepository.prototype.claimDue;
    vi.spyOn(WebhookRepository.prototype, "claimDue").mockImplementation(function (
      this: WebhookRepository,
      o,
    ) {
      return claimDue.call(this, { ...o, perEndpoint: 1000 });
    });
    expect(await failingChecks(webhookChecks, db.fresh)).toEqual([
      "claims each due delivery once, oldest first, at most so many per endpoint, none of a busy endpoint",
    ]);
  });
});
