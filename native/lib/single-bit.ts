import { transferSyntax } from '@hnvue/dicom';
import { CODEC_ERROR_CODES, CodecError } from './errors.js';
import type { FrameInfo } from './frame.js';

/**
 * Bits Allocated 1 (PS3.3 C.7.6.3.1: "1, or a multiple of 8"; segmentations, some
 * MONOCHROME2 masks). Native Pixel Data packs eight pixels per byte, the first pixel in the least
 * significant bit (PS3.5 8.1.1, Annex D), frames concatenated without padding, so a frame may
 * start mid-byte. No codec reads packed bits: JPEG 2000 and HTJ2K (1–16-bit precision) get the
 * frame unpacked to one byte per pixel and coded at 1-bit precision, and decoding packs it again;
 * Bits Allocated stays 1 in the data set. GDCM 3.0 decodes such a stream (to 8 bits allocated).
 * The other encapsulated syntaxes are refused, as DCMTK and GDCM refuse them (dcmcrle,
 * dcmcjpeg, dcmcjpls, gdcmconv --rle/--jpegls: "no conversion possible").
 */

/** Why `transferSyntaxUid` cannot hold a 1-bit image, or undefined when it can. */
export function singleBitRefusal(transferSyntaxUid: string): string | undefined {
  const ts = transferSyntax(transferSyntaxUid);
  if (ts === undefined || ts.pixelEncoding === 'native') return undefined;
  switch (ts.family) {
    case 'jpeg2000':
    case 'htj2k':
      return undefined;
    case 'rle':
      return 'RLE Lossless holds 8, 16 or 32 bits allocated; this image has 1 (PS3.5 G.2: segments of whole bytes)';
    case 'jpeg-lossless':
      return 'JPEG Lossless holds 2–16 bits; this image has 1 (Bits Allocated 1)';
    case 'jpeg-ls':
      return 'JPEG-LS holds 2–16 bits; this image has 1 (Bits Allocated 1)';
    case 'jpeg-baseline':
    case 'jpeg-extended':
      return 'JPEG DCT holds 8 or 12 bits; this image has 1 (Bits Allocated 1)';
    default:
      return `${ts.name}: no 1-bit (Bits Allocated 1) form is encoded or decoded here`;
  }
}

/** Throws HNV_ERR_CODEC_UNSUPPORTED with the limit when `transferSyntaxUid` cannot hold 1 bit. */
export function requireSingleBitCodec(transferSyntaxUid: string): void {
  const why = singleBitRefusal(transferSyntaxUid);
  if (why !== undefined) {
    throw new CodecError(CODEC_ERROR_CODES.unsupported, why, {
      hint: 'send it uncompressed (Explicit/Implicit VR LE) or as JPEG 2000 / HTJ2K',
      details: { transferSyntaxUid, bitsAllocated: 1 },
    });
  }
}

/** The geometry the codecs see for an unpacked 1-bit frame: a byte per pixel, 1 bit stored. */
export function unpackedInfo(info: FrameInfo): FrameInfo {
  if (info.samplesPerPixel !== 1 || info.bitsStored !== 1 || info.pixelRepresentation !== 0) {
    throw new CodecError(
      CODEC_ERROR_CODES.invalidArgument,
      'invalid frame: Bits Allocated 1 needs 1 sample, Bits Stored 1 and unsigned pixels',
      { details: { samplesPerPixel: info.samplesPerPixel, bitsStored: info.bitsStored } },
    );
  }
  return { ...info, bitsAllocated: 8, bitsStored: 1 };
}

/** Bytes of `numberOfFrames` packed 1-bit frames (without the even-length pad). */
export function packedLength(info: FrameInfo, numberOfFrames: number): number {
  return Math.ceil((info.rows * info.columns * numberOfFrames) / 8);
}

/** Native packed Pixel Data → one byte (0 or 1) per pixel, frame by frame. */
export function unpackBitFrames(value: Uint8Array, info: FrameInfo, numberOfFrames: number): Uint8Array[] {
  const need = packedLength(info, numberOfFrames);
  if (value.length < need) {
    throw new CodecError(CODEC_ERROR_CODES.corrupt, 'native pixel data is shorter than its frames', {
      details: { length: value.length, need, numberOfFrames },
    });
  }
  const pixels = info.rows * info.columns;
  const frames: Uint8Array[] = [];
  for (let f = 0; f < numberOfFrames; f++) {
    const out = new Uint8Array(pixels);
    const base = f * pixels;
    for (let i = 0; i < pixels; i++) {
      const bit = base + i;
      out[i] = (value[bit >>> 3]! >>> (bit & 7)) & 1;
    }
    frames.push(out);
  }
  return frames;
}

/** Unpacked frames (any non-zero byte is 1) → native packed Pixel Data, padded to even length. */
export function packBitFrames(frames: readonly Uint8Array[], info: FrameInfo): Uint8Array {
  const pixels = info.rows * info.columns;
  const length = packedLength(info, frames.length);
  const out = new Uint8Array(length + (length & 1));
  for (const [f, frame] of frames.entries()) {
    const base = f * pixels;
    for (let i = 0; i < pixels; i++) {
      if (frame[i]! & 1) {
        const bit = base + i;
        out[bit >>> 3]! |= 1 << (bit & 7);
      }
    }
  }
  return out;
}
