import { randomUUID } from "node:crypto";
import { VERIFY_CODES, type VerifyCode } from "@keysmith/core";
import { type TagUsageRow, type UsageRow, usageRowId } from "../domain/records.js";
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
  /** This minute's counts per outcome and tag, made on the first tagged verification. */
  tagged: Map<string, { code: VerifyCode; tag: string; count: number; spend: number }> | null;
}

export interface UsageSink {
  /** Writes a batch; a batch already written under `batchId` is skipped (see `UsageRecorder`). */
  addUsage(rows: readonly (UsageRow | TagUsageRow)[], batchId?: string): Promise<void>;
}

export interface UsageRecorderOptions {
  /**
   * Rows (key × minute × outcome) held unwritten at most, besides the one batch (≤ 200 rows)
   * waiting to be sent again as it was; further new rows are dropped.
   */
  maxBuffered?: number;
  /** Told once when the buffer is full and rows start being dropped (until it drains again). */
  onOverflow?: (maxBuffered: number) => void;
}

/** Rows a single write carries: one INSERT statement, so it lands whole or not at all. */
const BATCH = 200;

/**
 * Counts verification outcomes per key, minute and code in memory, and writes them in batches
 * (`flush`, every second by default, and on shutdown). A crash loses at most one flush
 * interval of counts; a graceful stop loses nothing.
 *
 * While the database refuses writes the rows stay here, merged per key, minute and code (so an
 * outage of an hour holds 60 rows per key and outcome, not one per flush), and are written once
 * it is back. Each batch carries an id and is written in one transaction with it: a batch whose
 * write failed may still have committed (the reply was lost with the connection), so it is sent
 * again as it was, under the same id, before anything else, and the sink skips an id it has
 * already written. So it is counted once either way. Past `maxBuffered` rows new rows are
 * dropped and counted (`dropped`), and `onOverflow` is told once.
 */
export class UsageRecorder {
  private readonly current = new Map<string, KeyMinute>();
  /** Rows drained and not yet written, by `keyId minute code`, oldest first. */
  private pending = new Map<string, UsageRow | TagUsageRow>();
  private flushing: Promise<void> | null = null;
  private readonly maxBuffered: number;
  private readonly onOverflow: ((maxBuffered: number) => void) | undefined;
  private overflowing = false;
  /**
   * The batch being written, or whose write failed: until the sink confirms it, it may or may
   * not have committed, so it is sent again as it was, under its id, before any other.
   */
  private sending: { id: string; rows: (UsageRow | TagUsageRow)[] } | null = null;
  /** Verifications whose counts were dropped because the buffer was full. */
  dropped = 0;

  constructor(
    private readonly sink: UsageSink,
    private readonly detector: Detector | null = null,
    options: UsageRecorderOptions = {},
  ) {
    this.maxBuffered = options.maxBuffered ?? 1_000_000;
    this.onOverflow = options.onOverflow;
  }

  /** Rows waiting to be written, the batch being written included. */
  get buffered(): number {
    return this.pending.size + (this.sending?.rows.length ?? 0);
  }

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
        tagged: null,
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
    tags?: readonly string[],
  ): void {
    this.recordIn(this.slot(keyId, projectId, ownerId), code, spend, now, tags);
  }

  /** Counts one verification in a slot from `slot()`, and in the split of each tag it carried. */
  recordIn(usage: KeyMinute, code: VerifyCode, spend: number, now: number, tags?: readonly string[]): void {
    this.toMinuteOf(usage, now);
    const slot = CODE_INDEX[code] as number;
    usage.counts[slot] = (usage.counts[slot] as number) + 1;
    usage.spend += spend;
    usage.total += 1;
    if (code === "VALID") usage.lastValidAt = now;
    else usage.rejected += 1;
    if (tags !== undefined && tags.length > 0) countTags(usage, code, spend, tags);
    this.detector?.observe(usage, code, now);
  }

  /**
   * Counts `count` VALID verifications answered elsewhere (an SDK's local cache, reported in a
   * batch) in the current minute. They are not shown to the spike detector one by one: a batch
   * arrives at once and would read as a spike.
   */
  recordReported(keyId: string, projectId: string, ownerId: string | null, count: number, now: number): void {
    const usage = this.slot(keyId, projectId, ownerId);
    this.toMinuteOf(usage, now);
    const slot = CODE_INDEX.VALID as number;
    usage.counts[slot] = (usage.counts[slot] as number) + count;
    usage.total += count;
    usage.lastValidAt = Math.max(usage.lastValidAt, now);
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

  /** Makes `now`'s minute the record's current one, closing the minute it held (if any). */
  private toMinuteOf(usage: KeyMinute, now: number): void {
    const minute = now - (now % MINUTE);
    if (usage.minute === minute) return;
    if (usage.total > 0 || usage.minute !== 0) this.closeMinute(usage, minute);
    else usage.minute = minute;
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
      this.queue({
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
    if (usage.tagged === null) return;
    for (const { code, tag, count, spend } of usage.tagged.values()) {
      const { keyId, projectId, ownerId, minute } = usage;
      this.queue({ keyId, projectId, ownerId, minute, code, tag, count, spend });
    }
    usage.tagged = null;
  }

  /** Adds a row to the write queue, merged with the unwritten row of the same key, minute and code. */
  private queue(row: UsageRow | TagUsageRow): void {
    const id = usageRowId(row);
    const seen = this.pending.get(id);
    if (seen !== undefined) {
      seen.count += row.count;
      seen.spend += row.spend;
      return;
    }
    if (this.pending.size >= this.maxBuffered) {
      this.dropped += row.count;
      if (!this.overflowing) {
        this.overflowing = true;
        this.onOverflow?.(this.maxBuffered);
      }
      return;
    }
    this.pending.set(id, { ...row });
  }

  /**
   * Writes everything counted so far, a batch at a time. Concurrent calls share one write. A
   * failed batch goes back to the queue (merged with what was counted meanwhile) and the call
   * rejects; the next flush tries again.
   */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.flush());
    for (const usage of this.current.values()) this.drain(usage);
    if (this.pending.size === 0 && this.sending === null) return Promise.resolve();
    this.flushing = this.writeAll().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.sending !== null || this.pending.size > 0) {
      this.sending ??= { id: randomUUID(), rows: this.takeBatch() };
      // A failure leaves the batch in `sending` for the next flush, and rejects this one.
      await this.sink.addUsage(this.sending.rows, this.sending.id);
      this.sending = null;
    }
    this.overflowing = false;
  }

  /** Up to BATCH rows off the queue: counts added while they are written start new rows. */
  private takeBatch(): (UsageRow | TagUsageRow)[] {
    const batch: (UsageRow | TagUsageRow)[] = [];
    for (const [id, row] of this.pending) {
      batch.push(row);
      this.pending.delete(id);
      if (batch.length === BATCH) break;
    }
    return batch;
  }

  /** Undoes `drainLastUsed` for uses whose write failed, so the next drain includes them again. */
  restoreLastUsed(used: ReadonlyMap<string, number>): void {
    for (const [keyId, at] of used) {
      const usage = this.current.get(keyId);
      if (usage !== undefined && usage.lastValidWritten === at) usage.lastValidWritten = 0;
    }
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

function countTags(usage: KeyMinute, code: VerifyCode, spend: number, tags: readonly string[]): void {
  usage.tagged ??= new Map();
  // A tag named twice in one call counts once.
  for (const tag of new Set(tags)) {
    const id = `${code}\n${tag}`;
    const seen = usage.tagged.get(id);
    if (seen) {
      seen.count += 1;
      seen.spend += spend;
    } else usage.tagged.set(id, { code, tag, count: 1, spend });
  }
}
