import { describe, expect, it } from 'vitest';
import { fuzz } from './engine.js';

// Bounded: a fixed seed list and iteration count (about 2 s here); scripts/fuzz-pdu.ts runs for hours.
const SEEDS = [1, 0xdecade, 20261127, Number(process.env.HNVUE_FUZZ_SEED ?? 0x5eed)];

describe('PDU decoder fuzz (bounded)', () => {
  it.each(SEEDS)(
    'FR-DICOM-02.pdu: decoder and framer only return PDUs or throw PduDecodeError (seed %i)',
    (seed) => {
      const failure = fuzz(seed, 2500);
      if (failure !== undefined) {
        console.error(
          `fuzz failure: seed ${failure.seed} iteration ${failure.iteration} input ${failure.input}`,
        );
      }
      expect(
        failure,
        failure === undefined
          ? ''
          : `seed ${failure.seed} iteration ${failure.iteration}: ${String(failure.error)}`,
      ).toBeUndefined();
    },
  );
});
