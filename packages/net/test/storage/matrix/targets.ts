/**
 * The transcoding matrix's targets (issue 13, FR-DICOM-04): peers that accept exactly one transfer
 * syntax — DCMTK storescp with an association profile, or, for HTJ2K (which DCMTK 3.6.7 does not
 * know), our own SCP restricted to it — and, for each, an independent decoder of what it received
 * (dcmconv, dcmdrle, dcmdjpeg, dcmdjpls, gdcmconv, ojph_expand).
 */
import { writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { TS } from '@hnvue/dicom';
import { canonicalSamples, decapsulate, j2kDecode } from '@hnvue/native';
import { startStorescp } from '@hnvue/testing/peers';
import { readNetpbm } from '../../../../../native/test/helpers/netpbm.js';
import { type Part10, readPart10 } from '../../../../../native/test/helpers/part10.js';
import { nativePixels } from '../../../../../native/test/helpers/peers.js';
import { runTool, type TempDir } from '../../../../../native/test/helpers/tools.js';
import { createStorageScp } from '../../../src/storage/scp.js';
import { type MatrixImage, SC_CLASSES } from './sources.js';

/** A running peer of the matrix: where to connect, how to stop it. */
export interface MatrixPeer {
  readonly port: number;
  stop(): Promise<void>;
}

export interface MatrixTarget {
  readonly label: string;
  readonly transferSyntax: string;
  /** Starts a peer that accepts only this syntax and writes what it receives under `out`. */
  start(dir: TempDir, out: string): Promise<MatrixPeer>;
  /** The received file's pixels, decoded by a tool we did not write (canonical, all frames). */
  decode(dir: TempDir, path: string, image: MatrixImage): Uint8Array | Promise<Uint8Array>;
}

/** A storescp association profile: the SC classes in exactly `dcmtkName`, echo uncompressed. */
async function profile(dir: TempDir, dcmtkName: string): Promise<string> {
  const path = dir.file(`profile-${dcmtkName.replace(/\W/g, '')}.cfg`);
  await writeFile(
    path,
    [
      '[[TransferSyntaxes]]',
      '[Only]',
      `TransferSyntax1 = ${dcmtkName}`,
      '[Uncompressed]',
      'TransferSyntax1 = LittleEndianExplicit',
      'TransferSyntax2 = LittleEndianImplicit',
      '[[PresentationContexts]]',
      '[OnlyContexts]',
      'PresentationContext1 = VerificationSOPClass\\Uncompressed',
      ...SC_CLASSES.map((uid, i) => `PresentationContext${i + 2} = ${uid}\\Only`),
      '[[Profiles]]',
      '[OnlyProfile]',
      'PresentationContexts = OnlyContexts',
      '',
    ].join('\n'),
  );
  return path;
}

/** One byte (0/1) per pixel → Bits Allocated 1 packing, least significant bit first (PS3.5 8.1.1). */
function packBits(unpacked: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(pixels / 8));
  for (let i = 0; i < pixels; i++) if (unpacked[i]! & 1) out[i >>> 3]! |= 1 << (i & 7);
  return out;
}

const uint16At = (file: Part10, tag: string): number | undefined => {
  const v = file.elements.get(tag);
  return v === undefined ? undefined : v[0]! | (v[1]! << 8);
};

/** Every frame of a native Part 10 file, canonical, in the image's planar layout. */
export function nativeFrames(file: Part10, image: MatrixImage): Uint8Array {
  if (image.info.bitsAllocated === 1) {
    // GDCM decodes a 1-bit JPEG 2000 frame to 8 bits allocated, a byte per pixel: pack it again.
    const pixels = image.info.rows * image.info.columns * image.frames;
    if (uint16At(file, '00280100') === 8) return packBits(file.pixelData, pixels);
    return file.pixelData.subarray(0, Math.ceil(pixels / 8));
  }
  const frameBytes = image.pixels.length / image.frames;
  const parts: Uint8Array[] = [];
  for (let f = 0; f < image.frames; f++) {
    parts.push(nativePixels({ ...file, pixelData: file.pixelData.subarray(f * frameBytes) }, image.info));
  }
  return Buffer.concat(parts);
}

/** Decoding by a DCMTK/GDCM tool that writes a native Part 10 file. */
function throughTool(cmd: string, ...flags: string[]) {
  return (dir: TempDir, path: string, image: MatrixImage): Uint8Array => {
    const out = dir.file(`${path.replace(/\W/g, '_')}.native.dcm`);
    runTool(cmd, [...flags, path, out]);
    return nativeFrames(readPart10(out), image);
  };
}

let expanded = 0;

/**
 * ojph_expand of each frame's codestream (OpenJPH's own decoder). ojph_expand 0.9.0 clamps signed
 * samples to 0..2^B-1, so a signed image is decoded by OpenJPEG (which reads HTJ2K since 2.5),
 * an implementation independent of the OpenJPH encoder that wrote it.
 */
export async function htj2kFramesIndependently(
  dir: TempDir,
  path: string,
  image: MatrixImage,
): Promise<Uint8Array> {
  const file = readPart10(path);
  const singleBit = image.info.bitsAllocated === 1;
  // Bits Allocated 1: the codestream holds a byte per pixel at 1-bit precision (PGM maxval 1).
  const info = singleBit ? { ...image.info, bitsAllocated: 8 } : image.info;
  const interleaved = { ...info, planarConfiguration: 0 as const };
  const parts: Uint8Array[] = [];
  for (const codestream of decapsulate(file.pixelData, image.frames)) {
    if (info.pixelRepresentation === 1) {
      parts.push(await j2kDecode(codestream, info));
      continue;
    }
    const n = ++expanded;
    const input = dir.file(`x-${n}.j2c`);
    writeFileSync(input, codestream);
    const output = dir.file(`x-${n}.${info.samplesPerPixel === 3 ? 'ppm' : 'pgm'}`);
    runTool('ojph_expand', ['-i', input, '-o', output]);
    let px = canonicalSamples(readNetpbm(output, interleaved), interleaved);
    if (info.samplesPerPixel === 3 && info.planarConfiguration === 1)
      px = toPlanar(px, info.rows * info.columns);
    parts.push(singleBit ? packBits(px, info.rows * info.columns) : px);
  }
  return Buffer.concat(parts);
}

function toPlanar(px: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(px.length);
  for (let i = 0; i < pixels; i++) for (let c = 0; c < 3; c++) out[c * pixels + i] = px[3 * i + c]!;
  return out;
}

function storescpTarget(
  label: string,
  transferSyntax: string,
  dcmtkName: string,
  decode: MatrixTarget['decode'],
): MatrixTarget {
  return {
    label,
    transferSyntax,
    start: async (dir, out) =>
      await startStorescp({ args: ['-xf', await profile(dir, dcmtkName), 'OnlyProfile'], outputDir: out }),
    decode,
  };
}

export const MATRIX_TARGETS: readonly MatrixTarget[] = [
  {
    label: 'Implicit LE (storescp +xi)',
    transferSyntax: TS.implicitVrLittleEndian,
    start: async (_dir, out) => await startStorescp({ args: ['+xi'], outputDir: out }),
    decode: throughTool('dcmconv', '+te'),
  },
  storescpTarget(
    'Explicit LE',
    TS.explicitVrLittleEndian,
    'LittleEndianExplicit',
    throughTool('dcmconv', '+te'),
  ),
  storescpTarget('RLE', TS.rleLossless, 'RLELossless', throughTool('dcmdrle')),
  storescpTarget(
    'JPEG lossless SV1 .70',
    TS.jpegLosslessSv1,
    'JPEGLossless:Non-hierarchical-1stOrderPrediction',
    throughTool('dcmdjpeg'),
  ),
  storescpTarget('JPEG-LS lossless .80', TS.jpegLsLossless, 'JPEGLSLossless', throughTool('dcmdjpls')),
  storescpTarget(
    'J2K lossless .90',
    TS.jpeg2000Lossless,
    'JPEG2000LosslessOnly',
    throughTool('gdcmconv', '--raw'),
  ),
  {
    label: 'HTJ2K lossless .201 (our SCP, only .201)',
    transferSyntax: TS.htj2kLossless,
    start: async (_dir, out) => {
      await mkdir(out, { recursive: true });
      const server = createStorageScp({
        directory: out,
        fsync: false,
        transferSyntaxes: [TS.htj2kLossless],
        sopClasses: SC_CLASSES,
      });
      const port = await server.listen(0);
      return { port, stop: async () => await server.close({ abort: true }) };
    },
    decode: htj2kFramesIndependently,
  },
];

/** The photometric interpretation a received file declares. */
export function photometricOf(path: string): string {
  const v = readPart10(path).elements.get('00280004');
  return v ? Buffer.from(v).toString('latin1').trim() : '';
}
