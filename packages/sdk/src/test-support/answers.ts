import type { VerifyResponse } from "../types.js";

/** A VALID answer of an unmetered key (cacheable), as keysmith sends it. */
export const validAnswer: VerifyResponse = {
  valid: true,
  code: "VALID",
  keyId: "key_1",
  ownerId: "cus_1",
  projectId: "proj_1",
  type: "secret",
  environment: "live",
  scopes: ["*"],
  meta: null,
  expiresAt: null,
  ratelimits: [],
  credits: null,
  budget: null,
  identity: null,
  roles: [],
};
