import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BASIC_OFFSET_LIMIT,
  CODEC_ERROR_CODES,
  CodecError,
  decapsulate,
  encapsulateParts,
  j2kEncode,
  planOffsets,
  readExtendedOffsetTable,
  TransferSyntax,
  transcodePixelData,
  writeExtendedOffsetTable,
} from '../lib/index.js';
import { frameInfo, syntheticFrame } from './helpers/images.js';
import { readPart10, writePart10 } from './helpers/part10.js';
import { nativePixels } from './helpers/peers.js';
import { runTool, tempDir } from './helpers/tools.js';

// The Extended Offset Table (PS3.3 C.7.6.3.1.8, PS3.5 A.4). No installed peer writes one (DCMTK
// 3.6.7 and GDCM 3.0.21 only fill or empty the Basic Offset Table), so ours writes it and DCMTK's
// dcmdump and GDCM's gdcmdump read it back; GDCM then decodes the frames. (The installed
// dicom3tools' dcdump skips both elements: "Value representation unsupported … <OV>".)
const dir = tempDir('eot');
afterAll(() => dir.remove());

const GiB = 2 ** 30;
const catchErr = (f: () => unknown): CodecError => {
  try {
    f();
  } catch (err) {
    return err as CodecError;
  }
  throw new Error('expected a throw');
};

/** A stand-in for a frame too large to allocate here: only its length is read before the table is built. */
const huge = (length: number) => ({ length }) as Uint8Array;

describe('Extended Offset Table', () => {
  it('FR-DICOM-04.codec: the two OV values round-trip, 64-bit little endian, one entry per frame', () => {
    const table = { offsets: [0, 5 * GiB + 8, 2 ** 40], lengths: [5 * GiB, 1234, 8] };
    const el = writeExtendedOffsetTable(table);
    expect(el.offsets.length).toBe(24);
    expect(new DataView(el.offsets.buffer).getBigUint64(8, true)).toBe(BigInt(5 * GiB + 8));
    expect(readExtendedOffsetTable(el.offsets, el.lengths)).toEqual(table);
  });

  it('FR-DICOM-04.codec: malformed tables are refused as corrupt, each with the reason', () => {
    const el = writeExtendedOffsetTable({ offsets: [0, 100], lengths: [92, 10] });
    const cases: [Uint8Array, Uint8Array, string][] = [
      [el.offsets.subarray(0, 12), el.lengths, 'not a multiple of 8'],
      [el.offsets, el.lengths.subarray(0, 8), 'differ in count'],
      [new Uint8Array(), new Uint8Array(), 'no entries'],
      [writeExtendedOffsetTable({ offsets: [0, 50], lengths: [92, 10] }).offsets, el.lengths, 'overlap'],
      [new Uint8Array(8).fill(0xff), new Uint8Array(8), 'above 2^53'],
    ];
    for (const [offsets, lengths, why] of cases) {
      const err = catchErr(() => readExtendedOffsetTable(offsets, lengths));
      expect(err).toBeInstanceOf(CodecError);
      expect(err.code).toBe(CODEC_ERROR_CODES.corrupt);
      expect(err.message).toContain(why);
    }
  });

  it('FR-DICOM-04.codec: the Basic Offset Table is used while every frame starts below 4 GiB, the Extended one after', () => {
    expect(planOffsets([2 * GiB, 2 * GiB - 16]).fitsBasicOffsetTable).toBe(true);
    // Third frame at 2 × (2 GiB + 8) = 4 GiB + 16: past the 32-bit BOT.
    const plan = planOffsets([2 * GiB, 2 * GiB, 10]);
    expect(plan.fitsBasicOffsetTable).toBe(false);
    expect(plan.table.offsets).toEqual([0, 2 * GiB + 8, 4 * GiB + 16]);
    expect(plan.table.offsets[2]! > BASIC_OFFSET_LIMIT).toBe(true);
    const frames = [huge(2 * GiB), huge(2 * GiB), huge(10)];
    const auto = encapsulateParts(frames);
    expect(auto.extendedOffsetTable).toBeDefined();
    expect(
      readExtendedOffsetTable(auto.extendedOffsetTable!.offsets, auto.extendedOffsetTable!.lengths),
    ).toEqual(plan.table);
    // The BOT item is empty (PS3.5 A.4) and the frames are the callers' buffers, not copies.
    expect([...auto.parts[0]!]).toEqual([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
    expect(auto.parts[2]).toBe(frames[0]);
    expect(auto.length).toBe(8 + 3 * 8 + 4 * GiB + 10 + 8);
    const basic = catchErr(() => encapsulateParts(frames, 'basic'));
    expect(basic.code).toBe(CODEC_ERROR_CODES.invalidArgument);
    expect(basic.message).toContain('the Basic Offset Table cannot hold its offset');
    const small = encapsulateParts([new Uint8Array(3), new Uint8Array(4)]);
    expect(small.extendedOffsetTable).toBeUndefined();
    expect(Buffer.concat(small.parts).subarray(0, 16)).toEqual(
      Buffer.from([0xfe, 0xff, 0x00, 0xe0, 8, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0]),
    );
  });

  it('FR-DICOM-04.codec: a 3-frame JPEG 2000 file with our Extended Offset Table: dcmdump and gdcmdump show it, GDCM decodes it, ours reads frames through it', async () => {
    const info = frameInfo(20, 18, 16, 12);
    const native = [0, 1, 2].map((f) => syntheticFrame(info, 30 + f, 0.1));
    const codestreams = await Promise.all(native.map((px) => j2kEncode(px, info)));
    const enc = encapsulateParts(codestreams, 'extended');
    const value = new Uint8Array(Buffer.concat(enc.parts));
    const path = dir.file('eot.dcm');
    writePart10(path, {
      info,
      transferSyntaxUid: TransferSyntax.jpeg2000Lossless,
      pixelData: value,
      encapsulated: true,
      numberOfFrames: 3,
      extendedOffsetTable: enc.extendedOffsetTable!,
    });
    const table = readExtendedOffsetTable(enc.extendedOffsetTable!.offsets, enc.extendedOffsetTable!.lengths);
    const padded = codestreams.map((c) => c.length + (c.length & 1));
    expect(table.offsets).toEqual([0, 8 + padded[0]!, 16 + padded[0]! + padded[1]!]);

    const dcmdump = execFileSync('dcmdump', ['+P', '7fe0,0001', '+P', '7fe0,0002', path], {
      encoding: 'latin1',
    });
    expect(dcmdump).toMatch(/\(7fe0,0001\) OV 0\\[0-9]+\\[0-9]+ +# +24, 1 ExtendedOffsetTable/);
    expect(dcmdump).toContain(`OV ${table.lengths.join('\\')}`);
    expect(dcmdump).toMatch(/ExtendedOffsetTableLengths/);
    const gdcmdump = execFileSync('gdcmdump', [path], { encoding: 'latin1' });
    expect(gdcmdump).toMatch(/\(7fe0,0001\) OV/);
    expect(gdcmdump).toMatch(/\(7fe0,0002\) OV/);
    const out = dir.file('eot-raw.dcm');
    runTool('gdcmconv', ['--raw', path, out]);
    const raw = readPart10(out);
    const fb = native[0]!.length;
    for (let f = 0; f < 3; f++) {
      expect(Buffer.from(nativePixels({ ...raw, pixelData: raw.pixelData.subarray(f * fb) }, info))).toEqual(
        Buffer.from(native[f]!),
      );
    }

    const file = readPart10(path);
    const ours = readExtendedOffsetTable(file.elements.get('7FE00001')!, file.elements.get('7FE00002')!);
    const frames = decapsulate(file.pixelData, 3, ours);
    expect(frames.map((f) => f.length)).toEqual(padded);
    const back = await transcodePixelData(
      file.pixelData,
      info,
      3,
      TransferSyntax.jpeg2000Lossless,
      TransferSyntax.explicitVrLittleEndian,
      { extendedOffsetTable: ours },
    );
    expect(Buffer.from(back.value)).toEqual(Buffer.concat(native));
  });

  it('FR-DICOM-04.codec: an Extended Offset Table that does not match the fragments is refused as corrupt', () => {
    const value = new Uint8Array(
      Buffer.concat(encapsulateParts([new Uint8Array(6), new Uint8Array(4)], 'extended').parts),
    );
    for (const [table, frames, why] of [
      [{ offsets: [0, 10], lengths: [6, 4] }, 2, 'does not point at a fragment'],
      [{ offsets: [0, 14], lengths: [6, 6] }, 2, 'runs past its fragment'],
      [{ offsets: [0, 14], lengths: [6, 4] }, 3, 'do not match Number of Frames'],
    ] as const) {
      const err = catchErr(() => decapsulate(value, frames, table));
      expect(err.code).toBe(CODEC_ERROR_CODES.corrupt);
      expect(err.message).toContain(why);
    }
    expect(decapsulate(value, 2, { offsets: [0, 14], lengths: [5, 4] }).map((f) => f.length)).toEqual([5, 4]);
  });
});
