import { ChangeStream, type ChangeStreamStatus, type KeyChangeEvent } from "./change-stream.js";
import type { Fetch } from "./http.js";
import { type SendReport, UsageReporter } from "./usage-reporter.js";
import type { VerifyKeyResult } from "./verify.js";
import { positiveMs, VerifyCache, type VerifyCacheOptions } from "./verify-cache.js";

export interface CacheOptions extends VerifyCacheOptions {
  /**
   * Follow keysmith's change feed (`GET /v1/keys/changes`) and drop a key's answers as soon as
   * it is revoked, disabled, rolled or changed (default true). While the feed is down nothing
   * is cached; a server without the feed leaves the TTL as the only bound.
   */
  followChanges?: boolean;
  /** Hears each change the feed reports, after the cache dropped what it affects. */
  onChange?: (event: KeyChangeEvent) => void;
  /** Hears when the feed is followed (`live`), lost (`down`) or refused (`unsupported`). */
  onStatus?: (status: ChangeStreamStatus) => void;
  /**
   * Report the verifications answered from the cache to keysmith (`POST /v1/usage`), counted per
   * key and sent once per `reportIntervalMs`, so they show in usage like the others (default
   * true). They are counted in the minute the report arrives.
   */
  reportUsage?: boolean;
  /** How often cached verifications are reported, in ms (default 10 000). */
  reportIntervalMs?: number;
  /** Hears a report that failed (its counts are kept for the next one unless keysmith refused it). */
  onReportError?: (error: unknown) => void;
}

/**
 * The verify cache and, when it follows the change feed, the rule that keeps them consistent:
 * an answer is kept only if the feed was live for the whole request and reported no change in
 * between, so a change can never be missed between the answer and the event.
 */
export class AnswerCache {
  private readonly answers: VerifyCache<VerifyKeyResult>;
  private readonly stream: ChangeStream | null;
  private readonly reporter: UsageReporter | null;
  private epoch = 0;

  constructor(
    options: CacheOptions,
    connection: { baseUrl: string; rootKey: string; fetch: Fetch },
    report: SendReport,
  ) {
    this.answers = new VerifyCache<VerifyKeyResult>(options);
    this.reporter =
      options.reportUsage === false
        ? null
        : new UsageReporter(
            report,
            positiveMs(options.reportIntervalMs ?? 10_000, "reportIntervalMs"),
            options.onReportError,
          );
    this.stream =
      options.followChanges === false
        ? null
        : new ChangeStream({
            ...connection,
            onEvent: (event) => {
              this.epoch++;
              if (event.keyId) this.answers.forgetKey(event.keyId);
              else if (event.projectId) this.answers.forgetProject(event.projectId);
              else this.answers.clear();
              options.onChange?.(event);
            },
            onStatus: (status) => {
              if (status === "down") {
                this.epoch++;
                this.answers.clear();
              }
              options.onStatus?.(status);
            },
          });
  }

  get(cacheKey: string): VerifyKeyResult | undefined {
    this.stream?.start();
    const hit = this.answers.get(cacheKey);
    if (hit !== undefined) this.reporter?.count(hit.keyId as string);
    return hit;
  }

  /** Taken before asking the server; `keep` refuses the answer if anything happened since. */
  ticket(): number | null {
    if (this.stream === null || this.stream.unsupported || this.stream.live) return this.epoch;
    return null;
  }

  keep(cacheKey: string, answer: VerifyKeyResult, ticket: number | null): void {
    if (ticket === null || ticket !== this.epoch || this.ticket() === null) return;
    // Stored as it will be served: one frozen object per entry, no copy per hit.
    this.answers.set(cacheKey, Object.freeze({ ...answer, source: "cache" }));
  }

  forget(keyId?: string): void {
    if (keyId === undefined) this.answers.clear();
    else this.answers.forgetKey(keyId);
  }

  /** Stops following the feed and sends the last usage report (the promise settles when it is sent). */
  close(): Promise<void> {
    this.stream?.close();
    this.answers.clear();
    return this.reporter?.flush() ?? Promise.resolve();
  }

  /** Sends the cached verifications counted so far now, rather than at the next interval. */
  flushUsage(): Promise<void> {
    return this.reporter?.flush() ?? Promise.resolve();
  }
}
