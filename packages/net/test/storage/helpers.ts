/**
 * Test images for C-STORE: DX and CR data sets written here (Explicit VR LE, 16-bit, 12 bits
 * stored, one sequence), converted to the other transfer syntaxes by independent tools (DCMTK
 * dcmconv/dcmcjpeg, GDCM gdcmconv), and decoded back by GDCM for pixel comparisons.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodePart10Header, findElement, parsePart10Header, readElements, TAG } from '@hnvue/dicom';
import { run } from '@hnvue/testing/peers';

export const TS = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
} as const;

export const SOP = {
  dx: '1.2.840.10008.5.1.4.1.1.1.1',
  cr: '1.2.840.10008.5.1.4.1.1.1',
} as const;

export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(15).toString('hex')}`).toString()}`;
}

function el(tag: number, vr: string, value: Uint8Array): Buffer {
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(tag >>> 16, 0);
  head.writeUInt16LE(tag & 0xffff, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

function str(value: string, vr: string): Buffer {
  const b = Buffer.from(value, 'latin1');
  return b.length % 2 ? Buffer.concat([b, Buffer.from([vr === 'UI' ? 0 : 0x20])]) : b;
}

function us(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

export interface TestImage {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly studyUid: string;
  /** Explicit VR LE data set (no meta header). */
  readonly dataset: Buffer;
  /** The native Pixel Data value (what every lossless syntax must decode back to). */
  readonly pixels: Buffer;
}

/** A smooth 12-bit image with some noise: compressible, but not trivially. */
export function makeImage(
  options: { sopClassUid?: string; rows?: number; columns?: number; studyUid?: string; pixels?: Buffer } = {},
): TestImage {
  const rows = options.rows ?? 256;
  const columns = options.columns ?? 256;
  const sopClassUid = options.sopClassUid ?? SOP.dx;
  const sopInstanceUid = newUid();
  const studyUid = options.studyUid ?? newUid();
  let pixels = options.pixels;
  if (!pixels) {
    pixels = Buffer.alloc(rows * columns * 2);
    let seed = rows * 31 + columns;
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const v = (((x * 7 + y * 5) & 0x7ff) + ((seed >>> 16) & 0x3f)) & 0xfff;
        pixels.writeUInt16LE(v, (y * columns + x) * 2);
      }
    }
  }
  const item = Buffer.concat([
    el(0x00080100, 'SH', str('RPID1', 'SH')),
    el(0x00080102, 'SH', str('99HNV', 'SH')),
    el(0x00080104, 'LO', str('Chest PA', 'LO')),
  ]);
  const itemHeader = Buffer.alloc(8);
  itemHeader.writeUInt16LE(0xfffe, 0);
  itemHeader.writeUInt16LE(0xe000, 2);
  itemHeader.writeUInt32LE(item.length, 4);
  const modality = sopClassUid === SOP.cr ? 'CR' : 'DX';
  const dataset = Buffer.concat([
    el(0x00080016, 'UI', str(sopClassUid, 'UI')),
    el(0x00080018, 'UI', str(sopInstanceUid, 'UI')),
    el(0x00080060, 'CS', str(modality, 'CS')),
    el(0x00081032, 'SQ', Buffer.concat([itemHeader, item])),
    el(0x00100010, 'PN', str('TEST^STORE', 'PN')),
    el(0x00100020, 'LO', str('HNV-TEST-1', 'LO')),
    el(0x0020000d, 'UI', str(studyUid, 'UI')),
    el(0x0020000e, 'UI', str(`${studyUid}.1`, 'UI')),
    el(0x00280002, 'US', us(1)),
    el(0x00280004, 'CS', str('MONOCHROME2', 'CS')),
    el(0x00280010, 'US', us(rows)),
    el(0x00280011, 'US', us(columns)),
    el(0x00280100, 'US', us(16)),
    el(0x00280101, 'US', us(12)),
    el(0x00280102, 'US', us(11)),
    el(0x00280103, 'US', us(0)),
    el(0x7fe00010, 'OW', pixels),
  ]);
  return { sopClassUid, sopInstanceUid, studyUid, dataset, pixels };
}

/** Writes `image` as an Explicit VR LE Part 10 file. */
export async function writeImageFile(
  dir: string,
  image: TestImage,
  name = `${image.sopInstanceUid}.dcm`,
): Promise<string> {
  const path = join(dir, name);
  const header = encodePart10Header({
    mediaStorageSopClassUid: image.sopClassUid,
    mediaStorageSopInstanceUid: image.sopInstanceUid,
    transferSyntaxUid: TS.explicit,
    implementationClassUid: '1.2.3.4',
  });
  await writeFile(path, Buffer.concat([header, image.dataset]));
  return path;
}

/** Converts a Part 10 file to `ts` with DCMTK/GDCM (independent of our codecs). */
export async function convertFile(input: string, ts: string, output: string): Promise<string> {
  let r: Awaited<ReturnType<typeof run>>;
  switch (ts) {
    case TS.explicit:
      r = await run('dcmconv', ['+te', input, output]);
      break;
    case TS.implicit:
      r = await run('dcmconv', ['+ti', input, output]);
      break;
    case TS.jpegLosslessSv1:
      r = await run('dcmcjpeg', ['+e1', input, output]);
      break;
    case TS.jpeg2000Lossless:
      r = await run('gdcmconv', ['--j2k', input, output]);
      break;
    default:
      throw new Error(`no converter for ${ts}`);
  }
  if (r.code !== 0) throw new Error(`conversion to ${ts} failed: ${r.stderr}`);
  return output;
}

/** Decodes a Part 10 file's pixels with GDCM (gdcmconv --raw) and returns the native value. */
export async function decodedPixels(path: string, scratch: string): Promise<Buffer> {
  const raw = join(scratch, `raw-${randomBytes(4).toString('hex')}.dcm`);
  const r = await run('gdcmconv', ['--raw', path, raw]);
  if (r.code !== 0) throw new Error(`gdcmconv --raw failed: ${r.stderr}`);
  return await pixelsOfNativeFile(raw);
}

/** Pixel Data of a native (uncompressed) Part 10 file, read by our walker. */
export async function pixelsOfNativeFile(path: string): Promise<Buffer> {
  const file = new Uint8Array(await readFile(path));
  const header = parsePart10Header(file);
  const dataset = file.subarray(header.datasetOffset);
  const { elements } = readElements(dataset, header.meta.transferSyntaxUid !== TS.implicit);
  const pixel = findElement(elements, TAG.pixelData);
  if (!pixel) throw new Error('no Pixel Data');
  return Buffer.from(dataset.subarray(pixel.valueStart, pixel.end));
}

/** Transfer syntax and data set bytes of a Part 10 file. */
export async function readPart10(
  path: string,
): Promise<{ transferSyntax: string; dataset: Buffer; sopInstanceUid: string }> {
  const file = await readFile(path);
  const header = parsePart10Header(new Uint8Array(file));
  return {
    transferSyntax: header.meta.transferSyntaxUid,
    dataset: file.subarray(header.datasetOffset),
    sopInstanceUid: header.meta.mediaStorageSopInstanceUid,
  };
}

/** A DCMTK association config that accepts exactly one transfer syntax for DX, CR and Verification. */
export async function writeStorescpProfile(dir: string, tsName: string): Promise<string> {
  const cfg = [
    '[[TransferSyntaxes]]',
    '[Only]',
    `TransferSyntax1 = ${tsName}`,
    '[Uncompressed]',
    'TransferSyntax1 = LocalEndianExplicit',
    'TransferSyntax2 = LittleEndianImplicit',
    '[[PresentationContexts]]',
    '[OnlyContexts]',
    'PresentationContext1 = VerificationSOPClass\\Uncompressed',
    'PresentationContext2 = DigitalXRayImageStorageForPresentation\\Only',
    'PresentationContext3 = ComputedRadiographyImageStorage\\Only',
    '[[Profiles]]',
    '[OnlyProfile]',
    'PresentationContexts = OnlyContexts',
    '',
  ].join('\n');
  const path = join(dir, `storescp-${tsName.replace(/[^A-Za-z0-9]/g, '')}.cfg`);
  await writeFile(path, cfg);
  return path;
}

/** DCMTK names of the syntaxes above (dcmtk/dcmnet/dcasccfg: transfer syntax keys). */
export const DCMTK_TS_NAME: Record<string, string> = {
  [TS.implicit]: 'LittleEndianImplicit',
  [TS.explicit]: 'LocalEndianExplicit',
  [TS.jpegLosslessSv1]: 'JPEGLossless:Non-hierarchical-1stOrderPrediction',
  [TS.jpeg2000Lossless]: 'JPEG2000LosslessOnly',
};
