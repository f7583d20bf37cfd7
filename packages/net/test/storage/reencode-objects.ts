/**
 * Test objects for re-encoding sends (issue 12): a 16-bit DX-like image, a 3-frame 16-bit object
 * and an 8-bit RGB object, each encoded by @hnvue/dicom's codec in Explicit VR LE (net sits
 * below @hnvue/iod; the CLI tests use the iod builders) and converted by DCMTK `dcmconv` (+tb Big Endian, +td Deflated), so that what we read
 * was written by an independent tool. The DX also carries one element of every VR whose bytes
 * swap with the byte order (PS3.5 7.3: AT, OW, OF, OD, OL, SS, US, SL, UL, FL, FD), at the top
 * level and inside a sequence item. The comparison (`datasetDump`) is dcmdump's listing with the
 * encoding-only differences removed: sequence/item length forms and group lengths.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  encodeDataset,
  encodePart10Header,
  findElement,
  type NaturalDataset,
  parsePart10Header,
  readElements,
  SOP_CLASS,
  TAG,
  TS,
} from '@hnvue/dicom';
import { run } from '@hnvue/testing/peers';
import { newUid } from './helpers.js';

export interface TestObject {
  readonly label: string;
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  /** Explicit VR LE, as @hnvue/iod wrote it. */
  readonly explicitPath: string;
  /** dcmconv +tb */
  readonly bigEndianPath: string;
  /** dcmconv +td */
  readonly deflatedPath: string;
  /** The Pixel Data value (little-endian words for 16-bit samples). */
  readonly pixels: Buffer;
}

function bytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** One value of every byte-swapped VR, from the Hanging Protocol selector attributes (PS3.3 C.23.1). */
function swappedValues(): NaturalDataset {
  return {
    SelectorATValue: ['00181063', '00280008'],
    SelectorOWValue: bytes(Uint16Array.of(0x0102, 0xa0b0, 0xfffe)),
    SelectorOFValue: bytes(Float32Array.of(1.5, -2.25, 3.0e-5)),
    SelectorODValue: bytes(Float64Array.of(Math.PI, -1e300)),
    SelectorOLValue: bytes(Uint32Array.of(0x01020304, 0xdeadbeef)),
    SelectorSSValue: [-2, 32767],
    SelectorUSValue: [1, 65534],
    SelectorSLValue: [-70000, 2],
    SelectorULValue: [4000000000],
    SelectorFLValue: [0.125, -7.5],
    SelectorFDValue: [1 / 3],
  };
}

/** A DX-like data set (SOP Common, Patient, Study, Series, General Image, Image Pixel). */
function dx(rows: number, columns: number): NaturalDataset {
  const studyUid = newUid();
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['ORIGINAL', 'PRIMARY'],
    SOPClassUID: SOP_CLASS.digitalXRayImageStorageForPresentation,
    SOPInstanceUID: newUid(),
    StudyDate: '20261203',
    StudyTime: '173500',
    Modality: 'DX',
    Manufacturer: 'HnVue',
    ProcedureCodeSequence: [{ CodeValue: 'RPID1', CodingSchemeDesignator: '99HNV', CodeMeaning: 'Chest PA' }],
    PatientName: 'Reencode^Test',
    PatientID: 'RE1',
    PatientBirthDate: '19700101',
    KVP: 120,
    ImagerPixelSpacing: [0.14, 0.14],
    StudyInstanceUID: studyUid,
    SeriesInstanceUID: `${studyUid}.1`,
    InstanceNumber: 1,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: 2048,
    WindowWidth: 4096,
  };
}

function grayPixels(count: number): Uint16Array {
  return Uint16Array.from({ length: count }, (_, i) => (i * 37 + (i >> 5)) & 0xfff);
}

async function convert(input: string, flag: string, output: string): Promise<string> {
  const r = await run('dcmconv', [flag, input, output]);
  if (r.code !== 0) throw new Error(`dcmconv ${flag} failed: ${r.stderr}`);
  return output;
}

async function writeObject(
  dir: string,
  label: string,
  dataset: NaturalDataset,
  pixels: Uint8Array | Uint16Array,
): Promise<TestObject> {
  const explicitPath = join(dir, `${label}.dcm`);
  const pixelBytes = bytes(pixels);
  const full: NaturalDataset = {
    ...dataset,
    PixelData: pixelBytes,
    // PS3.5 8.2: OB for 8-bit samples, OW otherwise.
    _vrMap: { PixelData: pixels.BYTES_PER_ELEMENT === 1 ? 'OB' : 'OW' },
  };
  const meta = {
    mediaStorageSopClassUid: dataset.SOPClassUID as string,
    mediaStorageSopInstanceUid: dataset.SOPInstanceUID as string,
    transferSyntaxUid: TS.explicitVrLittleEndian,
    implementationClassUid: '1.2.826.0.1.3680043.10.1',
  };
  await writeFile(
    explicitPath,
    Buffer.concat([
      encodePart10Header(meta),
      encodeDataset(full, { transferSyntax: TS.explicitVrLittleEndian }),
    ]),
  );
  return {
    label,
    sopClassUid: meta.mediaStorageSopClassUid,
    sopInstanceUid: meta.mediaStorageSopInstanceUid,
    explicitPath,
    bigEndianPath: await convert(explicitPath, '+tb', join(dir, `${label}-be.dcm`)),
    deflatedPath: await convert(explicitPath, '+td', join(dir, `${label}-deflated.dcm`)),
    pixels: Buffer.from(pixelBytes),
  };
}

/** The three objects of the re-encoding tests, written under `dir`. */
export async function writeReencodeObjects(dir: string): Promise<TestObject[]> {
  const withSwapped: NaturalDataset = {
    ...dx(96, 80),
    ...swappedValues(),
    // The same values one level down: swapped inside items as well.
    ReferencedImageSequence: [
      {
        ReferencedSOPClassUID: SOP_CLASS.digitalXRayImageStorageForPresentation,
        ReferencedSOPInstanceUID: newUid(),
        ReferencedFrameNumber: ['1'],
        ...swappedValues(),
      },
    ],
  };

  const frames = 3;
  const multiFrame: NaturalDataset = {
    ...dx(64, 48),
    SOPClassUID: SOP_CLASS.multiFrameGrayscaleWordSecondaryCaptureImageStorage,
    SOPInstanceUID: newUid(),
    NumberOfFrames: frames,
    // AT: the attribute that advances per frame (PS3.3 C.7.6.6).
    FrameIncrementPointer: ['00181063'],
    FrameTime: 33.3,
  };

  const rgbPixels = Uint8Array.from({ length: 40 * 56 * 3 }, (_, i) => (i * 29 + (i % 3) * 85) & 0xff);
  const { WindowCenter: _c, WindowWidth: _w, ...rgbBase } = dx(40, 56);
  const color: NaturalDataset = {
    ...rgbBase,
    SOPClassUID: SOP_CLASS.secondaryCaptureImageStorage,
    SOPInstanceUID: newUid(),
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
  };

  return [
    await writeObject(dir, 'dx16', withSwapped, grayPixels(96 * 80)),
    await writeObject(dir, 'mf16x3', multiFrame, grayPixels(64 * 48 * frames)),
    await writeObject(dir, 'rgb8', color, rgbPixels),
  ];
}

/**
 * dcmdump's listing of a file's data set with what only the encoding decides removed: the meta
 * group, group lengths, sequence/item length forms and delimitation items, the `# length, VM`
 * column, and the Pixel Data line (compared as bytes by `pixelBytes`). VRs and values stay.
 */
export async function datasetDump(path: string): Promise<string[]> {
  const r = await run('dcmdump', ['-q', '+L', '-dc', '+U8', path]);
  if (r.code !== 0) throw new Error(`dcmdump failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((line) => /^\s*\([0-9a-f]{4},[0-9a-f]{4}\)/i.test(line))
    .filter((line) => !/^\s*\(0002,/.test(line))
    .filter((line) => !/^\s*\([0-9a-f]{4},0000\)/i.test(line))
    .filter((line) => !/\((Item|Sequence)DelimitationItem/.test(line))
    .filter((line) => !/^\s*\(7fe0,0010\)/i.test(line))
    .map((line) =>
      line
        .replace(/\s+#\s*\d+,\s*\S+\s+\S+\s*$/, '')
        .replace(/\((Sequence|Item) with (explicit|undefined) length #=(\d+)\)/, '($1 #=$3)')
        .trimEnd(),
    );
}

/** Transfer syntax and Pixel Data value of a native Little Endian Part 10 file, read by our walker. */
export async function pixelBytes(path: string): Promise<{ transferSyntax: string; pixels: Buffer }> {
  const file = new Uint8Array(await readFile(path));
  const { meta, datasetOffset } = parsePart10Header(file);
  const dataset = file.subarray(datasetOffset);
  const { elements } = readElements(dataset, meta.transferSyntaxUid !== TS.implicitVrLittleEndian);
  const pixel = findElement(elements, TAG.pixelData);
  if (pixel === undefined) throw new Error('no Pixel Data');
  return {
    transferSyntax: meta.transferSyntaxUid,
    pixels: Buffer.from(dataset.subarray(pixel.valueStart, pixel.end)),
  };
}
