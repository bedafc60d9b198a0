import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { KeysmithError } from "@keysmith/core";
import { Type } from "typebox";
import type { ActionContext } from "../domain/access.js";
import type { RootKeyRecord } from "../domain/records.js";
import type { App } from "../http-types.js";
import { checkedJsonParser } from "../plugins/json-body.js";
import type { LeakService } from "../services/leaks.js";
import { ErrorResponse } from "./schemas.js";

/** GitHub's secret-scanning public keys by identifier (its `meta/public_keys/secret_scanning`). */
export type GithubScanningKeys = ReadonlyMap<string, KeyObject>;

const Match = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 1024 }),
    type: Type.String({ maxLength: 200 }),
    url: Type.Optional(Type.String({ maxLength: 2000 })),
    source: Type.Optional(Type.String({ maxLength: 100 })),
  },
  // GitHub may add fields to its payload; they are read past, not refused.
  { additionalProperties: true },
);

const Label = Type.Object({
  token_hash: Type.String({ description: "SHA-256 (hex) of the token: the token itself is never echoed" }),
  token_type: Type.String(),
  label: Type.Union([Type.Literal("true_positive"), Type.Literal("false_positive")]),
});

/** keysmith acting on GitHub's report: audited as `system`, allowed to revoke any project's key. */
const GITHUB: RootKeyRecord = Object.freeze({
  id: "github-secret-scanning",
  projectId: null,
  name: "GitHub secret scanning",
  hash: "",
  start: "",
  last4: "",
  scopes: ["admin"],
  environments: null,
  expiresAt: null,
  createdAt: 0,
  createdBy: null,
  revokedAt: null,
  lastUsedAt: null,
});

/**
 * Checks GitHub's signature: ECDSA P-256 with SHA-256 over the raw body, base64 DER in
 * `Github-Public-Key-Signature`, by the key named in `Github-Public-Key-Identifier`.
 */
export function githubSignatureValid(
  keys: GithubScanningKeys,
  identifier: unknown,
  signature: unknown,
  rawBody: string,
): boolean {
  if (typeof identifier !== "string" || typeof signature !== "string") return false;
  const key = keys.get(identifier);
  if (!key) return false;
  try {
    return verify(
      "sha256",
      Buffer.from(rawBody),
      { key, dsaEncoding: "der" },
      Buffer.from(signature, "base64"),
    );
  } catch {
    return false;
  }
}

/**
 * `POST /v1/leaks/github`: GitHub's secret-scanning partner endpoint. GitHub finds keysmith keys
 * in public repositories and gists and posts them here, signed; every live one is revoked (or
 * flagged, by its project's leakPolicy; root keys always revoked) and raises `key.leaked`. The
 * answer is GitHub's feedback format (snake_case, as GitHub reads it). Without configured public
 * keys (`KEYSMITH_GITHUB_SCANNING_KEYS`) every call answers 401.
 */
export function githubLeakRoutes(app: App, deps: { leaks: LeakService; keys: GithubScanningKeys }): void {
  app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    // The signature covers the raw body: it is checked here, before the JSON is parsed.
    const parseJson = checkedJsonParser(scope.getDefaultJsonParser("error", "error"));
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
      const raw = body as string;
      const { headers } = request;
      const signed = githubSignatureValid(
        deps.keys,
        headers["github-public-key-identifier"],
        headers["github-public-key-signature"],
        raw,
      );
      if (!signed) {
        return done(new KeysmithError("UNAUTHORIZED", "The GitHub signature is missing or does not verify."));
      }
      parseJson(request, raw, done);
    });

    scope.post(
      "/v1/leaks/github",
      {
        config: { scope: "none" },
        schema: {
          tags: ["keys"],
          summary:
            "GitHub secret-scanning partner endpoint: signed reports of keysmith keys found in public; live ones are revoked and alerted",
          body: Type.Array(Match, { minItems: 1, maxItems: 1000 }),
          response: { 200: Type.Array(Label), 400: ErrorResponse, 401: ErrorResponse },
        },
      },
      async (request) => {
        const ctx: ActionContext = {
          actor: GITHUB,
          actorType: "system",
          requestId: request.id,
          sourceIp: request.ip ?? null,
        };
        const labels = await deps.leaks.partnerReport(ctx, request.body, "github-secret-scanning");
        return labels.map((l) => ({
          token_hash: l.tokenHash,
          token_type: l.tokenType,
          label: l.truePositive ? ("true_positive" as const) : ("false_positive" as const),
        }));
      },
    );
  });
}

/**
 * Reads GitHub's key list, as served at `api.github.com/meta/public_keys/secret_scanning`:
 * `{ "public_keys": [{ "key_identifier", "key" (PEM), "is_current" }] }`. Throws a one-line
 * Error naming what is wrong.
 */
export function parseGithubScanningKeys(
  json: string,
  createKey: (pem: string) => KeyObject,
): GithubScanningKeys {
  const parsed = JSON.parse(json) as { public_keys?: { key_identifier?: unknown; key?: unknown }[] };
  if (!Array.isArray(parsed.public_keys))
    throw new Error("expected { public_keys: [...] } as GitHub serves it");
  const keys = new Map<string, KeyObject>();
  for (const entry of parsed.public_keys) {
    if (typeof entry.key_identifier !== "string" || typeof entry.key !== "string") {
      throw new Error("every public key needs key_identifier and key (PEM)");
    }
    keys.set(entry.key_identifier, createKey(entry.key));
  }
  return keys;
}

/** `KEYSMITH_GITHUB_SCANNING_KEYS`: GitHub's key list as JSON, or the path of a file holding it. */
export function readGithubScanningKeys(value: string): GithubScanningKeys {
  let text = value;
  if (!value.trim().startsWith("{")) {
    try {
      text = readFileSync(value, "utf8");
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new Error(
        `KEYSMITH_GITHUB_SCANNING_KEYS=${JSON.stringify(value)}: expected GitHub's secret-scanning keys (the JSON of api.github.com/meta/public_keys/secret_scanning) or the path of a file holding them; ${code === "ENOENT" ? "no such file" : `the file cannot be read (${String(code)})`}`,
      );
    }
  }
  try {
    return parseGithubScanningKeys(text, (pem) => createPublicKey(pem));
  } catch (error) {
    throw new Error(`KEYSMITH_GITHUB_SCANNING_KEYS: ${(error as Error).message}`);
  }
}
