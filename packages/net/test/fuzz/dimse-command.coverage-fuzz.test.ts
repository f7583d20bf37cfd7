/**
 * Bounded CI run of the coverage-guided fuzz target packages/net/fuzz/dimse-command.ts (scripts/fuzz-js):
 * the committed corpora (fuzz/corpus/dimse-command/ and dimse-command.min/), then 20,000 mutated inputs from a
 * fixed seed, kept when they reach new coverage of our instrumented sources. Any finding fails
 * the test and leaves its input in .tmp/fuzz-js/dimse-command/crashes/. The long run: scripts/fuzz-js.sh dimse-command (docs/reliability.md).
 */
import { describe, expect, it } from 'vitest';
import { boundedFuzz } from '../../../../scripts/fuzz-js/bounded.js';

describe('dimse-command fuzz target, coverage-guided (bounded)', () => {
  it('FR-DICOM-02.dimse: DIMSE command set decoder: every input returns a command or throws DimseDecodeError, and a decoded command round-trips (20,000 inputs, fixed seed)', {
    timeout: 300_000,
  }, async () => {
    const r = await boundedFuzz('dimse-command', {
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
