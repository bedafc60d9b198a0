// Generated from keysmith's OpenAPI document by scripts/generate-types.mjs. Do not edit:
// after changing a route schema, build the server and run `npm run generate -w @keysmith/sdk`.

/** keysmith API 0.1.0: every route, keyed by method and path. */
export interface Operations {
  /** Alerts raised, newest first */
  "GET /v1/alerts": {
    query: {
      projectId?: string;
      type?: "budget.threshold" | "budget.exhausted" | "key.anomaly" | "key.retry_storm" | "key.leaked" | "key.expiring" | "key.rolled" | "key.revoked" | "secret.rotation_due";
      /** A key's or root key's id */
      keyId?: string;
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        type: string;
        projectId: string | null;
        keyId: string | null;
        data: Record<string, unknown>;
        createdAt: string;
      }[];
      nextCursor: string | null;
    };
  };
  /** The append-only audit log, newest first, hash-chained */
  "GET /v1/audit": {
    query: {
      projectId?: string;
      action?: string;
      actorId?: string;
      targetId?: string;
      from?: string;
      to?: string;
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        seq: number;
        at: string;
        actorType: string;
        actorId: string | null;
        action: string;
        targetType: string | null;
        targetId: string | null;
        projectId: string | null;
        requestId: string | null;
        sourceIp: string | null;
        details: Record<string, unknown>;
        prevHash: string;
        hash: string;
      }[];
      nextCursor: string | null;
    };
  };
  /** Check the hash chain: a changed or removed entry breaks it */
  "GET /v1/audit/verify": {
    status: 200;
    response: {
      valid: boolean;
      checked: number;
      brokenAt: number | null;
      reason: string | null;
      headHash: string;
    };
  };
  /** List identities, newest first */
  "GET /v1/identities": {
    query: {
      projectId?: string;
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        projectId: string;
        externalId: string;
        /** Your JSON, returned on every verification of the identity's keys */
        meta: Record<string, unknown> | null;
        /** Shared by every key of the identity */
        ratelimits: {
          name: string;
          limit: number;
          duration: string | number;
        }[] | null;
        /** The pool the identity's keys without credits of their own draw from */
        credits: {
          remaining: number;
          refill: {
            amount: number;
            interval: string;
          } | null;
        } | null;
        createdAt: string;
        updatedAt: string;
      }[];
      nextCursor: string | null;
    };
  };
  /** Create an identity: keys whose ownerId is its externalId share its limits and credits */
  "POST /v1/identities": {
    body: {
      projectId?: string;
      /** The ownerId of the identity's keys */
      externalId: string;
      meta?: Record<string, unknown> | null;
      ratelimits?: {
        name: string;
        limit: number;
        /** At most 10 years (315576000000 ms) */
        duration: string | number;
      }[] | null;
      credits?: {
        remaining: number;
        refill?: {
          amount: number;
          interval: "day" | "month";
        } | null;
      } | null;
    };
    status: 201;
    response: {
      id: string;
      projectId: string;
      externalId: string;
      /** Your JSON, returned on every verification of the identity's keys */
      meta: Record<string, unknown> | null;
      /** Shared by every key of the identity */
      ratelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      /** The pool the identity's keys without credits of their own draw from */
      credits: {
        remaining: number;
        refill: {
          amount: number;
          interval: string;
        } | null;
      } | null;
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Read an identity */
  "GET /v1/identities/{id}": {
    params: {
      id: string;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      externalId: string;
      /** Your JSON, returned on every verification of the identity's keys */
      meta: Record<string, unknown> | null;
      /** Shared by every key of the identity */
      ratelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      /** The pool the identity's keys without credits of their own draw from */
      credits: {
        remaining: number;
        refill: {
          amount: number;
          interval: string;
        } | null;
      } | null;
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Change an identity's externalId, meta, shared rate limits or credit pool */
  "PATCH /v1/identities/{id}": {
    params: {
      id: string;
    };
    body: {
      /** The ownerId of the identity's keys */
      externalId?: string;
      meta?: Record<string, unknown> | null;
      ratelimits?: {
        name: string;
        limit: number;
        /** At most 10 years (315576000000 ms) */
        duration: string | number;
      }[] | null;
      credits?: {
        remaining: number;
        refill?: {
          amount: number;
          interval: "day" | "month";
        } | null;
      } | null;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      externalId: string;
      /** Your JSON, returned on every verification of the identity's keys */
      meta: Record<string, unknown> | null;
      /** Shared by every key of the identity */
      ratelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      /** The pool the identity's keys without credits of their own draw from */
      credits: {
        remaining: number;
        refill: {
          amount: number;
          interval: string;
        } | null;
      } | null;
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Delete an identity; its keys stay and verify with identity: null */
  "DELETE /v1/identities/{id}": {
    params: {
      id: string;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      externalId: string;
      /** Your JSON, returned on every verification of the identity's keys */
      meta: Record<string, unknown> | null;
      /** Shared by every key of the identity */
      ratelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      /** The pool the identity's keys without credits of their own draw from */
      credits: {
        remaining: number;
        refill: {
          amount: number;
          interval: string;
        } | null;
      } | null;
      createdAt: string;
      updatedAt: string;
    };
  };
  /** List keys, newest first */
  "GET /v1/keys": {
    query: {
      projectId?: string;
      ownerId?: string;
      environment?: "live" | "test";
      type?: "secret" | "publishable" | "restricted";
      status?: "active" | "revoked" | "expired" | "disabled";
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        projectId: string;
        type: "secret" | "publishable" | "restricted";
        environment: "live" | "test";
        status: "active" | "revoked" | "expired" | "disabled";
        /** The key's visible start, e.g. acme_sk_live_3fTz */
        start: string;
        last4: string;
        ownerId: string | null;
        name: string | null;
        scopes: string[];
        /** Your JSON, returned on every verification */
        meta: Record<string, unknown> | null;
        allowedOrigins: string[] | null;
        allowedIps: string[] | null;
        enabled: boolean;
        expiresAt: string | null;
        createdAt: string;
        updatedAt: string;
        lastUsedAt: string | null;
        revokedAt: string | null;
        rolledFrom: string | null;
        rolledTo: string | null;
        ratelimits: {
          name: string;
          limit: number;
          duration: string | number;
        }[] | null;
        credits: {
          remaining: number;
          refill: {
            amount: number;
            interval: string;
          } | null;
        } | null;
        budget: {
          limit: number;
          period: string;
          thresholds: number[];
          hardCap: boolean;
        } | null;
        /** The names of the roles the key holds */
        roles: string[];
      }[];
      nextCursor: string | null;
    };
  };
  /** Create a key (the plaintext is in this response only) */
  "POST /v1/keys": {
    body: {
      projectId?: string;
      type?: "secret" | "publishable" | "restricted";
      environment?: "live" | "test";
      ownerId?: string | null;
      name?: string | null;
      scopes?: string[];
      meta?: Record<string, unknown> | null;
      expiresAt?: string | null;
      enabled?: boolean;
      allowedOrigins?: string[] | null;
      allowedIps?: string[] | null;
      ratelimits?: {
        name: string;
        limit: number;
        /** At most 10 years (315576000000 ms) */
        duration: string | number;
      }[] | null;
      credits?: {
        remaining: number;
        refill?: {
          amount: number;
          interval: "day" | "month";
        } | null;
      } | null;
      budget?: {
        limit: number;
        period?: "day" | "month";
        thresholds?: number[];
        hardCap?: boolean;
      } | null;
      /** Names of the project's roles the key holds */
      roles?: string[];
    };
    status: 201;
    response: {
      /** The plaintext key. Shown this once; store it now. */
      key: string;
    } & {
      id: string;
      projectId: string;
      type: "secret" | "publishable" | "restricted";
      environment: "live" | "test";
      status: "active" | "revoked" | "expired" | "disabled";
      /** The key's visible start, e.g. acme_sk_live_3fTz */
      start: string;
      last4: string;
      ownerId: string | null;
      name: string | null;
      scopes: string[];
      /** Your JSON, returned on every verification */
      meta: Record<string, unknown> | null;
      allowedOrigins: string[] | null;
      allowedIps: string[] | null;
      enabled: boolean;
      expiresAt: string | null;
      createdAt: string;
      updatedAt: string;
      lastUsedAt: string | null;
      revokedAt: string | null;
      rolledFrom: string | null;
      rolledTo: string | null;
      ratelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      credits: {
        remaining: number;
        refill: {
          amount: number;
          interval: string;
        } | null;
      } | null;
      budget: {
        limit: number;
        period: string;
        thresholds: number[];
        hardCap: boolean;
      } | null;
      /** The names of the roles the key holds */
      roles: string[];
    };
  };
  /** Server-Sent Events of changes that affect verification (revoke, disable, roll, patch, project settings) */
  "GET /v1/keys/changes": {
    query: {
      /** Resume after this event id */
      since?: number;
    };
    status: 200;
    response: unknown;
  };
  /** Import up to 1000 keys by the SHA-256 of their plaintext, all or none, idempotent on the hash: they verify by their plaintext, whatever its format */
  "POST /v1/keys/import": {
    body: {
      projectId: string;
      keys: {
        /** SHA-256 (hex) of the plaintext */
        hash: string;
        /** The plaintext's first characters, for display */
        start?: string;
        ownerId?: string | null;
        type: "secret" | "publishable" | "restricted";
        environment: "live" | "test";
        scopes?: string[];
        name?: string | null;
        meta?: Record<string, unknown> | null;
        expiresAt?: string | null;
      }[];
    };
    status: 201;
    response: {
      /** Keys new to keysmith; a hash imported before counts once */
      imported: number;
      /** Each row's key id, in order */
      ids: string[];
    };
  };
  /** Verify a key: 200 with valid and the first failing check's code */
  "POST /v1/keys/verify": {
    body: {
      key: string;
      scopes?: string | string[];
      /** A boolean query over scopes: AND, OR (uppercase; AND binds tighter) and parentheses, at most 32 deep, e.g. `invoices:read AND (refunds:write OR billing:*)`. Each scope is checked like `scopes`; the key must satisfy the query (else INSUFFICIENT_SCOPE) and hold every one of `scopes` too. */
      permissions?: string;
      cost?: number;
      environment?: "live" | "test";
      origin?: string;
      ip?: string;
      /** Labels this call's usage is split by (`GET /v1/usage?tag=`) */
      tags?: string[];
    };
    status: 200;
    response: {
      valid: boolean;
      code: "VALID" | "MALFORMED" | "NOT_FOUND" | "REVOKED" | "EXPIRED" | "DISABLED" | "ORIGIN_NOT_ALLOWED" | "IP_NOT_ALLOWED" | "ENVIRONMENT_MISMATCH" | "INSUFFICIENT_SCOPE" | "RATE_LIMITED" | "USAGE_EXCEEDED" | "BUDGET_EXCEEDED";
      keyId: string | null;
      ownerId: string | null;
      projectId: string | null;
      type: string | null;
      environment: string | null;
      scopes: string[];
      /** The key's meta */
      meta: Record<string, unknown> | null;
      expiresAt: string | null;
      ratelimits: {
        name: string;
        limit: number;
        /** Null when the rate-limit store was unreachable and nothing was counted (see degraded) */
        remaining: number | null;
        reset: string;
      }[];
      credits: {
        remaining: number;
      } | null;
      budget: {
        spent: number;
        limit: number;
        period: string;
        resetAt: string;
      } | null;
      /** Present when part of the answer was not checked: the rate-limit store (Redis) was unreachable and KEYSMITH_RATE_LIMIT_FAILURE_MODE decided */
      degraded?: true;
      identity: {
        id: string;
        externalId: string;
        /** The identity's meta */
        meta: Record<string, unknown> | null;
        /** The limits every key of the identity shares */
        ratelimits: {
          name: string;
          limit: number;
          duration: string | number;
        }[];
      } | null;
      /** The roles the key holds; their scopes are in scopes */
      roles: string[];
    };
  };
  /** Read a key */
  "GET /v1/keys/{id}": {
    params: {
      id: string;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      type: "secret" | "publishable" | "restricted";
      environment: "live" | "test";
      status: "active" | "revoked" | "expired" | "disabled";
      /** The key's visible start, e.g. acme_sk_live_3fTz */
      start: string;
      last4: string;
      ownerId: string | null;
      name: string | null;
      scopes: string[];
      /** Your JSON, returned on every verification */
      meta: Record<string, unknown> | null;
      allowedOrigins: string[] | null;
      allowedIps: string[] | null;
      enabled: boolean;
      expiresAt: string | null;
      createdAt: string;
      updatedAt: string;
      lastUsedAt: string | null;
      revokedAt: string | null;
      rolledFrom: string | null;
      rolledTo: string | null;
      ratelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      credits: {
        remaining: number;
        refill: {
          amount: number;
          interval: string;
        } | null;
      } | null;
      budget: {
        limit: number;
        period: string;
        thresholds: number[];
        hardCap: boolean;
      } | null;
      /** The names of the roles the key holds */
      roles: string[];
    };
  };
  /** Change a key's name, owner, scopes, roles, meta, expiry, enabled flag or allowed origins and IPs */
  "PATCH /v1/keys/{id}": {
    params: {
      id: string;
    };
    body: {
      ownerId?: string | null;
      name?: string | null;
      scopes?: string[];
      meta?: Record<string, unknown> | null;
      expiresAt?: string | null;
      enabled?: boolean;
      allowedOrigins?: string[] | null;
      allowedIps?: string[] | null;
      ratelimits?: {
        name: string;
        limit: number;
        /** At most 10 years (315576000000 ms) */
        duration: string | number;
      }[] | null;
      credits?: {
        remaining: number;
        refill?: {
          amount: number;
          interval: "day" | "month";
        } | null;
      } | null;
      budget?: {
        limit: number;
        period?: "day" | "month";
        thresholds?: number[];
        hardCap?: boolean;
      } | null;
      /** Names of the project's roles the key holds */
      roles?: string[];
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      type: "secret" | "publishable" | "restricted";
      environment: "live" | "test";
      status: "active" | "revoked" | "expired" | "disabled";
      /** The key's visible start, e.g. acme_sk_live_3fTz */
      start: string;
      last4: string;
      ownerId: string | null;
      name: string | null;
      scopes: string[];
      /** Your JSON, returned on every verification */
      meta: Record<string, unknown> | null;
      allowedOrigins: string[] | null;
      allowedIps: string[] | null;
      enabled: boolean;
      expiresAt: string | null;
      createdAt: string;
      updatedAt: string;
      lastUsedAt: string | null;
      revokedAt: string | null;
      rolledFrom: string | null;
      rolledTo: string | null;
      ratelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      credits: {
        remaining: number;
        refill: {
          amount: number;
          interval: string;
        } | null;
      } | null;
      budget: {
        limit: number;
        period: string;
        thresholds: number[];
        hardCap: boolean;
      } | null;
      /** The names of the roles the key holds */
      roles: string[];
    };
  };
  /** Set, add to or take from a key's credits, atomically with concurrent verifications (a decrement stops at 0) */
  "POST /v1/keys/{id}/credits": {
    params: {
      id: string;
    };
    body: {
      op: "set" | "increment" | "decrement";
      amount: number;
    };
    status: 200;
    response: {
      remaining: number;
    };
  };
  /** Revoke a key at once */
  "POST /v1/keys/{id}/revoke": {
    params: {
      id: string;
    };
    body: {
      reason?: string;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      type: "secret" | "publishable" | "restricted";
      environment: "live" | "test";
      status: "active" | "revoked" | "expired" | "disabled";
      /** The key's visible start, e.g. acme_sk_live_3fTz */
      start: string;
      last4: string;
      ownerId: string | null;
      name: string | null;
      scopes: string[];
      /** Your JSON, returned on every verification */
      meta: Record<string, unknown> | null;
      allowedOrigins: string[] | null;
      allowedIps: string[] | null;
      enabled: boolean;
      expiresAt: string | null;
      createdAt: string;
      updatedAt: string;
      lastUsedAt: string | null;
      revokedAt: string | null;
      rolledFrom: string | null;
      rolledTo: string | null;
      ratelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      credits: {
        remaining: number;
        refill: {
          amount: number;
          interval: string;
        } | null;
      } | null;
      budget: {
        limit: number;
        period: string;
        thresholds: number[];
        hardCap: boolean;
      } | null;
      /** The names of the roles the key holds */
      roles: string[];
    };
  };
  /** Issue a successor; the old key works for the grace period (default 24h), then expires */
  "POST /v1/keys/{id}/roll": {
    params: {
      id: string;
    };
    body: {
      /** At most 10 years (315576000000 ms) */
      gracePeriod?: string | number;
    };
    status: 201;
    response: ({
      /** The plaintext key. Shown this once; store it now. */
      key: string;
    } & {
      id: string;
      projectId: string;
      type: "secret" | "publishable" | "restricted";
      environment: "live" | "test";
      status: "active" | "revoked" | "expired" | "disabled";
      /** The key's visible start, e.g. acme_sk_live_3fTz */
      start: string;
      last4: string;
      ownerId: string | null;
      name: string | null;
      scopes: string[];
      /** Your JSON, returned on every verification */
      meta: Record<string, unknown> | null;
      allowedOrigins: string[] | null;
      allowedIps: string[] | null;
      enabled: boolean;
      expiresAt: string | null;
      createdAt: string;
      updatedAt: string;
      lastUsedAt: string | null;
      revokedAt: string | null;
      rolledFrom: string | null;
      rolledTo: string | null;
      ratelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      credits: {
        remaining: number;
        refill: {
          amount: number;
          interval: string;
        } | null;
      } | null;
      budget: {
        limit: number;
        period: string;
        thresholds: number[];
        hardCap: boolean;
      } | null;
      /** The names of the roles the key holds */
      roles: string[];
    }) & {
      previous: {
        id: string;
        projectId: string;
        type: "secret" | "publishable" | "restricted";
        environment: "live" | "test";
        status: "active" | "revoked" | "expired" | "disabled";
        /** The key's visible start, e.g. acme_sk_live_3fTz */
        start: string;
        last4: string;
        ownerId: string | null;
        name: string | null;
        scopes: string[];
        /** Your JSON, returned on every verification */
        meta: Record<string, unknown> | null;
        allowedOrigins: string[] | null;
        allowedIps: string[] | null;
        enabled: boolean;
        expiresAt: string | null;
        createdAt: string;
        updatedAt: string;
        lastUsedAt: string | null;
        revokedAt: string | null;
        rolledFrom: string | null;
        rolledTo: string | null;
        ratelimits: {
          name: string;
          limit: number;
          duration: string | number;
        }[] | null;
        credits: {
          remaining: number;
          refill: {
            amount: number;
            interval: string;
          } | null;
        } | null;
        budget: {
          limit: number;
          period: string;
          thresholds: number[];
          hardCap: boolean;
        } | null;
        /** The names of the roles the key holds */
        roles: string[];
      };
    };
  };
  /** A key's verifications by outcome, and its spend, per minute, hour or day */
  "GET /v1/keys/{id}/usage": {
    params: {
      id: string;
    };
    query: {
      granularity?: "minute" | "hour" | "day";
      from?: string;
      to?: string;
      /** Only verifications that carried this tag */
      tag?: string;
    };
    status: 200;
    response: {
      granularity: "minute" | "hour" | "day";
      data: {
        start: string;
        outcomes: {
          VALID: number;
          REVOKED: number;
          EXPIRED: number;
          DISABLED: number;
          ORIGIN_NOT_ALLOWED: number;
          IP_NOT_ALLOWED: number;
          ENVIRONMENT_MISMATCH: number;
          INSUFFICIENT_SCOPE: number;
          RATE_LIMITED: number;
          USAGE_EXCEEDED: number;
          BUDGET_EXCEEDED: number;
        };
        spend: number;
      }[];
    };
  };
  /** Report leaked key strings: matching keys are revoked (or flagged, by the project's leakPolicy) and alerted */
  "POST /v1/leaks": {
    body: {
      /** Strings found somewhere they should not be; only keysmith keys match */
      keys: string[];
      /** Who found them, e.g. keysmith scan */
      source?: string;
      /** Where they were found */
      url?: string;
    };
    status: 200;
    response: {
      /** Strings received, duplicates included */
      received: number;
      /** Distinct live keys among them that this root key may manage */
      matched: number;
      revoked: number;
      /** Keys left valid because their project's leakPolicy is flag */
      flagged: number;
      /** Distinct strings that are no live key this root key may manage (no key, a revoked key or another project's key alike: the answer is no oracle; keys out of reach are reported to their owners) */
      unknown: number;
      keys: {
        /** key_… or, for a leaked root key, root_… */
        keyId: string;
        projectId: string | null;
        action: "revoked" | "flagged";
      }[];
    };
  };
  /** GitHub secret-scanning partner endpoint: signed reports of keysmith keys found in public; live ones are revoked and alerted */
  "POST /v1/leaks/github": {
    body: {
      token: string;
      type: string;
      url?: string;
      source?: string;
      [property: string]: unknown;
    }[];
    status: 200;
    response: {
      /** SHA-256 (hex) of the token: the token itself is never echoed */
      token_hash: string;
      token_type: string;
      label: "true_positive" | "false_positive";
    }[];
  };
  /** List the projects this root key can see */
  "GET /v1/projects": {
    query: {
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        name: string;
        prefix: string;
        publishableScopes: string[];
        defaultRatelimits: {
          name: string;
          limit: number;
          duration: string | number;
        }[] | null;
        costTable: Record<string, number> | null;
        budget: {
          limit: number;
          period: string;
          thresholds: number[];
          hardCap: boolean;
        } | null;
        anomalyPolicy: string;
        leakPolicy: string;
        createdAt: string;
        updatedAt: string;
      }[];
      nextCursor: string | null;
    };
  };
  /** Create a project */
  "POST /v1/projects": {
    body: {
      name: string;
      /** 2–12 of [a-z0-9]; ks is reserved */
      prefix: string;
      publishableScopes?: string[];
      defaultRatelimits?: {
        name: string;
        limit: number;
        /** At most 10 years (315576000000 ms) */
        duration: string | number;
      }[] | null;
      costTable?: Record<string, number> | null;
      budget?: {
        limit: number;
        period?: "day" | "month";
        thresholds?: number[];
        hardCap?: boolean;
      } | null;
      anomalyPolicy?: "alert" | "disable";
      leakPolicy?: "revoke" | "flag";
    };
    status: 201;
    response: {
      id: string;
      name: string;
      prefix: string;
      publishableScopes: string[];
      defaultRatelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      costTable: Record<string, number> | null;
      budget: {
        limit: number;
        period: string;
        thresholds: number[];
        hardCap: boolean;
      } | null;
      anomalyPolicy: string;
      leakPolicy: string;
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Read a project */
  "GET /v1/projects/{id}": {
    params: {
      id: string;
    };
    status: 200;
    response: {
      id: string;
      name: string;
      prefix: string;
      publishableScopes: string[];
      defaultRatelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      costTable: Record<string, number> | null;
      budget: {
        limit: number;
        period: string;
        thresholds: number[];
        hardCap: boolean;
      } | null;
      anomalyPolicy: string;
      leakPolicy: string;
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Change a project's name or publishable scopes */
  "PATCH /v1/projects/{id}": {
    params: {
      id: string;
    };
    body: {
      name?: string;
      publishableScopes?: string[];
      defaultRatelimits?: {
        name: string;
        limit: number;
        /** At most 10 years (315576000000 ms) */
        duration: string | number;
      }[] | null;
      costTable?: Record<string, number> | null;
      budget?: {
        limit: number;
        period?: "day" | "month";
        thresholds?: number[];
        hardCap?: boolean;
      } | null;
      anomalyPolicy?: "alert" | "disable";
      leakPolicy?: "revoke" | "flag";
    };
    status: 200;
    response: {
      id: string;
      name: string;
      prefix: string;
      publishableScopes: string[];
      defaultRatelimits: {
        name: string;
        limit: number;
        duration: string | number;
      }[] | null;
      costTable: Record<string, number> | null;
      budget: {
        limit: number;
        period: string;
        thresholds: number[];
        hardCap: boolean;
      } | null;
      anomalyPolicy: string;
      leakPolicy: string;
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Count a call against a standalone limit (a login form per IP, a user id): 200 with success true or false, never 429 */
  "POST /v1/ratelimit": {
    body: {
      /** What is limited (`login`, `api.export`): 1–64 of A–Z a–z 0–9 _ . - */
      namespace: string;
      /** Who is limited: an IP address, a user id, an email… */
      identifier: string;
      /** Calls (or cost) per window */
      limit: number;
      /** The window: `1s` to `31d` (`30s`, `15m`, `1h`, `1d`) or integer milliseconds */
      duration: string | number;
      /** What this call takes from the window (default 1; 0 reads without taking) */
      cost?: number;
    };
    status: 200;
    response: {
      /** True when the call fits in the window (and was counted) */
      success: boolean;
      /** The limit applied: the most specific override's, else the one sent */
      limit: number;
      remaining: number;
      /** When the current window ends */
      reset: string;
    };
  };
  /** List a namespace's overrides, by identifier */
  "GET /v1/ratelimit/overrides": {
    query: {
      /** What is limited (`login`, `api.export`): 1–64 of A–Z a–z 0–9 _ . - */
      namespace: string;
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        namespace: string;
        identifier: string;
        limit: number;
        duration: string | number;
        createdAt: string;
        updatedAt: string;
      }[];
      nextCursor: string | null;
    };
  };
  /** Set (create or replace) an override of a namespace's limit for an identifier, or for every identifier with a prefix (`user_*`) */
  "PUT /v1/ratelimit/overrides": {
    body: {
      /** What is limited (`login`, `api.export`): 1–64 of A–Z a–z 0–9 _ . - */
      namespace: string;
      /** An identifier, or a prefix ending in `*` (`user_*`); the most specific override wins */
      identifier: string;
      /** Calls (or cost) per window */
      limit: number;
      /** The window: `1s` to `31d` (`30s`, `15m`, `1h`, `1d`) or integer milliseconds */
      duration: string | number;
    };
    status: 200;
    response: {
      namespace: string;
      identifier: string;
      limit: number;
      duration: string | number;
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Delete an override, named by `?namespace=&identifier=` (or the same two fields in a JSON body); answers the deleted override */
  "DELETE /v1/ratelimit/overrides": {
    query: {
      /** What is limited (`login`, `api.export`): 1–64 of A–Z a–z 0–9 _ . - */
      namespace?: string;
      /** An identifier, or a prefix ending in `*` (`user_*`); the most specific override wins */
      identifier?: string;
    };
    body: {
      /** What is limited (`login`, `api.export`): 1–64 of A–Z a–z 0–9 _ . - */
      namespace?: string;
      /** An identifier, or a prefix ending in `*` (`user_*`); the most specific override wins */
      identifier?: string;
    };
    status: 200;
    response: {
      namespace: string;
      identifier: string;
      limit: number;
      duration: string | number;
      createdAt: string;
      updatedAt: string;
    };
  };
  /** List roles, newest first */
  "GET /v1/roles": {
    query: {
      projectId?: string;
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        projectId: string;
        name: string;
        scopes: string[];
        createdAt: string;
        updatedAt: string;
      }[];
      nextCursor: string | null;
    };
  };
  /** Create a role: a named set of scopes keys can hold */
  "POST /v1/roles": {
    body: {
      projectId?: string;
      /** 1–64 of [A-Za-z0-9_.:-] */
      name: string;
      scopes: string[];
    };
    status: 201;
    response: {
      id: string;
      projectId: string;
      name: string;
      scopes: string[];
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Read a role */
  "GET /v1/roles/{id}": {
    params: {
      id: string;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      name: string;
      scopes: string[];
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Rename a role or change its scopes; every key holding it sees the change at its next verification */
  "PATCH /v1/roles/{id}": {
    params: {
      id: string;
    };
    body: {
      /** 1–64 of [A-Za-z0-9_.:-] */
      name?: string;
      scopes?: string[];
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      name: string;
      scopes: string[];
      createdAt: string;
      updatedAt: string;
    };
  };
  /** Delete a role; the keys that held it lose its scopes */
  "DELETE /v1/roles/{id}": {
    params: {
      id: string;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      name: string;
      scopes: string[];
      createdAt: string;
      updatedAt: string;
    };
  };
  /** List root keys within the caller's project binding */
  "GET /v1/root-keys": {
    query: {
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        projectId: string | null;
        name: string | null;
        start: string;
        last4: string;
        scopes: string[];
        status: "active" | "revoked" | "expired";
        expiresAt: string | null;
        createdAt: string;
        createdBy: string | null;
        revokedAt: string | null;
        lastUsedAt: string | null;
        /** The vault environments this key may touch; null for all */
        environments: string[] | null;
      }[];
      nextCursor: string | null;
    };
  };
  /** Create a root key no broader than the caller (the plaintext is in this response only) */
  "POST /v1/root-keys": {
    body: {
      projectId?: string | null;
      scopes: ("keys:read" | "keys:write" | "keys:verify" | "projects:read" | "projects:write" | "usage:read" | "secrets:read" | "secrets:write" | "audit:read" | "ratelimit:write" | "admin")[];
      name?: string | null;
      expiresAt?: string | null;
      environments?: string[] | null;
    };
    status: 201;
    response: {
      key: string;
    } & {
      id: string;
      projectId: string | null;
      name: string | null;
      start: string;
      last4: string;
      scopes: string[];
      status: "active" | "revoked" | "expired";
      expiresAt: string | null;
      createdAt: string;
      createdBy: string | null;
      revokedAt: string | null;
      lastUsedAt: string | null;
      /** The vault environments this key may touch; null for all */
      environments: string[] | null;
    };
  };
  /** Revoke a root key at once */
  "POST /v1/root-keys/{id}/revoke": {
    params: {
      id: string;
    };
    status: 200;
    response: {
      id: string;
      projectId: string | null;
      name: string | null;
      start: string;
      last4: string;
      scopes: string[];
      status: "active" | "revoked" | "expired";
      expiresAt: string | null;
      createdAt: string;
      createdBy: string | null;
      revokedAt: string | null;
      lastUsedAt: string | null;
      /** The vault environments this key may touch; null for all */
      environments: string[] | null;
    };
  };
  /** List secrets by environment and name: versions and rotation state, never values */
  "GET /v1/secrets": {
    query: {
      projectId?: string;
      /** Any lower-case label: development, staging, production, pr-142… */
      environment?: string;
      includeDeleted?: boolean;
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        projectId: string;
        environment: string;
        name: string;
        /** The current version */
        version: number;
        /** How often the value should change (90d), or null */
        rotateEvery: string | null;
        lastRotatedAt: string;
        rotationDueAt: string | null;
        /** The current version is older than rotateEvery */
        overdue: boolean;
        createdAt: string;
        updatedAt: string;
        deletedAt: string | null;
      }[];
      nextCursor: string | null;
    };
  };
  /** Every current value of one environment, in one answer (audited once) */
  "GET /v1/secrets/export": {
    query: {
      projectId?: string;
      /** Any lower-case label: development, staging, production, pr-142… */
      environment: string;
    };
    status: 200;
    response: {
      projectId: string;
      environment: string;
      secrets: {
        name: string;
        version: number;
        value: string;
      }[];
    };
  };
  /** Read a secret's value: the current version, or ?version=N (audited) */
  "GET /v1/secrets/{environment}/{name}": {
    params: {
      /** Any lower-case label: development, staging, production, pr-142… */
      environment: string;
      /** An environment-variable name: upper-case letters, digits and _, not starting with a digit */
      name: string;
    };
    query: {
      projectId?: string;
      version?: number;
    };
    status: 200;
    response: {
      projectId: string;
      environment: string;
      name: string;
      /** The version this value belongs to */
      version: number;
      current: boolean;
      value: string;
      createdAt: string;
      /** The root key that wrote this version */
      createdBy: string | null;
    };
  };
  /** Write a new version of a secret (creating it, or reviving a deleted one) */
  "POST /v1/secrets/{environment}/{name}": {
    params: {
      /** Any lower-case label: development, staging, production, pr-142… */
      environment: string;
      /** An environment-variable name: upper-case letters, digits and _, not starting with a digit */
      name: string;
    };
    query: {
      projectId?: string;
    };
    body: {
      /** At most 65536 bytes */
      value: string;
      rotateEvery?: string | number | null;
    };
    status: 201;
    response: {
      id: string;
      projectId: string;
      environment: string;
      name: string;
      /** The current version */
      version: number;
      /** How often the value should change (90d), or null */
      rotateEvery: string | null;
      lastRotatedAt: string;
      rotationDueAt: string | null;
      /** The current version is older than rotateEvery */
      overdue: boolean;
      createdAt: string;
      updatedAt: string;
      deletedAt: string | null;
    };
  };
  /** Change a secret's rotation period without writing a value */
  "PATCH /v1/secrets/{environment}/{name}": {
    params: {
      /** Any lower-case label: development, staging, production, pr-142… */
      environment: string;
      /** An environment-variable name: upper-case letters, digits and _, not starting with a digit */
      name: string;
    };
    query: {
      projectId?: string;
    };
    body: {
      rotateEvery: string | number | null;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      environment: string;
      name: string;
      /** The current version */
      version: number;
      /** How often the value should change (90d), or null */
      rotateEvery: string | null;
      lastRotatedAt: string;
      rotationDueAt: string | null;
      /** The current version is older than rotateEvery */
      overdue: boolean;
      createdAt: string;
      updatedAt: string;
      deletedAt: string | null;
    };
  };
  /** Delete a secret (soft: its versions stay, and restore brings it back) */
  "DELETE /v1/secrets/{environment}/{name}": {
    params: {
      /** Any lower-case label: development, staging, production, pr-142… */
      environment: string;
      /** An environment-variable name: upper-case letters, digits and _, not starting with a digit */
      name: string;
    };
    query: {
      projectId?: string;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      environment: string;
      name: string;
      /** The current version */
      version: number;
      /** How often the value should change (90d), or null */
      rotateEvery: string | null;
      lastRotatedAt: string;
      rotationDueAt: string | null;
      /** The current version is older than rotateEvery */
      overdue: boolean;
      createdAt: string;
      updatedAt: string;
      deletedAt: string | null;
    };
  };
  /** Restore a deleted secret with its versions */
  "POST /v1/secrets/{environment}/{name}/restore": {
    params: {
      /** Any lower-case label: development, staging, production, pr-142… */
      environment: string;
      /** An environment-variable name: upper-case letters, digits and _, not starting with a digit */
      name: string;
    };
    query: {
      projectId?: string;
    };
    status: 200;
    response: {
      id: string;
      projectId: string;
      environment: string;
      name: string;
      /** The current version */
      version: number;
      /** How often the value should change (90d), or null */
      rotateEvery: string | null;
      lastRotatedAt: string;
      rotationDueAt: string | null;
      /** The current version is older than rotateEvery */
      overdue: boolean;
      createdAt: string;
      updatedAt: string;
      deletedAt: string | null;
    };
  };
  /** A secret's versions, newest first: who wrote each and when (no values) */
  "GET /v1/secrets/{environment}/{name}/versions": {
    params: {
      /** Any lower-case label: development, staging, production, pr-142… */
      environment: string;
      /** An environment-variable name: upper-case letters, digits and _, not starting with a digit */
      name: string;
    };
    query: {
      projectId?: string;
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        version: number;
        current: boolean;
        createdAt: string;
        createdBy: string | null;
      }[];
      nextCursor: string | null;
    };
  };
  /** Sign in to the dashboard: exchange a root key for a session cookie and a CSRF token */
  "POST /v1/sessions": {
    body: {
      /** A live root key (ks_root_…) */
      rootKey: string;
    };
    status: 201;
    response: {
      /** Send it as the x-csrf-token header on every POST, PATCH and DELETE made with the session cookie */
      csrfToken: string;
      /** When the session ends if left idle */
      expiresAt: string;
      rootKey: {
        id: string;
        projectId: string | null;
        name: string | null;
        start: string;
        last4: string;
        scopes: string[];
        status: "active" | "revoked" | "expired";
        expiresAt: string | null;
        createdAt: string;
        createdBy: string | null;
        revokedAt: string | null;
        lastUsedAt: string | null;
        /** The vault environments this key may touch; null for all */
        environments: string[] | null;
      };
    };
  };
  /** The signed-in session (cookie): its root key and CSRF token */
  "GET /v1/sessions/current": {
    status: 200;
    response: {
      /** Send it as the x-csrf-token header on every POST, PATCH and DELETE made with the session cookie */
      csrfToken: string;
      /** When the session ends if left idle */
      expiresAt: string;
      rootKey: {
        id: string;
        projectId: string | null;
        name: string | null;
        start: string;
        last4: string;
        scopes: string[];
        status: "active" | "revoked" | "expired";
        expiresAt: string | null;
        createdAt: string;
        createdBy: string | null;
        revokedAt: string | null;
        lastUsedAt: string | null;
        /** The vault environments this key may touch; null for all */
        environments: string[] | null;
      };
    };
  };
  /** Sign out: end the session and clear its cookie */
  "DELETE /v1/sessions/current": {
    status: 204;
    response: unknown;
  };
  /** Verifications by outcome, and spend, across a project's or an owner's keys */
  "GET /v1/usage": {
    query: {
      projectId?: string;
      ownerId?: string;
      granularity?: "minute" | "hour" | "day";
      from?: string;
      to?: string;
      /** Only verifications that carried this tag */
      tag?: string;
    };
    status: 200;
    response: {
      granularity: "minute" | "hour" | "day";
      data: {
        start: string;
        outcomes: {
          VALID: number;
          REVOKED: number;
          EXPIRED: number;
          DISABLED: number;
          ORIGIN_NOT_ALLOWED: number;
          IP_NOT_ALLOWED: number;
          ENVIRONMENT_MISMATCH: number;
          INSUFFICIENT_SCOPE: number;
          RATE_LIMITED: number;
          USAGE_EXCEEDED: number;
          BUDGET_EXCEEDED: number;
        };
        spend: number;
      }[];
    };
  };
  /** Report VALID verifications answered from an SDK's local cache, counted in the current minute */
  "POST /v1/usage": {
    body: {
      keys: {
        keyId: string;
        count: number;
      }[];
    };
    status: 200;
    response: {
      /** Verifications counted */
      recorded: number;
      /** Entries skipped: no such key, or a key of a project this root key is not bound to */
      unknown: number;
    };
  };
  /** List webhook endpoints, newest first */
  "GET /v1/webhooks": {
    query: {
      projectId?: string;
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        url: string;
        events: string[];
        /** null: alerts of every project */
        projectId: string | null;
        description: string | null;
        createdAt: string;
        deletedAt: string | null;
      }[];
      nextCursor: string | null;
    };
  };
  /** Create a webhook endpoint (the signing secret is in this response only) */
  "POST /v1/webhooks": {
    body: {
      /** http or https */
      url: string;
      events: ("budget.threshold" | "budget.exhausted" | "key.anomaly" | "key.retry_storm" | "key.leaked" | "key.expiring" | "key.rolled" | "key.revoked" | "secret.rotation_due")[];
      projectId?: string | null;
      description?: string | null;
    };
    status: 201;
    response: {
      id: string;
      url: string;
      events: string[];
      /** null: alerts of every project */
      projectId: string | null;
      description: string | null;
      createdAt: string;
      deletedAt: string | null;
    } & {
      /** The signing secret (whsec_…). Shown this once; store it now. */
      secret: string;
    };
  };
  /** Read a webhook endpoint */
  "GET /v1/webhooks/{id}": {
    params: {
      id: string;
    };
    status: 200;
    response: {
      id: string;
      url: string;
      events: string[];
      /** null: alerts of every project */
      projectId: string | null;
      description: string | null;
      createdAt: string;
      deletedAt: string | null;
    };
  };
  /** Delete a webhook endpoint; its pending deliveries are cancelled */
  "DELETE /v1/webhooks/{id}": {
    params: {
      id: string;
    };
    status: 200;
    response: {
      id: string;
      url: string;
      events: string[];
      /** null: alerts of every project */
      projectId: string | null;
      description: string | null;
      createdAt: string;
      deletedAt: string | null;
    };
  };
  /** The endpoint's delivery log, newest first */
  "GET /v1/webhooks/{id}/deliveries": {
    params: {
      id: string;
    };
    query: {
      status?: "pending" | "delivered" | "failed" | "cancelled";
      limit?: number;
      cursor?: string;
    };
    status: 200;
    response: {
      data: {
        id: string;
        /** Also the webhook-id header: the same on every attempt */
        alertId: string;
        eventType: string;
        status: "pending" | "delivered" | "failed" | "cancelled";
        attempts: number;
        responseStatus: number | null;
        /** Why the last attempt failed, as a class: timeout, connection_failed, http_status (see responseStatus), response_too_large, address_refused, secret_unavailable */
        error: string | null;
        createdAt: string;
        lastAttemptAt: string | null;
        deliveredAt: string | null;
        nextAttemptAt: string | null;
      }[];
      nextCursor: string | null;
    };
  };
}

/** The body of every error answer. */
export type ErrorResponse = {
  error: {
    /** A stable machine code: match on it, not on message. docs/errors.md gives each one's cause and fix. */
    code: "VALIDATION_ERROR" | "INVALID_JSON" | "INVALID_CURSOR" | "INVALID_DURATION" | "INVALID_IP" | "INVALID_UNICODE" | "INVALID_PERMISSION_QUERY" | "JSON_TOO_DEEP" | "META_TOO_DEEP" | "META_TOO_LARGE" | "WEBHOOK_URL_CREDENTIALS" | "WEBHOOK_TARGET_REFUSED" | "UNAUTHORIZED" | "FORBIDDEN" | "PROJECT_NOT_FOUND" | "KEY_NOT_FOUND" | "ROOT_KEY_NOT_FOUND" | "SECRET_NOT_FOUND" | "SECRET_VERSION_NOT_FOUND" | "WEBHOOK_NOT_FOUND" | "RATELIMIT_OVERRIDE_NOT_FOUND" | "IDENTITY_NOT_FOUND" | "ROLE_NOT_FOUND" | "ROUTE_NOT_FOUND" | "KEY_EXPIRED" | "KEY_HASH_TAKEN" | "NO_CREDIT_LIMIT" | "KEY_ALREADY_ROLLED" | "PREFIX_TAKEN" | "IDENTITY_EXISTS" | "ROLE_EXISTS" | "KEY_REVOKED" | "VAULT_DECRYPT_FAILED" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE" | "UNPROCESSABLE" | "UNKNOWN_ROLES" | "RATE_LIMITED" | "INTERNAL_ERROR" | "VAULT_LOCKED" | "WEBHOOK_SECRETS_LOCKED" | "STORE_UNAVAILABLE" | "CACHE_UNAVAILABLE";
    message: string;
    requestId: string;
    details?: unknown;
  };
};

/** Every error code the server can answer (docs/errors.md gives each one's cause and fix). */
export type ErrorCode = ErrorResponse["error"]["code"];
