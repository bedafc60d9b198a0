import { KeysmithError } from "@keysmith/core";
import { open, type Sealed, seal, VaultCryptoError } from "../vault/crypto.js";

/**
 * Webhook signing secrets at rest: sealed with the vault's AES-256-GCM envelope under the
 * webhook key (see secret-key.ts), the endpoint id bound as associated data, so a sealed secret
 * copied onto another endpoint's row fails to open. Stored as `sealed:1:<nonce>:<ciphertext>`
 * (base64) in `webhooks.secret`; a row written before this format holds the plaintext
 * `whsec_…` until the first start with a key seals it.
 */

const PREFIX = "sealed:1:";
const FORMAT = 1;

const secretAad = (endpointId: string): Buffer =>
  Buffer.from(JSON.stringify(["keysmith-webhook-secret", FORMAT, endpointId]), "utf8");

/** Whether a stored value is still a plaintext secret (a row from before sealing). */
export const isPlaintextSecret = (stored: string): boolean => !stored.startsWith(PREFIX);

/**
 * Seals and opens webhook secrets with one key, or with none (a node that cannot read the
 * key: it creates no endpoint and sends no delivery).
 *
 * @example const stored = box.seal("whk_…", "whsec_…"); box.open("whk_…", stored) // "whsec_…"
 */
export class WebhookSecretBox {
  constructor(private readonly key: Buffer | null) {}

  get locked(): boolean {
    return this.key === null;
  }

  /** The stored form of a secret; throws WEBHOOK_SECRETS_LOCKED without a key. */
  seal(endpointId: string, secret: string): string {
    if (this.key === null) throw new KeysmithError("WEBHOOK_SECRETS_LOCKED");
    const sealed = seal(this.key, Buffer.from(secret, "utf8"), secretAad(endpointId));
    return `${PREFIX}${sealed.nonce.toString("base64")}:${sealed.ciphertext.toString("base64")}`;
  }

  /** The secret, or null when it cannot be opened (no key, another key, a moved or changed row). */
  open(endpointId: string, stored: string): string | null {
    if (isPlaintextSecret(stored)) return stored;
    if (this.key === null) return null;
    const [nonce, ciphertext] = stored.slice(PREFIX.length).split(":");
    if (!nonce || !ciphertext) return null;
    const sealed: Sealed = {
      nonce: Buffer.from(nonce, "base64"),
      ciphertext: Buffer.from(ciphertext, "base64"),
    };
    try {
      return open(this.key, sealed, secretAad(endpointId), "a webhook secret").toString("utf8");
    } catch (error) {
      if (error instanceof VaultCryptoError) return null;
      throw error;
    }
  }
}
