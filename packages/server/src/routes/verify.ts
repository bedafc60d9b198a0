import type { FastifyReply } from "fastify";
import type { Static } from "typebox";
import type { App, Services } from "../http-types.js";
import type { Metrics } from "../plugins/metrics.js";
import { compileSerializer } from "../plugins/serializers.js";
import type { VerifyResult } from "../verify/verifier.js";
import { ErrorResponse, VerifyBody, VerifyResponse } from "./schemas.js";

/**
 * The route's serializers, compiled from its response schemas like every route's
 * (plugins/serializers.ts), with one difference for 200: a frozen answer — every answer of a
 * cached key that has no rate limit, credits or budget, the same object each time
 * (verifier.ts) — is serialized once and its JSON reused. The JSON dies with the answer (a
 * WeakMap), when the key leaves the cache.
 */
const verifySerializers = ({ schema, httpStatus }: { schema: unknown; httpStatus?: string }) => {
  const serialize = compileSerializer(schema);
  if (String(httpStatus) !== "200") return serialize;
  const serialized = new WeakMap<object, string>();
  return (result: VerifyResult): string => {
    let json = serialized.get(result);
    if (json === undefined) {
      json = serialize(result);
      if (Object.isFrozen(result)) serialized.set(result, json);
    }
    return json;
  };
};

/**
 * `POST /v1/keys/verify`. The hot path: the handler is synchronous so a cached key is
 * answered without a promise, and the response schema compiles the serializer (with the
 * JSON of unchanging answers kept: see verifySerializers).
 */
export function verifyRoutes(app: App, { verifier, clock }: Services, metrics: Metrics): void {
  // The cached answers are frozen (readonly arrays); the serializer only reads them.
  const record = (result: VerifyResult): Static<typeof VerifyResponse> => {
    metrics.verification(result.code);
    if (result.degraded) metrics.degradedVerification();
    return result as Static<typeof VerifyResponse>;
  };

  app.post(
    "/v1/keys/verify",
    {
      config: { scope: "keys:verify" },
      serializerCompiler: verifySerializers,
      schema: {
        tags: ["verify"],
        summary: "Verify a key: 200 with valid and the first failing check's code",
        body: VerifyBody,
        response: { 200: VerifyResponse, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    (request, reply) => {
      // The route's declared scope (keys:verify) was checked before the body was parsed.
      const actor = request.actor as NonNullable<typeof request.actor>;
      const result = verifier.verify(request.body, actor.projectId);
      if (result instanceof Promise) {
        return result.then((r) => {
          if (r.ratelimits.length > 0) rateLimitHeaders(reply, r, clock.now());
          return record(r);
        });
      }
      if (result.ratelimits.length > 0) rateLimitHeaders(reply, result, clock.now());
      return record(result);
    },
  );
}

/**
 * The numbers of the most constrained window as IETF RateLimit headers (draft-ietf-httpapi-
 * ratelimit-headers): `RateLimit-Policy` lists every window (quota `q`, window `w` seconds),
 * `RateLimit` the tightest one (remaining `r`, seconds to reset `t`); `Retry-After` when refused.
 */
export function rateLimitHeaders(reply: FastifyReply, result: VerifyResult, now: number): void {
  const windows = result.ratelimits;
  const seconds = (iso: string) => Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
  reply.header(
    "ratelimit-policy",
    windows.map((w) => `"${w.name}";q=${w.limit};w=${Math.round((w.durationMs ?? 0) / 1000)}`).join(", "),
  );
  // Unchecked windows (the store was unreachable) have no remaining count to report.
  if (result.degraded) return;
  let tightest = windows[0] as VerifyResult["ratelimits"][number];
  for (const w of windows) if ((w.remaining ?? 0) < (tightest.remaining ?? 0)) tightest = w;
  reply.header("ratelimit", `"${tightest.name}";r=${tightest.remaining};t=${seconds(tightest.reset)}`);
  if (result.code === "RATE_LIMITED" && result.retryAt)
    reply.header("retry-after", String(Math.max(1, Math.ceil((result.retryAt - now) / 1000))));
}
