import type { VerifyCode } from "@keysmith/core";
import type { AlertSink } from "./alert-sink.js";
import type { KeyMinute } from "./usage.js";

const MINUTE = 60_000;

export interface DetectorOptions {
  alerts: AlertSink;
  /** Called when a spike starts, for the project policy that disables the key. */
  onAnomaly?: (keyId: string, projectId: string) => void;
  /** A spike: a minute at least this many times the trailing mean… */
  spikeFactor?: number;
  /** …and at least this many verifications… */
  spikeMinimum?: number;
  /** …once the key has this many minutes of history. */
  minimumHistory?: number;
  /** Minutes of history the baseline averages. */
  baselineMinutes?: number;
  /** A retry storm: this many rejected verifications in one minute. */
  stormMinimum?: number;
  onError?: (error: unknown) => void;
}

/**
 * Spike and retry-storm detection on the counts the usage recorder keeps, per key:
 *
 * - **Spike** (`key.anomaly`): the current minute reaches `spikeFactor` (10) times the key's mean
 *   per-minute volume over the previous `baselineMinutes` (60), and at least `spikeMinimum`
 *   (100) verifications, once the key has `minimumHistory` (15) minutes of history on this
 *   node. One alert per episode; the episode ends with a minute below 3× the baseline.
 * - **Retry storm** (`key.retry_storm`): `stormMinimum` (100) rejected verifications in one
 *   minute. One alert per episode; the episode ends with a minute below the minimum.
 *
 * The baseline lives in memory: a restarted node learns it again.
 */
export class Detector {
  private readonly spikeFactor: number;
  private readonly spikeMinimum: number;
  private readonly minimumHistory: number;
  private readonly baselineMinutes: number;
  private readonly stormMinimum: number;

  constructor(private readonly options: DetectorOptions) {
    this.spikeFactor = options.spikeFactor ?? 10;
    this.spikeMinimum = options.spikeMinimum ?? 100;
    this.minimumHistory = options.minimumHistory ?? 15;
    this.baselineMinutes = options.baselineMinutes ?? 60;
    this.stormMinimum = options.stormMinimum ?? 100;
  }

  /** After each recorded verification. Cheap unless a threshold is crossed exactly now. */
  observe(usage: KeyMinute, code: VerifyCode, now: number): void {
    if (code !== "VALID" && usage.rejected === this.stormMinimum && usage.stormSince === null) {
      usage.stormSince = usage.minute;
      this.raise("key.retry_storm", usage, { rejectedInMinute: usage.rejected, minute: iso(usage.minute) });
    }
    if (
      usage.total >= this.spikeMinimum &&
      usage.anomalySince === null &&
      usage.history.length >= this.minimumHistory
    ) {
      const baseline = mean(usage.history);
      if (usage.total >= this.spikeFactor * Math.max(baseline, 1e-9)) {
        usage.anomalySince = usage.minute;
        this.raise("key.anomaly", usage, {
          rate: usage.total,
          baselinePerMinute: Math.round(baseline * 100) / 100,
          factor: this.spikeFactor,
          minute: iso(usage.minute),
          detectedAt: iso(now),
        });
        this.options.onAnomaly?.(usage.keyId, usage.projectId);
      }
    }
  }

  /** When a key's minute ends: extend its history and end finished episodes. */
  minuteClosed(usage: KeyMinute, nextMinute: number): void {
    const baseline = mean(usage.history);
    if (usage.anomalySince !== null && usage.total < 3 * baseline) usage.anomalySince = null;
    if (usage.stormSince !== null && usage.rejected < this.stormMinimum) usage.stormSince = null;
    usage.history.push(usage.total);
    // Minutes without a single verification count as zero.
    const gap = Math.min((nextMinute - usage.minute) / MINUTE - 1, this.baselineMinutes);
    for (let i = 0; i < gap; i++) usage.history.push(0);
    if (gap > 0) {
      usage.anomalySince = null;
      usage.stormSince = null;
    }
    if (usage.history.length > this.baselineMinutes)
      usage.history.splice(0, usage.history.length - this.baselineMinutes);
  }

  private raise(type: string, usage: KeyMinute, data: Record<string, unknown>): void {
    const since = type === "key.anomaly" ? usage.anomalySince : usage.stormSince;
    this.options.alerts
      .raise({
        type,
        projectId: usage.projectId,
        keyId: usage.keyId,
        data: { keyId: usage.keyId, ownerId: usage.ownerId, ...data },
        idempotencyKey: `${type}:${usage.keyId}:${since}`,
      })
      .catch((error: unknown) => this.options.onError?.(error));
  }
}

function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

const iso = (ms: number): string => new Date(ms).toISOString();
