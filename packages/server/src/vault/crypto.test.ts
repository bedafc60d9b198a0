import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  newProjectKey,
  openValue,
  sealValue,
  unwrapProjectKey,
  type ValueRef,
  VaultCryptoError,
  wrapProjectKey,
} from "./crypto.js";

const ref: ValueRef = { projectId: "proj_a", environment: "production", name: "STRIPE_KEY", version: 3 };

describe("the vault envelope", () => {
  it("round-trips a value under a fresh data key and nonce every time", () => {
    const projectKey = newProjectKey();
    const one = sealValue(projectKey, ref, "sk_live_abc");
    const two = sealValue(projectKey, ref, "sk_live_abc");
    expect(openValue(projectKey, ref, one)).toBe("sk_live_abc");
    expect(one.nonce.equals(two.nonce)).toBe(false);
    expect(one.dekNonce.equals(two.dekNonce)).toBe(false);
    expect(one.wrappedDek.equals(two.wrappedDek)).toBe(false);
    expect(one.ciphertext.equals(two.ciphertext)).toBe(false);
    expect(one.nonce).toHaveLength(12);
    expect(openValue(projectKey, ref, sealValue(projectKey, ref, ""))).toBe("");
  });

  it.each([
    ["project", { projectId: "proj_b" }],
    ["environment", { environment: "staging" }],
    ["name", { name: "OTHER_KEY" }],
    ["version", { version: 2 }],
  ])("fails to open a value moved to another %s", (_what, change) => {
    const projectKey = newProjectKey();
    const sealed = sealValue(projectKey, ref, "secret");
    expect(() => openValue(projectKey, { ...ref, ...change }, sealed)).toThrow(VaultCryptoError);
    try {
      openValue(projectKey, { ...ref, ...change }, sealed);
    } catch (error) {
      expect(error).toMatchObject({ code: "DECRYPT_FAILED" });
      expect(String((error as Error).message)).not.toContain("secret\u0000");
    }
  });

  it.each(["ciphertext", "nonce", "wrappedDek", "dekNonce"] as const)(
    "fails when one bit of %s flips",
    (field) => {
      const projectKey = newProjectKey();
      const sealed = sealValue(projectKey, ref, "secret value");
      const tampered = Buffer.from(sealed[field]);
      tampered[0] = (tampered[0] as number) ^ 1;
      expect(() => openValue(projectKey, ref, { ...sealed, [field]: tampered })).toThrow(
        /failed authentication/,
      );
    },
  );

  it("fails under another project key, and on an unknown format", () => {
    const sealed = sealValue(newProjectKey(), ref, "v");
    expect(() => openValue(newProjectKey(), ref, sealed)).toThrow(VaultCryptoError);
    expect(() => openValue(newProjectKey(), ref, { ...sealed, format: 2 })).toThrow(/format 2/);
  });

  it("wraps a project key for its project only", () => {
    const master = randomBytes(32);
    const projectKey = newProjectKey();
    const wrapped = wrapProjectKey(master, "proj_a", projectKey);
    expect(unwrapProjectKey(master, "proj_a", wrapped).equals(projectKey)).toBe(true);
    expect(() => unwrapProjectKey(master, "proj_b", wrapped)).toThrow(VaultCryptoError);
    expect(() => unwrapProjectKey(randomBytes(32), "proj_a", wrapped)).toThrow(VaultCryptoError);
    expect(() => wrapProjectKey(randomBytes(16), "proj_a", projectKey)).toThrow(/32 bytes/);
  });
});
