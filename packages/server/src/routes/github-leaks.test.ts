import { createPublicKey, generateKeyPairSync, hash, sign } from "node:crypto";
import { generateKey } from "@keysmith/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../test-support/harness.js";
import { parseGithubScanningKeys } from "./github-leaks.js";

// A key pair standing in for GitHub's: the public half is configured as GitHub publishes it.
const github = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const KEY_ID = "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a";
const published = JSON.stringify({
  public_keys: [
    {
      key_identifier: KEY_ID,
      key: github.publicKey.export({ type: "spki", format: "pem" }),
      is_current: true,
    },
  ],
});

/** The headers GitHub sends: the key's identifier and an ECDSA signature over the raw body. */
function signedHeaders(
  body: string,
  signer = github.privateKey,
  identifier = KEY_ID,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "github-public-key-identifier": identifier,
    "github-public-key-signature": sign("sha256", Buffer.from(body), {
      key: signer,
      dsaEncoding: "der",
    }).toString("base64"),
  };
}

describe("POST /v1/leaks/github (GitHub secret-scanning partner format)", () => {
  let h: Harness;
  let project: { id: string; prefix: string };

  beforeAll(async () => {
    h = await createHarness("sqlite", {
      githubScanningKeys: parseGithubScanningKeys(published, (pem) => createPublicKey(pem)),
    });
    project = await h.project();
  });
  afterAll(() => h.close());

  const post = (body: string, signer = github.privateKey, identifier = KEY_ID, target = h) =>
    target.api("POST", "/v1/leaks/github", body, {
      key: null,
      headers: signedHeaders(body, signer, identifier),
    });

  it("revokes a reported key, alerts its owners and labels each token by its hash", async () => {
    const leaked = await h.key(project.id, { ownerId: "cus_9" });
    const notOurs = `ghp_${"x".repeat(36)}`;
    const body = JSON.stringify([
      {
        token: leaked.key,
        type: "keysmith_secret_key",
        url: "https://github.com/o/r/blob/abc/.env",
        source: "content",
      },
      { token: notOurs, type: "keysmith_secret_key", url: "https://gist.github.com/x" },
    ]);
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        token_hash: hash("sha256", leaked.key, "hex"),
        token_type: "keysmith_secret_key",
        label: "true_positive",
      },
      {
        token_hash: hash("sha256", notOurs, "hex"),
        token_type: "keysmith_secret_key",
        label: "false_positive",
      },
    ]);
    expect(res.text).not.toContain(leaked.key);
    expect((await h.verify({ key: leaked.key })).body.code).toBe("REVOKED");
    const alerts = await h.api("GET", `/v1/alerts?type=key.leaked&keyId=${leaked.id}`);
    expect(alerts.body.data[0].data).toMatchObject({
      action: "revoked",
      source: "github-secret-scanning",
      url: "https://github.com/o/r/blob/abc/.env",
    });
    const audit = await h.api("GET", `/v1/audit?targetId=${leaked.id}&action=key.revoke`);
    expect(audit.body.data[0]).toMatchObject({ actorType: "system", actorId: "github-secret-scanning" });
  });

  it("refuses a missing, forged or unknown-key signature with 401 and changes nothing", async () => {
    const key = await h.key(project.id);
    const body = JSON.stringify([{ token: key.key, type: "keysmith_secret_key" }]);
    const before = (await h.api("GET", "/v1/audit?limit=1")).body.data[0].hash;
    const unsigned = await h.api("POST", "/v1/leaks/github", body, {
      key: null,
      headers: { "content-type": "application/json" },
    });
    const forged = await post(body, other.privateKey);
    const unknownId = await post(body, github.privateKey, "f".repeat(64));
    const tampered = await h.api("POST", "/v1/leaks/github", body.replace("keysmith_secret_key", "x"), {
      key: null,
      headers: signedHeaders(body),
    });
    for (const res of [unsigned, forged, unknownId, tampered]) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("UNAUTHORIZED");
    }
    expect((await h.verify({ key: key.key })).body.code).toBe("VALID");
    expect((await h.api("GET", "/v1/audit?limit=1")).body.data[0].hash).toBe(before);
  });

  it("answers 401 to everything when no GitHub keys are configured", async () => {
    const plain = await createHarness("sqlite");
    try {
      const body = JSON.stringify([
        { token: generateKey({ prefix: "ab", typeCode: "sk", environment: "live" }).key, type: "t" },
      ]);
      const res = await post(body, github.privateKey, KEY_ID, plain);
      expect(res.status).toBe(401);
    } finally {
      await plain.close();
    }
  });
});
