/**
 * What every fuzzer of the workspace shares, whichever drives it: the PRNG that makes a run
 * replayable from its printed seed, and where an input keeps a length field (the positions the
 * fuzz targets name for length lies). Used by the dicom fuzzers here (scripts/fuzz-mutator.ts,
 * fuzz/*.ts) and by the coverage-guided JS fuzzer (scripts/fuzz-js at the repository root), which
 * imports it from here: a package never imports from the root scripts/.
 */

/** Where an input keeps a length (from the target's `lengthFields`). */
export interface LengthField {
  readonly offset: number;
  readonly size: 2 | 4;
  readonly littleEndian: boolean;
}

/** SplitMix32: seeded, fast, good enough to spread mutations; every run replays from its seed. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  /** An integer in 0..n-1 (0 when n ≤ 0). */
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }
}
