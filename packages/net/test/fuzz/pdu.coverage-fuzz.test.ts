/**
 * Bounded CI run of the coverage-guided fuzz target packages/net/fuzz/pdu.ts (scripts/fuzz-js):
 * the committed corpora (fuzz/corpus/pdu/ and pdu.min/), then 20,000 mutated inputs from a
 * fixed seed, kept when they reach new coverage of our instrumented sources. Any finding fails
 * the test and leaves its input in .tmp/fuzz-js/pdu/crashes/. The long run: scripts/fuzz-js.sh pdu (docs/reliability.md).
 */
import { describe, expect, it } from 'vitest';
import { boundedFuzz } from '../../../../scripts/fuzz-js/bounded.js';

describe('pdu fuzz target, coverage-guided (bounded)', () => {
  it('FR-DICOM-02.pdu: PDU decoder, P-DATA PDV decoder and framer: every input returns PDUs or throws PduDecodeError, and a decoded PDU round-trips (20,000 inputs, fixed seed)', {
    timeout: 300_000,
  }, async () => {
    const r = await boundedFuzz('pdu', { runs: 20_000, seed: Number(process.env.HNVUE_FUZZ_SEED ?? 0x5eed) });
    expect(r.findings, r.findings.join('\n')).toEqual([]);
    expect(r.stats.runs).toBe(20_000);
    // The instrumentation works (counts differ between runs: the decoders' module-level caches are
    // warm in the second, so their fill paths run less).
    expect(r.seedCountersHit).toBeGreaterThan(0);
    expect(r.stats.countersHit).toBeGreaterThan(0);
  });
});
