/**
 * Multi-keyword search over raw bytes in one pass: an Aho-Corasick automaton compiled to a full
 * DFA table (state × byte → state), so the inner loop is one table load and one sign test per
 * byte.
 *
 * Written by hand because the npm implementations work on JS strings with per-node maps and
 * Unicode handling: measured here on 50 MB of source, `modern-ahocorasick` ran at ≈ 0.05 MB/s and
 * `@monyone/aho-corasick` at ≈ 3.4 MB/s, against ≈ 400 MB/s for this table walk over a Buffer
 * (and no UTF-8 decoding of the 98% of the input that has no keyword).
 */
export interface Prefilter {
  /** The keywords searched for (case variants already expanded). */
  readonly keywords: readonly string[];
  /**
   * Finds every keyword occurrence in `bytes`. Returns the number of hits; hit `i` is the end
   * (exclusive) at `hits.positions[i]` of the keywords listed for state `hits.states[i]`.
   */
  scan(bytes: Uint8Array): number;
  readonly hits: { readonly positions: Int32Array; readonly states: Int32Array };
  /** Keyword ids that end in a state (matches through failure links included). */
  outputs(state: number): readonly number[];
  readonly stateCount: number;
}

/**
 * Compiles keywords (ASCII or UTF-8) into a byte-level DFA.
 *
 * @example
 * const pf = buildPrefilter(["ghp_", "AKIA"]);
 * const n = pf.scan(Buffer.from("x = AKIA…")); // pf.hits.positions[0] === 8
 */
export function buildPrefilter(keywords: readonly string[]): Prefilter {
  const children: Map<number, number>[] = [new Map()];
  const ownOutputs: number[][] = [[]];
  for (const [id, keyword] of keywords.entries()) {
    if (keyword.length === 0) throw new TypeError("empty keyword");
    let state = 0;
    for (const byte of Buffer.from(keyword, "utf8")) {
      const node = children[state] as Map<number, number>;
      let next = node.get(byte);
      if (next === undefined) {
        next = children.length;
        children.push(new Map());
        ownOutputs.push([]);
        node.set(byte, next);
      }
      state = next;
    }
    (ownOutputs[state] as number[]).push(id);
  }

  const count = children.length;
  if (count >= 1 << 23) throw new RangeError("too many keyword states");
  const table = new Int32Array(count * 256);
  const fail = new Int32Array(count);
  const outputs: number[][] = ownOutputs.map((list) => [...list]);
  // Breadth-first: a state's failure target is shallower, so its row and outputs are complete.
  const queue: number[] = [];
  for (const [byte, next] of children[0] as Map<number, number>) {
    table[byte] = next;
    queue.push(next);
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head] as number;
    const failState = fail[state] as number;
    (outputs[state] as number[]).push(...(outputs[failState] as number[]));
    // Start from the failure state's row (a native copy), then set this state's own edges.
    table.copyWithin(state * 256, failState * 256, failState * 256 + 256);
    for (const [byte, next] of children[state] as Map<number, number>) {
      fail[next] = table[failState * 256 + byte] as number;
      table[state * 256 + byte] = next;
      queue.push(next);
    }
  }
  // The scan loop's table: entries hold the next state pre-multiplied by 256 (the row offset),
  // bitwise-negated when that state ends a keyword, so each byte costs one load and a sign test.
  const accepting = new Uint8Array(count);
  for (let state = 0; state < count; state++)
    accepting[state] = (outputs[state] as number[]).length > 0 ? 1 : 0;
  const steps = new Int32Array(count * 256);
  for (let i = 0; i < steps.length; i++) {
    const next = table[i] as number;
    steps[i] = accepting[next] === 1 ? ~(next << 8) : next << 8;
  }

  const hits: HitList = { positions: new Int32Array(4096), states: new Int32Array(4096) };
  const second: HitList = { positions: new Int32Array(4096), states: new Int32Array(4096) };
  const maxLength = Math.max(...keywords.map((k) => Buffer.byteLength(k)));
  return {
    keywords,
    hits,
    outputs: (state) => outputs[state] as number[],
    stateCount: count,
    scan(bytes) {
      if (bytes.length < TWO_STREAM_MIN || maxLength * 4 > bytes.length) return scanOne(steps, bytes, hits);
      // Two independent walks, over each half, interleaved in one loop: each step waits on the
      // previous table load of its own walk only, so the CPU overlaps the two (≈ 1.4× here).
      // The second walk starts maxLength - 1 bytes early and keeps only hits ending in its half.
      const len = bytes.length;
      const half = len >> 1;
      let a = 0;
      let b = 0;
      let rowA = 0;
      let rowB = 0;
      let i = 0;
      let j = half - (maxLength - 1);
      while (i < half) {
        const stepA = steps[rowA + (bytes[i] as number)] as number;
        const stepB = steps[rowB + (bytes[j] as number)] as number;
        i++;
        j++;
        if (stepA < 0) {
          rowA = ~stepA;
          if (a === hits.positions.length) grow(hits);
          hits.positions[a] = i;
          hits.states[a++] = rowA >> 8;
        } else {
          rowA = stepA;
        }
        if (stepB < 0) {
          rowB = ~stepB;
          if (j > half) {
            if (b === second.positions.length) grow(second);
            second.positions[b] = j;
            second.states[b++] = rowB >> 8;
          }
        } else {
          rowB = stepB;
        }
      }
      for (; j < len; j++) {
        const stepB = steps[rowB + (bytes[j] as number)] as number;
        if (stepB < 0) {
          rowB = ~stepB;
          if (b === second.positions.length) grow(second);
          second.positions[b] = j + 1;
          second.states[b++] = rowB >> 8;
        } else {
          rowB = stepB;
        }
      }
      while (a + b > hits.positions.length) grow(hits);
      hits.positions.set(second.positions.subarray(0, b), a);
      hits.states.set(second.states.subarray(0, b), a);
      return a + b;
    },
  };
}

/** Below this many bytes one walk is as fast: the two-walk setup does not pay. */
const TWO_STREAM_MIN = 4096;

interface HitList {
  positions: Int32Array;
  states: Int32Array;
}

function scanOne(steps: Int32Array, bytes: Uint8Array, hits: HitList): number {
  let n = 0;
  let row = 0;
  const len = bytes.length;
  for (let i = 0; i < len; i++) {
    const step = steps[row + (bytes[i] as number)] as number;
    if (step < 0) {
      row = ~step;
      if (n === hits.positions.length) grow(hits);
      hits.positions[n] = i + 1;
      hits.states[n++] = row >> 8;
    } else {
      row = step;
    }
  }
  return n;
}

function grow(hits: HitList): void {
  const positions = new Int32Array(hits.positions.length * 2);
  positions.set(hits.positions);
  const states = new Int32Array(hits.states.length * 2);
  states.set(hits.states);
  hits.positions = positions;
  hits.states = states;
}
