import { KeysmithApiError } from "./errors.js";

export type SendReport = (keys: { keyId: string; count: number }[]) => Promise<unknown>;

/** Keys a report carries at most (the route's limit). */
const MAX_KEYS = 1000;

/**
 * Counts the verifications a local cache answered, per key, and reports them to keysmith
 * (`POST /v1/usage`) in one call per interval, so cached calls still show in usage. A failed
 * report (keysmith down, a timeout, a 5xx) keeps its counts for the next one; a server without
 * the route (404) stops the reports; any other refusal (a root key without keys:verify) drops
 * that batch, told to `onError`. Nothing runs while nothing is counted, and the timer never
 * keeps the process alive: `flush()` (called by the client's `close()`) sends what is left.
 */
export class UsageReporter {
  private counts = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sending: Promise<void> = Promise.resolve();
  private unsupported = false;

  constructor(
    private readonly send: SendReport,
    private readonly intervalMs: number,
    private readonly onError?: (error: unknown) => void,
  ) {}

  count(keyId: string): void {
    if (this.unsupported) return;
    this.counts.set(keyId, (this.counts.get(keyId) ?? 0) + 1);
    if (this.timer === null) this.schedule();
  }

  /** Sends what is counted now (after any report already on its way). */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.sending = this.sending.then(() => this.sendAll());
    return this.sending;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async sendAll(): Promise<void> {
    if (this.counts.size === 0 || this.unsupported) return;
    const entries = [...this.counts].map(([keyId, count]) => ({ keyId, count }));
    this.counts = new Map();
    for (let start = 0; start < entries.length; start += MAX_KEYS) {
      const batch = entries.slice(start, start + MAX_KEYS);
      try {
        await this.send(batch);
      } catch (error) {
        if (error instanceof KeysmithApiError && error.status === 404) {
          this.unsupported = true;
          this.counts.clear();
          return;
        }
        this.tell(error);
        const retry = !(error instanceof KeysmithApiError) || error.status >= 500 || error.status === 429;
        if (!retry) continue;
        // Kept for the next report, with whatever was counted meanwhile.
        for (const { keyId, count } of entries.slice(start)) {
          this.counts.set(keyId, (this.counts.get(keyId) ?? 0) + count);
        }
        if (this.timer === null) this.schedule();
        return;
      }
    }
  }

  private tell(error: unknown): void {
    try {
      this.onError?.(error);
    } catch {
      // A failing logger must not lose counts.
    }
  }
}
