import { generateKey } from "@keysmith/core";
import { describe, expect, it } from "vitest";
import { LocalChangeFeed } from "../changes.js";
import { ManualClock } from "../clock.js";
import type { KeyRecord, ProjectRecord } from "../domain/records.js";
import { Verifier } from "./verifier.js";

function record(hash: string, fields: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: "key_0000000000000000000001",
    projectId: "proj_000000000000000000001",
    hash,
    start: "acme_sk_live_abcd",
    last4: "wxyz",
    type: "secret",
    environment: "live",
    ownerId: null,
    name: null,
    scopes: ["*"],
    meta: null,
    allowedOrigins: null,
    allowedIps: null,
    enabled: true,
    expiresAt: null,
    createdAt: 0,
    updatedAt: 0,
    revokedAt: null,
    lastUsedAt: null,
    rolledFrom: null,
    rolledTo: null,
    imported: false,
    ratelimits: null,
    credits: null,
    budget: null,
    ...fields,
  };
}

/** A store that counts lookups and can hold one answer back until released. */
function fakeStore(records: Map<string, KeyRecord>) {
  let lookups = 0;
  let gate: Promise<void> | null = null;
  return {
    get lookups() {
      return lookups;
    },
    hold(): () => void {
      let release = () => {};
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return release;
    },
    projects: {
      async get(id: string): Promise<ProjectRecord | null> {
        return {
          id,
          name: "p",
          prefix: "acme",
          publishableScopes: [],
          settings: {},
          createdAt: 0,
          updatedAt: 0,
        };
      },
    },
    keys: {
      async getByHash(hash: string): Promise<KeyRecord | null> {
        lookups++;
        if (gate) await gate;
        const found = records.get(hash);
        return found ? structuredClone(found) : null;
      },
    },
  };
}

describe("Verifier", () => {
  const generated = generateKey({ prefix: "acme", typeCode: "sk", environment: "live" });

  it("looks a foreign-format string up only when some project holds imported keys", async () => {
    const foreign = `legacy_${"x".repeat(30)}`;
    const none = fakeStore(new Map());
    const plain = new Verifier({ store: none, clock: new ManualClock(), changes: new LocalChangeFeed() });
    expect((await plain.verify({ key: foreign })).code).toBe("MALFORMED");
    expect(none.lookups).toBe(0);

    const some = fakeStore(new Map());
    const changes = new LocalChangeFeed();
    const importing = new Verifier({
      store: { ...some, keys: { ...some.keys, projectsWithImports: async () => ["proj_a"] } },
      clock: new ManualClock(),
      changes,
    });
    await Promise.resolve();
    expect((await importing.verify({ key: foreign })).code).toBe("NOT_FOUND");
    // A root key bound to a project without imports: no lookup; once one is announced, a lookup.
    expect((await importing.verify({ key: foreign }, "proj_b")).code).toBe("MALFORMED");
    const before = some.lookups;
    await changes.publish({ type: "keys.imported", projectId: "proj_b" });
    expect((await importing.verify({ key: foreign }, "proj_b")).code).toBe("NOT_FOUND");
    expect(some.lookups).toBe(before + 1);
  });

  it("answers a cached key synchronously, and the same frozen answer each time", async () => {
    const store = fakeStore(new Map([[generated.hash, record(generated.hash)]]));
    const verifier = new Verifier({ store, clock: new ManualClock(), changes: new LocalChangeFeed() });
    const first = verifier.verify({ key: generated.key });
    expect(first).toBeInstanceOf(Promise);
    expect((await first).code).toBe("VALID");
    const second = verifier.verify({ key: generated.key });
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toBe(verifier.verify({ key: generated.key }));
    expect(Object.isFrozen(second)).toBe(true);
    expect(store.lookups).toBe(1);
  });

  it("rejects malformed keys without a lookup", () => {
    const store = fakeStore(new Map());
    const verifier = new Verifier({ store, clock: new ManualClock(), changes: new LocalChangeFeed() });
    const last = generated.key.endsWith("0") ? "1" : "0";
    expect(verifier.verify({ key: `${generated.key.slice(0, -1)}${last}` })).toMatchObject({
      code: "MALFORMED",
    });
    expect(verifier.verify({ key: 42 as unknown as string })).toMatchObject({ code: "MALFORMED" });
    expect(store.lookups).toBe(0);
  });

  it("shares one lookup among concurrent misses", async () => {
    const store = fakeStore(new Map([[generated.hash, record(generated.hash)]]));
    const verifier = new Verifier({ store, clock: new ManualClock(), changes: new LocalChangeFeed() });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => verifier.verify({ key: generated.key })),
    );
    expect(results.every((r) => r.code === "VALID")).toBe(true);
    expect(store.lookups).toBe(1);
  });

  it("does not cache a lookup that raced a revoke", async () => {
    const records = new Map([[generated.hash, record(generated.hash)]]);
    const store = fakeStore(records);
    const changes = new LocalChangeFeed();
    const verifier = new Verifier({ store, clock: new ManualClock(), changes });
    const release = store.hold();
    const pending = verifier.verify({ key: generated.key });
    records.set(generated.hash, record(generated.hash, { revokedAt: 1 }));
    changes.publish({ type: "key.revoked", keyId: "key_0000000000000000000001", projectId: "p" });
    release();
    await pending;
    expect(verifier.cacheSize).toBe(0);
    expect((await verifier.verify({ key: generated.key })).code).toBe("REVOKED");
  });

  it("answers NOT_FOUND for keys outside the bound project", async () => {
    const store = fakeStore(new Map([[generated.hash, record(generated.hash)]]));
    const verifier = new Verifier({ store, clock: new ManualClock(), changes: new LocalChangeFeed() });
    expect((await verifier.verify({ key: generated.key }, "proj_other")).code).toBe("NOT_FOUND");
    expect((await verifier.verify({ key: generated.key }, "proj_000000000000000000001")).code).toBe("VALID");
  });

  it("records the last use of valid keys only, to be flushed in a batch", async () => {
    const clock = new ManualClock(5000);
    const store = fakeStore(new Map([[generated.hash, record(generated.hash, { enabled: false })]]));
    const verifier = new Verifier({ store, clock, changes: new LocalChangeFeed() });
    await verifier.verify({ key: generated.key });
    expect(verifier.drainLastUsed().size).toBe(0);
  });
});

describe("Verifier cache TTL", () => {
  it("rereads a cached key once its TTL passes, seeing a change made elsewhere", async () => {
    const generated = generateKey({ prefix: "acme", typeCode: "sk", environment: "live" });
    const records = new Map([[generated.hash, record(generated.hash)]]);
    const store = fakeStore(records);
    const clock = new ManualClock(0);
    const verifier = new Verifier({ store, clock, changes: new LocalChangeFeed(), cacheTtlMs: 5000 });
    expect((await verifier.verify({ key: generated.key })).code).toBe("VALID");
    records.set(generated.hash, record(generated.hash, { revokedAt: 1 })); // another node revoked it
    clock.advance(4999);
    expect((await verifier.verify({ key: generated.key })).code).toBe("VALID");
    clock.advance(1);
    expect((await verifier.verify({ key: generated.key })).code).toBe("REVOKED");
    expect(store.lookups).toBe(2);
  });
});
