import { KeysmithError } from "@keysmith/core";
import type { Static } from "typebox";
import type { App, Services } from "../http-types.js";
import type { Metrics } from "../plugins/metrics.js";
import { hasScope } from "../services/context.js";
import type { VerifyResult } from "../verify/verifier.js";
import { ErrorResponse, VerifyBody, VerifyResponse } from "./schemas.js";

/**
 * `POST /v1/keys/verify`. The hot path: the handler is synchronous so a cached key is
 * answered without a promise, and the response schema compiles the serializer.
 */
export function verifyRoutes(app: App, { verifier }: Services, metrics: Metrics): void {
  // The cached answers are frozen (readonly arrays); the serializer only reads them.
  const record = (result: VerifyResult): Static<typeof VerifyResponse> => {
    metrics.verification(result.code);
    return result as Static<typeof VerifyResponse>;
  };

  app.post(
    "/v1/keys/verify",
    {
      schema: {
        tags: ["verify"],
        summary: "Verify a key: 200 with valid and the first failing check's code",
        body: VerifyBody,
        response: { 200: VerifyResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    (request) => {
      const actor = request.actor;
      if (actor === null || !hasScope(actor, "keys:verify")) {
        throw new KeysmithError("FORBIDDEN", "This root key lacks the keys:verify scope.", {
          required: "keys:verify",
        });
      }
      const result = verifier.verify(request.body, actor.projectId);
      return result instanceof Promise ? result.then(record) : record(result);
    },
  );
}
