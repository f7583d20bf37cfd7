import { CODEC_ERROR_CODES, CodecError } from './errors.js';

/** One frame's pixel geometry, as the Image Pixel module describes it (PS3.3 C.7.6.3). */
export interface FrameInfo {
  readonly rows: number;
  readonly columns: number;
  /** 8 or 16. */
  readonly bitsAllocated: number;
  /** 1..bitsAllocated; JPEG Lossless needs at least 2 and codes max(2, bitsStored) bits. */
  readonly bitsStored: number;
  /** 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: 0 | 1;
  /** 1 (MONOCHROME1/2, PALETTE COLOR) or 3 (RGB, YBR_*). */
  readonly samplesPerPixel: 1 | 3;
  /** 0 interleaved (R1G1B1R2…), 1 planar (R…G…B…); ignored when samplesPerPixel is 1. */
  readonly planarConfiguration: 0 | 1;
}

/** Byte length of one native frame; throws HNV_ERR_CODEC_INVALID_ARGUMENT on bad geometry. */
export function frameByteLength(info: FrameInfo): number {
  const { rows, columns, bitsAllocated, bitsStored, samplesPerPixel, pixelRepresentation } = info;
  const bad = (what: string): never => {
    throw new CodecError(CODEC_ERROR_CODES.invalidArgument, `invalid frame: ${what}`, {
      details: { rows, columns, bitsAllocated, bitsStored, samplesPerPixel },
    });
  };
  if (!Number.isInteger(rows) || rows < 1 || rows > 65535) bad('rows must be 1..65535');
  if (!Number.isInteger(columns) || columns < 1 || columns > 65535) bad('columns must be 1..65535');
  if (bitsAllocated !== 8 && bitsAllocated !== 16) bad('bitsAllocated must be 8 or 16');
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > bitsAllocated) {
    bad('bitsStored must be 1..bitsAllocated');
  }
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) bad('samplesPerPixel must be 1 or 3');
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1) bad('pixelRepresentation must be 0 or 1');
  return rows * columns * samplesPerPixel * (bitsAllocated / 8);
}

/**
 * The frame's samples with bits above bitsStored made canonical: zero for unsigned data, a copy
 * of the sign bit for signed data. Returns the input itself when nothing changes.
 */
export function canonicalSamples(pixels: Uint8Array, info: FrameInfo): Uint8Array {
  const { bitsAllocated, bitsStored, pixelRepresentation } = info;
  if (bitsStored === bitsAllocated) return pixels;
  const mask = (1 << bitsStored) - 1;
  const sign = 1 << (bitsStored - 1);
  const out = new Uint8Array(pixels.length);
  if (bitsAllocated === 8) {
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i]! & mask;
      out[i] = pixelRepresentation === 1 && v & sign ? v | ~mask : v;
    }
    return out;
  }
  for (let i = 0; i + 1 < pixels.length; i += 2) {
    let v = (pixels[i]! | (pixels[i + 1]! << 8)) & mask;
    if (pixelRepresentation === 1 && v & sign) v |= ~mask & 0xffff;
    out[i] = v & 0xff;
    out[i + 1] = v >>> 8;
  }
  return out;
}

/** Converts between interleaved and planar layouts of a 3-sample frame. */
export function convertPlanar(pixels: Uint8Array, info: FrameInfo, toPlanar: boolean): Uint8Array {
  const bytes = info.bitsAllocated / 8;
  const n = info.rows * info.columns;
  const out = new Uint8Array(n * 3 * bytes);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) {
      const inter = (i * 3 + c) * bytes;
      const planar = (c * n + i) * bytes;
      const [src, dst] = toPlanar ? [inter, planar] : [planar, inter];
      out[dst] = pixels[src]!;
      if (bytes === 2) out[dst + 1] = pixels[src + 1]!;
    }
  }
  return out;
}
