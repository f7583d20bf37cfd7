/**
 * Bounded CI run of the coverage-guided fuzz target packages/dicom/fuzz/walker.ts (scripts/fuzz-js):
 * the committed corpora (fuzz/corpus/walker/ and walker.min/), then 20,000 mutated inputs from a
 * fixed seed, kept when they reach new coverage of our instrumented sources. Any finding fails
 * the test and leaves its input in .tmp/fuzz-js/walker/crashes/. The long run: scripts/fuzz-js.sh walker (docs/reliability.md).
 */
import { describe, expect, it } from 'vitest';
import { boundedFuzz } from '../../../../scripts/fuzz-js/bounded.js';

describe('walker fuzz target, coverage-guided (bounded)', () => {
  it('FR-DICOM-04.encoding: element walker, data set codec and re-encoder: every input ends in a result or a typed error, and re-encoded output walks (20,000 inputs, fixed seed)', {
    timeout: 300_000,
  }, async () => {
    const r = await boundedFuzz('walker', {
      runs: 20_000,
      seed: Number(process.env.HNVUE_FUZZ_SEED ?? 0x5eed),
    });
    expect(r.findings, r.findings.join('\n')).toEqual([]);
    expect(r.stats.runs).toBe(20_000);
    // The instrumentation works (counts differ between runs: the decoders' module-level caches are
    // warm in the second, so their fill paths run less).
    expect(r.seedCountersHit).toBeGreaterThan(0);
    expect(r.stats.countersHit).toBeGreaterThan(0);
  });
});
