import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDxImage, IodCharsetError, readPart10, toPart10Buffer, writePart10 } from '../src/index.js';
import { image, minimalDx, pixels } from './fixtures.js';
import { cleanupTemp, dciodvfy, dcmtk, tempFile, testUids } from './helpers.js';

afterAll(cleanupTemp);

function pixelBytesOf(bytes: Buffer): Buffer {
  const ds = readPart10(bytes);
  const frames = ds.PixelData as ArrayBuffer[];
  return Buffer.from(frames[0] as ArrayBuffer);
}

describe('Part 10 writer', () => {
  const built = buildDxImage(minimalDx(), { uid: testUids() });

  it('FR-DICOM-08: writes the same bytes to a path, a stream and a buffer', async () => {
    const expected = toPart10Buffer(built.dataset, built.pixelData);
    const file = tempFile('same.dcm');
    const written = await writePart10(built.dataset, built.pixelData, file);
    expect(written).toBe(expected.byteLength);
    expect(readFileSync(file).equals(expected)).toBe(true);
    // A tiny high-water mark forces the writer through the drain path.
    const stream = new PassThrough({ highWaterMark: 16 });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    await writePart10(built.dataset, built.pixelData, stream);
    stream.end();
    await new Promise((r) => stream.on('end', r));
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
  });

  it('FR-DICOM-08: starts with the preamble, DICM and Explicit VR Little Endian meta', () => {
    const bytes = toPart10Buffer(built.dataset, built.pixelData);
    expect(bytes.subarray(128, 132).toString('latin1')).toBe('DICM');
    const dump = dcmtk('dcmdump', bytes);
    expect(dump.out).toContain('LittleEndianExplicit');
    expect(dump.out).toContain('(0002,0001) OB 00\\01');
  });

  it('FR-DICOM-08: 16-bit pixels go out as OW and read back identical', () => {
    const bytes = toPart10Buffer(built.dataset, built.pixelData);
    const at = bytes.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
    expect(bytes.subarray(at + 4, at + 6).toString('latin1')).toBe('OW');
    expect(bytes.readUInt32LE(at + 8)).toBe(built.pixelData.byteLength);
    expect(pixelBytesOf(bytes).equals(Buffer.from(built.pixelData.buffer))).toBe(true);
  });

  it('FR-DICOM-08: odd-length 8-bit pixels go out as OB padded to even length', () => {
    const px = pixels(3, 5, 8) as Uint8Array;
    const odd = buildDxImage(
      minimalDx({ image: image(8, { rows: 3, columns: 5, pixels: px, patientOrientation: ['L', 'F'] }) }),
      { uid: testUids() },
    );
    const bytes = toPart10Buffer(odd.dataset, odd.pixelData);
    const at = bytes.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
    expect(bytes.subarray(at + 4, at + 6).toString('latin1')).toBe('OB');
    expect(bytes.readUInt32LE(at + 8)).toBe(16);
    expect(bytes.byteLength - (at + 12)).toBe(16);
    expect(dciodvfy(bytes).errors).toEqual([]);
    expect(pixelBytesOf(bytes).subarray(0, 15).equals(Buffer.from(px))).toBe(true);
  });

  it('FR-DICOM-08: a typed array that is a view into a larger buffer is written from its own offset', () => {
    const big = new Uint16Array(80 + 7);
    big.set(built.pixelData as Uint16Array, 7);
    const view = big.subarray(7);
    const a = toPart10Buffer(built.dataset, built.pixelData);
    const b = toPart10Buffer(built.dataset, view);
    expect(b.equals(a)).toBe(true);
  });

  it('FR-DICOM-08: text is coded in the declared Specific Character Set; non-ASCII without one is refused', () => {
    expect(() => toPart10Buffer({ ...built.dataset, PatientName: 'Müller^Jürgen' }, built.pixelData)).toThrow(
      IodCharsetError,
    );
    const latin1 = toPart10Buffer(
      { ...built.dataset, SpecificCharacterSet: 'ISO_IR 100', PatientName: 'Müller^Jürgen' },
      built.pixelData,
    );
    expect(latin1.indexOf(Buffer.from('Müller^Jürgen', 'latin1'))).toBeGreaterThan(0);
    const utf8 = toPart10Buffer(
      { ...built.dataset, SpecificCharacterSet: 'ISO_IR 192', PatientName: 'Müller^Jürgen' },
      built.pixelData,
    );
    expect(utf8.indexOf(Buffer.from('Müller^Jürgen', 'utf8'))).toBeGreaterThan(0);
    expect(readPart10(latin1).PatientName).toEqual([{ Alphabetic: 'Müller^Jürgen' }]);
  });

  it('FR-DICOM-08: readPart10 reads a Korean (ISO 2022 IR 149) name back in its three groups', () => {
    // The bytes are dx.test.ts's (PS3.5 Annex I); dcmjs read them wrongly, @hnvue/dicom does not.
    const korean = buildDxImage(minimalDx({ patient: { name: 'Hong^Gildong=洪^吉洞=홍^길동', id: 'K1' } }), {
      uid: testUids(),
      characterSet: 'ISO 2022 IR 149',
    });
    const ds = readPart10(toPart10Buffer(korean.dataset, korean.pixelData));
    expect(ds.SpecificCharacterSet).toEqual(['', 'ISO 2022 IR 149']);
    expect(ds.PatientName).toEqual([
      { Alphabetic: 'Hong^Gildong', Ideographic: '洪^吉洞', Phonetic: '홍^길동' },
    ]);
  });

  it('NFR-SEC-01: a character outside the declared set is HNV_ERR_IOD_CHARSET with its position, never the text', () => {
    const name = '홍^길😀동';
    let error: IodCharsetError | undefined;
    try {
      toPart10Buffer(
        { ...built.dataset, SpecificCharacterSet: ['', 'ISO 2022 IR 149'], PatientName: name },
        built.pixelData,
      );
    } catch (err) {
      error = err as IodCharsetError;
    }
    expect(error).toBeInstanceOf(IodCharsetError);
    expect(error?.code).toBe('HNV_ERR_IOD_CHARSET');
    expect(error?.details).toMatchObject({ index: 3, tag: '00100010' });
    const text = `${error?.message} ${JSON.stringify(error?.details)} ${error?.hint ?? ''}`;
    expect(text).not.toContain('😀');
    expect(text).not.toContain('홍');
  });

  it('FR-DICOM-08: attributes that sort after Pixel Data are written after it', () => {
    const bytes = toPart10Buffer(
      { ...built.dataset, DataSetTrailingPadding: new ArrayBuffer(2) },
      built.pixelData,
    );
    const dump = dcmtk('dcmdump', bytes).out;
    expect(dump.indexOf('(fffc,fffc)')).toBeGreaterThan(dump.indexOf('(7fe0,0010)'));
    expect(pixelBytesOf(bytes).equals(Buffer.from(built.pixelData.buffer))).toBe(true);
  });

  it('FR-DICOM-08: readPart10 returns Pixel Data as its own ArrayBuffer, not a view of the input', () => {
    const bytes = toPart10Buffer(built.dataset, built.pixelData);
    const ds = readPart10(bytes);
    const [frame] = ds.PixelData as ArrayBuffer[];
    expect(frame).toBeInstanceOf(ArrayBuffer);
    bytes.fill(0);
    expect(Buffer.from(frame as ArrayBuffer).equals(Buffer.from(built.pixelData.buffer))).toBe(true);
  });

  it('FR-DICOM-08: streams one large (2000 x 2500, 16-bit) image that DCMTK and dciodvfy accept', async () => {
    const rows = 2500;
    const columns = 2000;
    const px = new Uint16Array(rows * columns);
    for (let i = 0; i < px.length; i += 97) px[i] = i & 0x0fff;
    const large = buildDxImage(
      minimalDx({ image: image(12, { rows, columns, pixels: px, patientOrientation: ['L', 'F'] }) }),
      { uid: testUids() },
    );
    const file = tempFile('large.dcm');
    await writePart10(large.dataset, large.pixelData, file);
    const bytes = readFileSync(file);
    expect(bytes.byteLength).toBeGreaterThan(px.byteLength);
    expect(pixelBytesOf(bytes).equals(Buffer.from(px.buffer))).toBe(true);
    expect(dciodvfy(bytes).errors).toEqual([]);
  });
});
