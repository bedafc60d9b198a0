import { VERIFY_CODES, type VerifyCode } from "@keysmith/core";
import type { UsageRow } from "../domain/records.js";
import type { Detector } from "./detector.js";

const MINUTE = 60_000;
const CODE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(VERIFY_CODES.map((c, i) => [c, i]));

/**
 * One key's live usage: counts for the current minute (an array slot per outcome code, so
 * counting allocates nothing) and what the detector keeps about its recent past.
 */
export interface KeyMinute {
  keyId: string;
  projectId: string;
  ownerId: string | null;
  minute: number;
  counts: Float64Array;
  spend: number;
  /** Verifications and rejections this minute (rejections: anything but VALID). */
  total: number;
  rejected: number;
  /** Totals of the previous minutes, oldest first, at most the detector's baseline length. */
  history: number[];
  /** The minute an ongoing spike or retry storm started, or null. */
  anomalySince: number | null;
  stormSince: number | null;
  /** The latest VALID verification, and the latest one already written as `lastUsedAt`. */
  lastValidAt: number;
  lastValidWritten: number;
  /** Set when the recorder forgot this record: holders must ask `slot()` for a new one. */
  detached: boolean;
}

export interface UsageSink {
  addUsage(rows: readonly UsageRow[]): Promise<void>;
}

/**
 * Counts verification outcomes per key, minute and code in memory, and writes them in batches
 * (`flush`, every second by default, and on shutdown). A crash loses at most one flush
 * interval of counts; a graceful stop loses nothing.
 */
export class UsageRecorder {
  private readonly current = new Map<string, KeyMinute>();
  private pending: UsageRow[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly sink: UsageSink,
    private readonly detector: Detector | null = null,
  ) {}

  /**
   * The live usage record of a key, created on first use. Callers may keep it (the verifier
   * keeps it on the cache entry, saving a lookup per verification) until `detached` is set.
   */
  slot(keyId: string, projectId: string, ownerId: string | null): KeyMinute {
    let usage = this.current.get(keyId);
    if (usage === undefined) {
      usage = {
        keyId,
        projectId,
        ownerId,
        minute: 0,
        counts: new Float64Array(VERIFY_CODES.length),
        spend: 0,
        total: 0,
        rejected: 0,
        history: [],
        anomalySince: null,
        stormSince: null,
        lastValidAt: 0,
        lastValidWritten: 0,
        detached: false,
      };
      this.current.set(keyId, usage);
    }
    return usage;
  }

  record(
    keyId: string,
    projectId: string,
    ownerId: string | null,
    code: VerifyCode,
    spend: number,
    now: number,
  ): void {
    this.recordIn(this.slot(keyId, projectId, ownerId), code, spend, now);
  }

  /** Counts one verification in a slot from `slot()`. */
  recordIn(usage: KeyMinute, code: VerifyCode, spend: number, now: number): void {
    const minute = now - (now % MINUTE);
    if (usage.minute !== minute) {
      if (usage.total > 0 || usage.minute !== 0) this.closeMinute(usage, minute);
      else usage.minute = minute;
    }
    const slot = CODE_INDEX[code] as number;
    usage.counts[slot] = (usage.counts[slot] as number) + 1;
    usage.spend += spend;
    usage.total += 1;
    if (code === "VALID") usage.lastValidAt = now;
    else usage.rejected += 1;
    this.detector?.observe(usage, code, now);
  }

  /** Keys verified VALID since the last call, with the time of their latest use. */
  drainLastUsed(): Map<string, number> {
    const used = new Map<string, number>();
    for (const usage of this.current.values()) {
      if (usage.lastValidAt > usage.lastValidWritten) {
        used.set(usage.keyId, usage.lastValidAt);
        usage.lastValidWritten = usage.lastValidAt;
      }
    }
    return used;
  }

  /** The latest VALID use of a key seen here, or undefined. */
  lastUsed(keyId: string): number | undefined {
    const at = this.current.get(keyId)?.lastValidAt;
    return at ? at : undefined;
  }

  /** Moves a finished minute to the write queue and starts the next one. */
  private closeMinute(usage: KeyMinute, nextMinute: number): void {
    this.detector?.minuteClosed(usage, nextMinute);
    this.drain(usage);
    usage.minute = nextMinute;
    usage.total = 0;
    usage.rejected = 0;
  }

  private drain(usage: KeyMinute): void {
    const { counts } = usage;
    let spendLeft = usage.spend;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i] as number;
      if (count === 0) continue;
      const code = VERIFY_CODES[i] as VerifyCode;
      // Spend belongs to VALID answers: only they are priced.
      const spend = code === "VALID" ? spendLeft : 0;
      if (code === "VALID") spendLeft = 0;
      this.pending.push({
        keyId: usage.keyId,
        projectId: usage.projectId,
        ownerId: usage.ownerId,
        minute: usage.minute,
        code,
        count,
        spend,
      });
      counts[i] = 0;
    }
    usage.spend = 0;
  }

  /** Writes everything counted so far. Concurrent calls share one write. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    for (const usage of this.current.values()) this.drain(usage);
    if (this.pending.length === 0) return Promise.resolve();
    const rows = this.pending;
    this.pending = [];
    this.flushing = this.sink.addUsage(rows).then(
      () => {
        this.flushing = null;
      },
      (error: unknown) => {
        // Keep the rows for the next attempt rather than lose them.
        this.pending = rows.concat(this.pending);
        this.flushing = null;
        throw error;
      },
    );
    return this.flushing;
  }

  /** Forgets keys idle for more than two minutes (their counts were flushed). */
  sweep(now: number): void {
    for (const [keyId, usage] of this.current) {
      // Keep keys with a baseline: forgetting them would forget what normal looks like.
      if (now - usage.minute > 90 * MINUTE && usage.lastValidAt <= usage.lastValidWritten) {
        usage.detached = true;
        this.current.delete(keyId);
      }
    }
  }
}
