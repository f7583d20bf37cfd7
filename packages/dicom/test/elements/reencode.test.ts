import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  deflateDataset,
  inflateDataset,
  reencodeDataset,
  SWAP_SIZE,
  walkDataset,
} from '../../src/elements/index.js';
import { TS } from '../../src/uids/index.js';
import { cat, EBE, ELE, el, ILE, ITEM, item, text, u16 } from './bytes.js';

/** One value per binary VR with distinct bytes, so a wrong swap size shows. */
const BINARY: [number, string, number][] = [
  [0x00280010, 'US', 2],
  [0x00186020, 'SL', 4],
  [0x00089459, 'FL', 4],
  [0x00186028, 'FD', 8],
  [0x00280009, 'AT', 4],
  [0x003a0010, 'UL', 4],
  [0x60000050, 'SS', 4],
  [0x00660016, 'OF', 8],
  [0x00660040, 'OL', 8],
  [0x7fe00009, 'OD', 16],
  [0x7fe00001, 'OV', 16],
  [0x0072007c, 'SV', 8],
  [0x0072007f, 'UV', 8],
  [0x00420011, 'OB', 6],
  [0x00111010, 'UN', 6],
];

function seq(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 17 + 1) & 0xff);
}

function reversedUnits(value: Uint8Array, size: number | undefined): number[] {
  if (size === undefined) return [...value];
  const out: number[] = [];
  for (let i = 0; i < value.length; i += size) out.push(...[...value.subarray(i, i + size)].reverse());
  return out;
}

function dataset(): Uint8Array {
  const elements = [...BINARY].sort((a, b) => a[0] - b[0]).map(([tag, vr, n]) => el(tag, vr, seq(n), ELE));
  // a sequence holding a US, and 16-bit Pixel Data with Bits Allocated 16
  const inner = el(0x00280011, 'US', u16(0x0102), ELE);
  return cat(
    el(0x00080060, 'CS', text('DX'), ELE),
    el(0x00081110, 'SQ', cat(item(ITEM, inner.length), inner), ELE),
    ...elements.filter((_, i) => i < elements.length),
  );
}

describe('re-encoding between native encodings (FR-DICOM-04)', () => {
  it('swaps every multi-byte binary value per its VR to Explicit VR BE, AT as two 16-bit halves, and back unchanged', () => {
    const le = dataset();
    const be = concatBytes(reencodeDataset(le, TS.explicitVrLittleEndian, TS.explicitVrBigEndian));
    const beEls = walkDataset(be, EBE).elements;
    const leEls = walkDataset(le, ELE).elements;
    for (const [tag, vr] of BINARY) {
      const a = leEls.find((e) => e.tag === tag)!;
      const b = beEls.find((e) => e.tag === tag)!;
      expect(b.vr).toBe(vr);
      expect([...be.subarray(b.valueStart, b.end)], `${vr}`).toEqual(
        reversedUnits(le.subarray(a.valueStart, a.end), SWAP_SIZE[vr]),
      );
    }
    expect(SWAP_SIZE.AT).toBe(2);
    const nested = beEls.find((e) => e.tag === 0x00081110)!.items![0]!.elements[0]!;
    expect([...be.subarray(nested.valueStart, nested.end)]).toEqual([0x01, 0x02]);
    const back = concatBytes(reencodeDataset(be, TS.explicitVrBigEndian, TS.explicitVrLittleEndian));
    const backEls = walkDataset(back, ELE).elements;
    for (const [tag] of BINARY) {
      const a = leEls.find((e) => e.tag === tag)!;
      const c = backEls.find((e) => e.tag === tag)!;
      expect([...back.subarray(c.valueStart, c.end)]).toEqual([...le.subarray(a.valueStart, a.end)]);
    }
  });

  it('Pixel Data from Implicit VR is OW (swapped by 2) for Bits Allocated 16 and OB (not swapped) for 8, multi-frame', () => {
    for (const bits of [16, 8]) {
      const pixels = seq(2 * 3 * 4 * 2); // 2 frames of 3×4 at 16 bits, or 4 frames at 8
      const implicit = cat(
        el(0x00280008, 'IS', text(bits === 16 ? '2' : '4'), ILE),
        el(0x00280100, 'US', u16(bits), ILE),
        el(0x7fe00010, 'OW', pixels, ILE),
      );
      const be = concatBytes(reencodeDataset(implicit, TS.implicitVrLittleEndian, TS.explicitVrBigEndian));
      const pixel = walkDataset(be, EBE).elements.at(-1)!;
      expect(pixel.vr).toBe(bits === 16 ? 'OW' : 'OB');
      expect([...be.subarray(pixel.valueStart, pixel.end)]).toEqual(
        reversedUnits(pixels, bits === 16 ? 2 : undefined),
      );
    }
  });

  it('a 50 MB Pixel Data value costs no copy between Explicit and Implicit VR LE', () => {
    const size = 50 * 1024 * 1024;
    const head = cat(el(0x00280100, 'US', u16(16), ELE), el(0x7fe00010, 'OW', new Uint8Array(0), ELE, size));
    const bytes = new Uint8Array(head.length + size);
    bytes.set(head);
    for (const [from, to] of [
      [TS.explicitVrLittleEndian, TS.implicitVrLittleEndian],
      [TS.implicitVrLittleEndian, TS.explicitVrLittleEndian],
    ] as const) {
      const input =
        from === TS.explicitVrLittleEndian
          ? bytes
          : concatBytes(reencodeDataset(bytes, TS.explicitVrLittleEndian, from));
      const chunks = reencodeDataset(input, from, to);
      const big = chunks.find((c) => c.length === size)!;
      expect(big.buffer).toBe(input.buffer);
    }
  });

  it('Deflated in and out: inflate, re-encode, deflate; same encoding returns the input itself', () => {
    const le = dataset();
    const deflated = concatBytes(
      reencodeDataset(le, TS.explicitVrLittleEndian, TS.deflatedExplicitVrLittleEndian),
    );
    expect([...inflateDataset(deflated)]).toEqual([...le]);
    const implicit = concatBytes(
      reencodeDataset(deflated, TS.deflatedExplicitVrLittleEndian, TS.implicitVrLittleEndian),
    );
    expect(walkDataset(implicit, ILE).elements.map((e) => e.tag)).toEqual(
      walkDataset(le, ELE).elements.map((e) => e.tag),
    );
    const same = reencodeDataset(le, TS.explicitVrLittleEndian, TS.explicitVrLittleEndian);
    expect(same).toEqual([le]);
    expect(same[0]).toBe(le);
    expect([...inflateDataset(deflateDataset([le]))]).toEqual([...le]);
  });

  it('a deflate bomb is a typed error, not an allocation', () => {
    const bomb = deflateDataset(new Uint8Array(8 * 1024 * 1024));
    expect(() => inflateDataset(bomb, 1024 * 1024)).toThrow(
      expect.objectContaining({ code: 'HNV_ERR_DATASET' }),
    );
  });

  it('encapsulated Pixel Data cannot go to Implicit VR: a typed error', () => {
    const value = cat(item(ITEM, 0), item(ITEM, 4), new Uint8Array(4), item(0xfffee0dd, 0));
    const bytes = el(0x7fe00010, 'OB', value, ELE, 0xffffffff);
    expect(() => reencodeDataset(bytes, TS.explicitVrLittleEndian, TS.implicitVrLittleEndian)).toThrow(
      expect.objectContaining({ code: 'HNV_ERR_DATASET' }),
    );
  });

  // Found by the fuzzer (scripts/fuzz-walker.ts, seeds 3, 4 and 6): the re-encoder wrote Implicit
  // VR data sets no reader can walk.
  it('FR-DICOM-04.encoding: a dictionary sequence whose Explicit VR is not SQ goes to Implicit VR only as a UN of Implicit VR LE items', () => {
    const inner = el(0x00080100, 'SH', text('CODE'), ILE);
    const implicitItems = cat(item(ITEM, inner.length), inner);
    const explicitInner = el(0x00080100, 'SH', text('CODE'), ELE);
    const explicitItems = cat(item(ITEM, explicitInner.length), explicitInner);
    // (0032,1064) Requested Procedure Code Sequence, as UN: fine with Implicit VR LE items (PS3.5 6.2.2).
    const good = el(0x00321064, 'UN', implicitItems, ELE);
    const out = concatBytes(reencodeDataset(good, TS.explicitVrLittleEndian, TS.implicitVrLittleEndian));
    const walked = walkDataset(out, ILE).elements[0];
    expect(walked?.items?.[0]?.elements.map((e) => e.tag)).toEqual([0x00080100]);
    // As UN of Explicit VR items, or as LO: not items in Implicit VR — refused, never written.
    for (const bad of [el(0x00321064, 'UN', explicitItems, ELE), el(0x00321064, 'LO', text('ABCD'), ELE)]) {
      expect(() => reencodeDataset(bad, TS.explicitVrLittleEndian, TS.implicitVrLittleEndian)).toThrow(
        expect.objectContaining({
          code: 'HNV_ERR_DATASET',
          details: expect.objectContaining({ tag: '(0032,1064)' }),
        }),
      );
      // Explicit VR keeps the VR it was given: no problem there.
      const big = concatBytes(reencodeDataset(bad, TS.explicitVrLittleEndian, TS.explicitVrBigEndian));
      expect(walkDataset(big, EBE).elements).toHaveLength(1);
    }
  });

  it('FR-DICOM-04.encoding: a (7FE0,0010) that is a sequence cannot go to Implicit VR (it would read as fragments): a typed error', () => {
    const inner = el(0x00080100, 'SH', text('CODE'), ELE);
    const bytes = el(0x7fe00010, 'SQ', cat(item(ITEM, inner.length), inner), ELE);
    expect(walkDataset(bytes, ELE).elements[0]?.items).toHaveLength(1);
    expect(() => reencodeDataset(bytes, TS.explicitVrLittleEndian, TS.implicitVrLittleEndian)).toThrow(
      expect.objectContaining({
        code: 'HNV_ERR_DATASET',
        details: expect.objectContaining({ tag: '(7FE0,0010)' }),
      }),
    );
    const big = concatBytes(reencodeDataset(bytes, TS.explicitVrLittleEndian, TS.explicitVrBigEndian));
    expect(walkDataset(big, EBE).elements[0]?.items).toHaveLength(1);
  });
});
