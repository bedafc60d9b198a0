import { describe, expect, it } from "vitest";
import type { UsageRow } from "../domain/records.js";
import { UsageRecorder } from "./usage.js";

const T0 = Date.UTC(2026, 5, 1, 12);
const outage = () => Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });

/** A database the test takes down and brings back; it keeps what it was sent. */
/** A database stand-in: down refuses writes; a batch id already written is skipped, as the store does. */
function sink() {
  const written: UsageRow[] = [];
  const applied = new Set<string>();
  let down = false;
  let calls = 0;
  return {
    written,
    get calls() {
      return calls;
    },
    set down(value: boolean) {
      down = value;
    },
    total: () => written.reduce((sum, row) => sum + row.count, 0),
    async addUsage(rows: readonly UsageRow[], batchId?: string): Promise<void> {
      calls++;
      if (down) throw outage();
      if (batchId !== undefined) {
        if (applied.has(batchId)) return;
        applied.add(batchId);
      }
      written.push(...rows.map((row) => ({ ...row })));
    },
  };
}

describe("UsageRecorder through a database outage", () => {
  it("keeps every count while writes fail, merged per key, minute and code, and writes them after", async () => {
    const db = sink();
    const recorder = new UsageRecorder(db);
    db.down = true;
    for (let second = 0; second < 120; second++) {
      recorder.record("key_a", "proj_1", null, "VALID", 2, T0 + second * 1000);
      if (second % 10 === 0) recorder.record("key_a", "proj_1", null, "RATE_LIMITED", 0, T0 + second * 1000);
      await expect(recorder.flush()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    }
    // The first failed batch (two rows) waits as it was; the rest merge: two minutes, two codes,
    // four rows, however many flushes failed.
    expect(recorder.buffered).toBe(2 + 4);
    db.down = false;
    await recorder.flush();
    expect(recorder.buffered).toBe(0);
    expect(db.total()).toBe(120 + 12);
    const valid = new Map<number, [number, number]>();
    for (const row of db.written.filter((r) => r.code === "VALID")) {
      const [count, spend] = valid.get(row.minute) ?? [0, 0];
      valid.set(row.minute, [count + row.count, spend + row.spend]);
    }
    expect([...valid]).toEqual([
      [T0, [60, 120]],
      [T0 + 60_000, [60, 120]],
    ]);
  });

  it("retries only the batch that failed: a batch written before the failure is not written twice", async () => {
    const db = sink();
    const recorder = new UsageRecorder(db);
    for (let i = 0; i < 450; i++) recorder.record(`key_${i}`, "proj_1", null, "VALID", 0, T0);
    const addUsage = db.addUsage.bind(db);
    let attempt = 0;
    db.addUsage = async (rows) => {
      // The second batch of 200 hits the outage.
      if (++attempt === 2) throw outage();
      return addUsage(rows);
    };
    await expect(recorder.flush()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(db.total()).toBe(200);
    await recorder.flush();
    expect(db.total()).toBe(450);
    expect(new Set(db.written.map((row) => row.keyId)).size).toBe(450);
  });

  it("counts a batch once when its write committed but the reply was lost, and sends it again as it was", async () => {
    const db = sink();
    const recorder = new UsageRecorder(db);
    recorder.record("key_a", "proj_1", null, "VALID", 1, T0);
    recorder.record("key_a", "proj_1", null, "VALID", 1, T0);
    const addUsage = db.addUsage.bind(db);
    const ids: (string | undefined)[] = [];
    db.addUsage = async (rows, batchId) => {
      ids.push(batchId);
      await addUsage(rows, batchId);
      // The first write commits, then the connection breaks before its reply.
      if (ids.length === 1) throw outage();
    };
    await expect(recorder.flush()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    recorder.record("key_a", "proj_1", null, "VALID", 1, T0);
    await recorder.flush();
    expect(db.total()).toBe(3);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(recorder.buffered).toBe(0);
  });

  it("counts what arrives while a write is in flight into the next one", async () => {
    const db = sink();
    const recorder = new UsageRecorder(db);
    recorder.record("key_a", "proj_1", null, "VALID", 0, T0);
    const release: (() => void)[] = [];
    const addUsage = db.addUsage.bind(db);
    db.addUsage = (rows) =>
      new Promise<void>((resolve, reject) => {
        release.push(() => addUsage(rows).then(resolve, reject));
      });
    const first = recorder.flush();
    recorder.record("key_a", "proj_1", null, "VALID", 0, T0 + 1);
    db.down = true;
    (release.shift() as () => void)();
    await expect(first).rejects.toMatchObject({ code: "ECONNREFUSED" });
    db.down = false;
    db.addUsage = addUsage;
    await recorder.flush();
    expect(db.total()).toBe(2);
  });

  it("drops new rows past the bound, counts them, and warns once per outage", async () => {
    const db = sink();
    const warnings: number[] = [];
    const recorder = new UsageRecorder(db, null, { maxBuffered: 3, onOverflow: (max) => warnings.push(max) });
    db.down = true;
    for (let i = 0; i < 5; i++) recorder.record(`key_${i}`, "proj_1", null, "VALID", 0, T0);
    await expect(recorder.flush()).rejects.toThrow();
    // Rows already held keep counting; only new ones are refused.
    recorder.record("key_0", "proj_1", null, "VALID", 0, T0 + 1);
    recorder.record("key_9", "proj_1", null, "VALID", 0, T0 + 1);
    await expect(recorder.flush()).rejects.toThrow();
    // The failed batch (3 rows) waits apart, beside at most maxBuffered new rows.
    expect(recorder.buffered).toBe(5);
    expect(recorder.dropped).toBe(2);
    expect(warnings).toEqual([3]);
    db.down = false;
    await recorder.flush();
    expect(db.total()).toBe(5);
    // A later outage that fills the buffer warns again.
    db.down = true;
    for (let i = 0; i < 4; i++) recorder.record(`key_${i}`, "proj_1", null, "VALID", 0, T0 + 120_000);
    await expect(recorder.flush()).rejects.toThrow();
    expect(warnings).toEqual([3, 3]);
  });

  it("gives back last-use times whose write failed", () => {
    const recorder = new UsageRecorder(sink());
    recorder.record("key_a", "proj_1", null, "VALID", 0, T0 + 5);
    const drained = recorder.drainLastUsed();
    expect(drained).toEqual(new Map([["key_a", T0 + 5]]));
    expect(recorder.drainLastUsed().size).toBe(0);
    recorder.restoreLastUsed(drained);
    expect(recorder.drainLastUsed()).toEqual(new Map([["key_a", T0 + 5]]));
  });
});
