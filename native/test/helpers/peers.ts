import { convertPlanar } from '../../lib/frame.js';
import { canonicalSamples, type FrameInfo } from '../../lib/index.js';
import { type Part10, readPart10, type WriteOptions, writePart10 } from './part10.js';
import { runTool, type TempDir } from './tools.js';

let counter = 0;

/** Native pixels of a Part 10 file written by a peer, canonical and in `info`'s planar layout. */
export function nativePixels(file: Part10, info: FrameInfo): Uint8Array {
  const pc = file.elements.get('00280006');
  const planar = pc === undefined ? 0 : pc[0]! | (pc[1]! << 8);
  const frameBytes = info.rows * info.columns * info.samplesPerPixel * (info.bitsAllocated / 8);
  let pixels = canonicalSamples(file.pixelData.subarray(0, frameBytes), info);
  if (info.samplesPerPixel === 3 && planar !== info.planarConfiguration) {
    pixels = convertPlanar(pixels, { ...info, planarConfiguration: planar as 0 | 1 }, planar === 0);
  }
  return pixels;
}

/** Writes a Part 10 file of `options`, runs `cmd args… in out`, and reads the result. */
function throughPart10(dir: TempDir, cmd: string, args: readonly string[], options: WriteOptions): Part10 {
  const n = ++counter;
  const input = dir.file(`in-${n}.dcm`);
  const output = dir.file(`out-${n}.dcm`);
  writePart10(input, options);
  runTool(cmd, [...args, input, output]);
  return readPart10(output);
}

/** Writes `value` as a Part 10 file, runs `cmd args… in out`, and reads the result. */
export function throughTool(
  dir: TempDir,
  cmd: string,
  args: readonly string[],
  info: FrameInfo,
  transferSyntaxUid: string,
  value: Uint8Array,
  encapsulated: boolean,
  numberOfFrames = 1,
): Part10 {
  return throughPart10(dir, cmd, args, {
    info,
    transferSyntaxUid,
    pixelData: value,
    encapsulated,
    numberOfFrames,
  });
}

/**
 * dcmdjpeg +px (colour by pixel) of an encapsulated JPEG value (`numberOfFrames` fragments) written
 * with `transferSyntaxUid` and Photometric Interpretation `photometric`; returns the file it wrote.
 */
export function dcmdjpeg(
  dir: TempDir,
  info: FrameInfo,
  transferSyntaxUid: string,
  value: Uint8Array,
  photometric: string,
  numberOfFrames = 1,
): Part10 {
  return throughPart10(dir, 'dcmdjpeg', ['+px'], {
    info,
    transferSyntaxUid,
    pixelData: value,
    encapsulated: true,
    numberOfFrames,
    photometric,
  });
}

/** `dcmdjpeg` bound to `dir` and one transfer syntax: (info, value, photometric, frames = 1). */
export function dcmdjpegWith(
  dir: TempDir,
  transferSyntaxUid: string,
): (info: FrameInfo, value: Uint8Array, photometric: string, frames?: number) => Part10 {
  return (info, value, photometric, frames = 1) =>
    dcmdjpeg(dir, info, transferSyntaxUid, value, photometric, frames);
}
