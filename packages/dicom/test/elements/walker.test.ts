import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ByteSource,
  DatasetError,
  DatasetTruncatedError,
  fileSource,
  MAX_NESTING,
  memorySource,
  walkDataset,
} from '../../src/elements/index.js';
import { cat, EBE, ELE, el, ILE, ITEM, ITEM_END, item, SEQ_END, text, UNDEF, u16 } from './bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'hnv-walker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function nested(enc: typeof ELE) {
  const le = enc.littleEndian;
  const inner = cat(el(0x00080100, 'SH', text('CODE'), enc), el(0x00080104, 'LO', text('Meaning'), enc));
  return cat(
    el(0x00080005, 'CS', text('ISO_IR 100'), enc),
    el(0x00081110, 'SQ', cat(item(ITEM, inner.length, le), inner), enc),
    // undefined-length sequence with an undefined-length item holding another sequence
    el(
      0x00400275,
      'SQ',
      cat(
        item(ITEM, UNDEF, le),
        el(
          0x00400008,
          'SQ',
          cat(item(ITEM, UNDEF, le), inner, item(ITEM_END, 0, le), item(SEQ_END, 0, le)),
          enc,
          UNDEF,
        ),
        item(ITEM_END, 0, le),
        item(SEQ_END, 0, le),
      ),
      enc,
      UNDEF,
    ),
    el(0x00280010, 'US', u16(4, le), enc),
  );
}

describe('the element walker (FR-DICOM-08)', () => {
  for (const [name, enc] of [
    ['Explicit VR LE', ELE],
    ['Implicit VR LE', ILE],
    ['Explicit VR BE', EBE],
  ] as const) {
    it(`walks nested defined and undefined-length sequences in ${name}`, () => {
      const bytes = nested(enc);
      const { elements, end } = walkDataset(bytes, enc);
      expect(end).toBe(bytes.length);
      expect(elements.map((e) => e.tag.toString(16))).toEqual(['80005', '81110', '400275', '280010']);
      const [, defined, undefinedSeq] = elements;
      expect(defined?.items?.[0]?.elements.map((e) => e.tag)).toEqual([0x00080100, 0x00080104]);
      expect(undefinedSeq?.undefinedLength).toBe(true);
      const deep = undefinedSeq?.items?.[0]?.elements[0];
      expect(deep?.tag).toBe(0x00400008);
      expect(deep?.items?.[0]?.elements).toHaveLength(2);
      expect(elements[3]?.vr).toBe(enc.explicitVr ? 'US' : undefined);
    });
  }

  it('walks encapsulated Pixel Data as the Basic Offset Table and its fragments', () => {
    const bot = new Uint8Array([0, 0, 0, 0, 10, 0, 0, 0]);
    const frags = [new Uint8Array(10).fill(1), new Uint8Array(6).fill(2)];
    const value = cat(
      item(ITEM, 8),
      bot,
      item(ITEM, 10),
      frags[0]!,
      item(ITEM, 6),
      frags[1]!,
      item(SEQ_END, 0),
    );
    const bytes = cat(el(0x00280010, 'US', u16(2), ELE), el(0x7fe00010, 'OB', value, ELE, UNDEF));
    const [, pixel] = walkDataset(bytes, ELE).elements;
    expect(pixel?.fragments?.offsetTable).toEqual({ start: 10 + 12 + 8, length: 8 });
    expect(pixel?.fragments?.fragments.map((f) => [...bytes.subarray(f.start, f.start + f.length)])).toEqual(
      frags.map((f) => [...f]),
    );
    expect(pixel?.end).toBe(bytes.length);
  });

  it('stops before a tag, reads no further', () => {
    const bytes = nested(ELE);
    const { elements, end } = walkDataset(bytes, { ...ELE, stopBeforeTag: 0x00081110 });
    expect(elements).toHaveLength(1);
    expect(end).toBe(elements[0]?.end);
  });

  it('reads as DCMTK does: unknown VR with a 4-byte length as UN, odd lengths, UN of undefined length as Implicit LE items', () => {
    const implicitItems = cat(
      item(ITEM, UNDEF),
      el(0x00100010, 'PN', text('Doe^J'), ILE),
      item(ITEM_END, 0),
      item(SEQ_END, 0),
    );
    for (const enc of [ELE, EBE]) {
      const bytes = cat(
        el(0x00100020, 'LO', new Uint8Array(Buffer.from('ABC')), enc),
        el(0x00091010, 'ZZ', new Uint8Array(4), enc),
        el(0x00111010, 'UN', implicitItems, enc, UNDEF),
      );
      const { elements } = walkDataset(bytes, enc);
      expect(elements.map((e) => [e.tag, e.vr, e.length])).toEqual([
        [0x00100020, 'LO', 3],
        [0x00091010, 'UN', 4],
        [0x00111010, 'UN', UNDEF],
      ]);
      expect(elements[2]?.items?.[0]?.encoding).toEqual(ILE);
      expect(elements[2]?.items?.[0]?.elements[0]?.tag).toBe(0x00100010);
    }
  });

  it('an Implicit VR element the dictionary calls SQ is walked as a sequence even with a defined length', () => {
    const inner = el(0x00081150, 'UI', text('1.2.3'), ILE);
    const bytes = el(0x00081110, 'SQ', cat(item(ITEM, inner.length), inner), ILE);
    expect(walkDataset(bytes, ILE).elements[0]?.items?.[0]?.elements[0]?.tag).toBe(0x00081150);
  });

  it('a truncated or overrunning data set is DatasetTruncatedError with the offset and tag, never a hang', () => {
    const bytes = nested(ELE);
    const cases: [Uint8Array, number | undefined][] = [
      [bytes.subarray(0, 5), 0],
      [bytes.subarray(0, 20), 18],
      [bytes.subarray(0, bytes.length - 1), undefined],
      [cat(el(0x00100010, 'PN', text('AB'), ELE, 0xfff0)), 0],
      [cat(el(0x7fe00010, 'OW', new Uint8Array(8), ELE, 0x7fffffff)), 0],
    ];
    for (const [input, offset] of cases) {
      let caught: unknown;
      try {
        walkDataset(input, ELE);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(DatasetTruncatedError);
      if (offset !== undefined) expect((caught as DatasetTruncatedError).offset).toBe(offset);
      expect((caught as DatasetTruncatedError).code).toBe('HNV_ERR_DATASET');
      expect((caught as DatasetTruncatedError).message).not.toMatch(/Doe|CODE|Meaning/);
    }
    // A declared 2 GB value in a 20-byte buffer names its tag.
    try {
      walkDataset(cat(el(0x7fe00010, 'OW', new Uint8Array(8), ELE, 0x7fffffff)), ELE);
    } catch (err) {
      expect((err as DatasetTruncatedError).tag).toBe('(7FE0,0010)');
    }
  });

  it('malformed structure is a DatasetError; nesting deeper than MAX_NESTING too (no stack overflow)', () => {
    expect(() => walkDataset(cat(item(ITEM, 0)), ELE)).toThrow(DatasetError);
    expect(() => walkDataset(el(0x00100010, 'PN', new Uint8Array(0), ELE, UNDEF), ELE)).toThrow(DatasetError);
    let deep = el(0x00100010, 'PN', text('X'), ELE);
    for (let i = 0; i < MAX_NESTING + 2; i++) {
      deep = el(0x00081110, 'SQ', cat(item(ITEM, deep.length), deep), ELE);
    }
    expect(() => walkDataset(deep, ELE)).toThrow(/nested deeper/);
  });

  it('walks a 50 MB Pixel Data file from disk reading only header windows', () => {
    const pixels = 50 * 1024 * 1024;
    const head = cat(el(0x00280010, 'US', u16(4), ELE), el(0x7fe00010, 'OW', new Uint8Array(0), ELE, pixels));
    const path = join(dir, 'big.bin');
    const file = new Uint8Array(head.length + pixels);
    file.set(head);
    writeFileSync(path, file);
    const source = fileSource(path);
    let read = 0;
    const counting: ByteSource = {
      length: source.length,
      windowSize: source.windowSize,
      view: (offset, length) => {
        read += length;
        return source.view(offset, length);
      },
    };
    const { elements } = walkDataset(counting, ELE);
    source.close();
    expect(elements[1]?.length).toBe(pixels);
    expect(read).toBeLessThan(128 * 1024);
    // The same walk over memory gives the same offsets.
    expect(walkDataset(memorySource(file), ELE).elements).toEqual(elements);
  });
});
