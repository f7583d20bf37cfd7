import { describe, expect, it } from 'vitest';
import { UID_ERROR_CODES, UidError } from '../src/index.js';
import { randomStart, Sequence } from '../src/sequence.js';

describe('FR-DICOM-01: sequence component', () => {
  it('FR-DICOM-01: random starts fall in [1, 10^digits / 2] and differ between instances', () => {
    const starts = new Set<bigint>();
    for (let i = 0; i < 1000; i++) {
      const start = randomStart(12);
      expect(start).toBeGreaterThanOrEqual(1n);
      expect(start).toBeLessThanOrEqual(500_000_000_000n);
      starts.add(start);
    }
    expect(starts.size).toBe(1000);
  });

  it('FR-DICOM-01: fails with HNV_ERR_UID_EXHAUSTED instead of growing past its digits', () => {
    const seq = new Sequence(2, 98n);
    expect(seq.take()).toBe(98n);
    expect(seq.take()).toBe(99n);
    try {
      seq.take();
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UidError);
      expect((err as UidError).code).toBe(UID_ERROR_CODES.exhausted);
    }
  });
});
