/**
 * The bounded CI run of the fuzzer (issue 12 Proof: "the element walker fuzzed … a bounded run in
 * CI: typed error or a result, nothing else"). The same mutator and corpus as the long run
 * (scripts/fuzz-walker.ts, ≥ 1 M inputs): our DX, CR and RDSR in Implicit VR LE, Explicit VR LE,
 * Explicit VR BE and Deflated, as written, with every sequence and item of undefined length, and
 * with encapsulated fragments and a UN of undefined length; bit flips, byte sets, length fields,
 * tags, VRs, truncation, insertion, duplicated and deleted chunks; fed to walkDataset,
 * decodeDataset and parsePart10File (data set, meta group, deflate stream). A failure prints its
 * seed and iteration: `pnpm exec tsx packages/dicom/scripts/fuzz-walker.ts --seed S --iterations N`
 * replays it and writes the input to fuzz-failures/.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../fuzz/rng.js';
import {
  buildCorpus,
  ENCODINGS,
  type FuzzReport,
  fuzz,
  makeCase,
  replay,
  TARGETS,
} from '../../scripts/fuzz-mutator.js';
import { decodeDataset } from '../../src/codec/index.js';
import { walkDataset } from '../../src/elements/walk.js';
import { TS } from '../../src/uids/index.js';
import { ELE, el, u16 } from './bytes.js';

const corpus = buildCorpus();
/** 20 000 inputs in all: four runs of 5 000 from different seeds. */
const RUNS = [0x5eed, 0x1234, 0xbeef, 0xd1c0];
const PER_RUN = 5000;

function summary(r: FuzzReport): string {
  return r.failures
    .slice(0, 5)
    .map(
      (f) =>
        `seed ${f.seed} iteration ${f.iteration} ${f.target} (${f.corpusSeed}): ${f.error.split('\n')[0]}`,
    )
    .join('\n');
}

describe('fuzzed walker, codec and Part 10 reader (bounded CI run; seeds replayable)', () => {
  it('FR-DICOM-04.encoding: the corpus holds every encoding and every structure the walker knows', () => {
    expect(new Set(corpus.map((s) => s.encoding))).toEqual(new Set(ENCODINGS));
    let undefinedItems = 0;
    let fragments = 0;
    let unSequences = 0;
    let nested = 0;
    for (const seed of corpus) {
      const enc = { explicitVr: seed.encoding !== 'implicit', littleEndian: seed.encoding !== 'big' };
      for (const e of walkDataset(seed.dataset, enc).elements) {
        if (e.items?.some((i) => i.undefinedLength)) undefinedItems++;
        if (e.fragments && e.fragments.fragments.length >= 2) fragments++;
        if (e.vr === 'UN' && e.items) unSequences++;
        if (e.items?.some((i) => i.elements.some((x) => x.items))) nested++;
      }
    }
    expect(undefinedItems).toBeGreaterThan(0);
    expect(fragments).toBeGreaterThan(0);
    expect(unSequences).toBeGreaterThan(0);
    expect(nested).toBeGreaterThan(0);
  });

  for (const seed of RUNS) {
    it(`FR-DICOM-04.encoding: ${PER_RUN} mutated inputs from seed ${seed} end in a result or a typed error, each within the time bound`, () => {
      const report = fuzz({ iterations: PER_RUN, seed, corpus, timeBoundMs: 2000 });
      expect(report.failures.length, summary(report)).toBe(0);
      // Every target ran, and the mutations reach both outcomes (past the first header, not only garbage).
      for (const target of TARGETS) {
        const counts = report.byTarget[target] ?? {};
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        expect(total, target).toBeGreaterThan(PER_RUN / TARGETS.length / 2);
        expect(counts.result ?? 0, `${target} results`).toBeGreaterThan(0);
        expect(total - (counts.result ?? 0), `${target} errors`).toBeGreaterThan(0);
      }
      expect(report.outcomes['HNV_ERR_DATASET truncated']).toBeGreaterThan(0);
      expect(report.outcomes.HNV_ERR_PART10_TRUNCATED).toBeGreaterThan(0);
    });
  }

  it('FR-DICOM-04.encoding: the fuzzer is deterministic — a seed replays the same inputs and outcomes', () => {
    const a = new Rng(99);
    const b = new Rng(99);
    for (let i = 0; i < 200; i++) {
      const x = makeCase(a, corpus, i);
      const y = makeCase(b, corpus, i);
      expect(Buffer.from(x.input).equals(Buffer.from(y.input))).toBe(true);
      expect(replay(x.target, x.input, x.transferSyntax)).toBe(replay(y.target, y.input, y.transferSyntax));
    }
  });

  // Found by the fuzzer (seed 6, iteration 37831, `decode` of a mutated CR): a PN attribute whose
  // Explicit VR was changed to a numeric VR reaches dcmjs's PersonName accessors with a number,
  // and decodeDataset throws dcmjs's plain Error ("Cannot add accessors to non-string
  // primitives") instead of a typed one. Fixed in src/codec/read.ts `assign`.
  it('FR-DICOM-04.encoding: a PN attribute written with a numeric VR decodes or is a typed error', () => {
    for (const [vr, value] of [
      ['US', u16(7)],
      ['FD', new Uint8Array(8)],
    ] as const) {
      let code: string | undefined = 'result';
      try {
        decodeDataset(el(0x00100010, vr, value, ELE), { transferSyntax: TS.explicitVrLittleEndian });
      } catch (err) {
        code = (err as { code?: string }).code;
      }
      expect(['result', 'HNV_ERR_DATASET']).toContain(code);
    }
  });
});
