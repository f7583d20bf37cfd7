import { worklistItem } from '@hnvue/testing/worklist';
import { describe, expect, it } from 'vitest';
import {
  DATASET_ERROR_CODE,
  decodeDataset,
  decodeDatasetStream,
  EXPLICIT_VR_LE,
  encodeDataset,
  IMPLICIT_VR_LE,
} from '../../src/codec/index.js';

/** SplitMix32: a seeded PRNG, so a failing iteration can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
}

const ALLOWED = new Set([DATASET_ERROR_CODE, 'HNV_ERR_CHARSET']);

describe('data set decoder robustness (bounded fuzz; seeds replayable)', () => {
  for (const ts of [IMPLICIT_VR_LE, EXPLICIT_VR_LE]) {
    it(`FR-DICOM-03.dataset: mutated worklist items decode or throw a typed error, never anything else (${ts})`, () => {
      const corpus = [0, 3, 5, 10].map((i) => encodeDataset(worklistItem(i).dataset, { transferSyntax: ts }));
      const seed = 0x5eed;
      const rand = prng(seed);
      const int = (n: number) => Math.floor(rand() * n);
      let decoded = 0;
      let rejected = 0;
      for (let iteration = 0; iteration < 3000; iteration++) {
        const input = Uint8Array.from(corpus[int(corpus.length)] as Uint8Array);
        const view = new DataView(input.buffer);
        for (let r = 0; r < 1 + int(3); r++) {
          const at = int(input.length - 4);
          switch (int(4)) {
            case 0:
              input[at] = (input[at] as number) ^ (1 << int(8));
              break;
            case 1:
              view.setUint32(at, [0xffffffff, 0, 1, 0x7fffffff, int(0x10000)][int(5)] as number, true);
              break;
            case 2:
              view.setUint16(at, int(0x10000), true);
              break;
            default:
              input[at] = int(256);
          }
        }
        const cut = int(4) === 0 ? int(input.length) : input.length;
        try {
          decodeDataset(input.subarray(0, cut), {
            transferSyntax: ts,
            charsetErrors: int(2) ? 'flag' : 'throw',
          });
          decoded++;
        } catch (err) {
          rejected++;
          const code = (err as { code?: string }).code;
          if (!ALLOWED.has(code as string)) {
            throw new Error(`seed ${seed} iteration ${iteration}: ${String(err)}`, { cause: err });
          }
        }
      }
      // Both outcomes occur: the mutations reach past the first header.
      expect(decoded).toBeGreaterThan(0);
      expect(rejected).toBeGreaterThan(0);
    });
  }

  it('FR-DICOM-03.dataset: a data set split at every byte decodes the same from its chunks', async () => {
    const bytes = encodeDataset(worklistItem(10).dataset, { transferSyntax: EXPLICIT_VR_LE });
    const whole = decodeDataset(bytes, { transferSyntax: EXPLICIT_VR_LE }).dataset;
    for (let split = 1; split < bytes.length; split++) {
      const { dataset } = await decodeDatasetStream([bytes.subarray(0, split), bytes.subarray(split)], {
        transferSyntax: EXPLICIT_VR_LE,
      });
      expect(dataset).toEqual(whole);
    }
  });
});
