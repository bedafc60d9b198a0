import { describe, expect, it, vi } from "vitest";
import { AlertRepository } from "../repositories/alerts.js";
import { SessionRepository } from "../repositories/sessions.js";
import { WebhookRepository } from "../repositories/webhooks.js";
import { alertChecks } from "./alerts-checks.js";
import { type Area, breakEachMethod, conformance, failingChecks, repositoryContext } from "./harness.js";
import { sessionChecks } from "./sessions-checks.js";
import { webhookChecks } from "./webhooks-checks.js";

conformance("sessions", sessionChecks);
conformance("webhooks", webhookChecks);
conformance("alerts", alertChecks);

// As for the core areas: break each method in turn (it does nothing and answers nothing) and
// the area's suite must notice.
const AREAS: Area[] = [
  ["sessions", SessionRepository, sessionChecks],
  ["webhooks", WebhookRepository, webhookChecks],
  ["alerts", AlertRepository, alertChecks],
];

describe("the conformance suites catch a broken repository method", () => {
  const db = repositoryContext("sqlite");
  breakEachMethod(AREAS, db.fresh);

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
