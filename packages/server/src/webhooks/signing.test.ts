import { createHmac } from "node:crypto";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from "./signing.js";

const NOW = Date.UTC(2026, 5, 1, 12);
const SECONDS = Math.floor(NOW / 1000);
const BODY = '{"type":"key.revoked","timestamp":"2026-06-01T12:00:00.000Z","data":{"keyId":"key_x"}}';

describe("webhook signing", () => {
  it("makes whsec_ secrets of 32 random bytes", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it("signs id.timestamp.body with the decoded secret, per Standard Webhooks", () => {
    const secret = generateWebhookSecret();
    const expected = createHmac("sha256", Buffer.from(secret.slice(6), "base64"))
      .update(`evt_1.${SECONDS}.${BODY}`)
      .digest("base64");
    expect(signWebhook(secret, "evt_1", SECONDS, BODY)).toBe(`v1,${expected}`);
  });

  it("matches the Standard Webhooks reference vector", () => {
    // From the spec's reference libraries' tests.
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // keysmith:allow public test vector
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)).toBe(
      "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
  });

  it("verifies its own deliveries, from Node or fetch headers", () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders(secret, "evt_1", SECONDS, BODY);
    expect(verifyWebhook(secret, headers, BODY, { now: NOW })).toEqual({
      valid: true,
      webhookId: "evt_1",
      timestamp: SECONDS,
    });
    expect(verifyWebhook(secret, new Headers(headers), BODY, { now: NOW }).valid).toBe(true);
  });

  it("accepts any one of several signatures (a secret rotation)", () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders(secret, "evt_1", SECONDS, BODY);
    const other = signWebhook(generateWebhookSecret(), "evt_1", SECONDS, BODY);
    headers["webhook-signature"] = `${other} ${headers["webhook-signature"]}`;
    expect(verifyWebhook(secret, headers, BODY, { now: NOW }).valid).toBe(true);
  });

  it("rejects a tampered body, id or timestamp, and a wrong secret", () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders(secret, "evt_1", SECONDS, BODY);
    const bad = { valid: false, reason: "bad_signature" };
    expect(verifyWebhook(secret, headers, BODY.replace("key_x", "key_y"), { now: NOW })).toEqual(bad);
    expect(verifyWebhook(secret, { ...headers, "webhook-id": "evt_2" }, BODY, { now: NOW })).toEqual(bad);
    expect(
      verifyWebhook(secret, { ...headers, "webhook-timestamp": String(SECONDS + 1) }, BODY, { now: NOW }),
    ).toEqual(bad);
    expect(verifyWebhook(generateWebhookSecret(), headers, BODY, { now: NOW })).toEqual(bad);
    expect(verifyWebhook(secret, { ...headers, "webhook-signature": "v2,abc" }, BODY, { now: NOW })).toEqual(
      bad,
    );
  });

  it("rejects timestamps outside the tolerance, either way", () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders(secret, "evt_1", SECONDS, BODY);
    const stale = { valid: false, reason: "stale_timestamp" };
    expect(verifyWebhook(secret, headers, BODY, { now: NOW + 5 * 60_000 }).valid).toBe(true);
    expect(verifyWebhook(secret, headers, BODY, { now: NOW + 5 * 60_000 + 1000 })).toEqual(stale);
    expect(verifyWebhook(secret, headers, BODY, { now: NOW - 6 * 60_000 })).toEqual(stale);
    expect(verifyWebhook(secret, headers, BODY, { now: NOW + 60_000, toleranceSeconds: 30 })).toEqual(stale);
  });

  it("rejects missing or malformed headers", () => {
    const secret = generateWebhookSecret();
    const headers = webhookHeaders(secret, "evt_1", SECONDS, BODY);
    const missing = { valid: false, reason: "missing_headers" };
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"] as const) {
      const { [name]: _dropped, ...rest } = headers;
      expect(verifyWebhook(secret, rest, BODY, { now: NOW })).toEqual(missing);
    }
    expect(verifyWebhook(secret, { ...headers, "webhook-timestamp": "soon" }, BODY, { now: NOW })).toEqual(
      missing,
    );
  });
});

describe("webhook signing with the reference verifier", () => {
  it("signs deliveries the standardwebhooks library verifies, and it refuses a tampered one", () => {
    const secret = generateWebhookSecret();
    const seconds = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders(secret, "evt_1", seconds, BODY);
    expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(secret).verify(BODY.replace("key_x", "key_y"), headers)).toThrow(
      "No matching signature found",
    );
    expect(() => new Webhook(generateWebhookSecret()).verify(BODY, headers)).toThrow(
      WebhookVerificationError,
    );
  });
});
