import { CODEC_ERROR_CODES, CodecError } from './errors.js';

/** One frame's pixel geometry, as the Image Pixel module describes it (PS3.3 C.7.6.3). */
export interface FrameInfo {
  readonly rows: number;
  readonly columns: number;
  /** 8 or 16; 32 for the codecs that hold it (RLE, native transfer syntaxes). */
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
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32)
    bad('bitsAllocated must be 8, 16 or 32');
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
  if (bitsAllocated === 32) return canonical32(pixels, bitsStored, pixelRepresentation === 1);
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

function canonical32(pixels: Uint8Array, bitsStored: number, signed: boolean): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const src = new DataView(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  const dst = new DataView(out.buffer);
  const shift = 32 - bitsStored;
  for (let i = 0; i + 3 < pixels.length; i += 4) {
    const v = src.getUint32(i, true) << shift;
    dst.setUint32(i, signed ? v >> shift : v >>> shift, true);
  }
  return out;
}

/**
 * Throws HNV_ERR_CODEC_UNSUPPORTED, naming the limit, when a codec cannot hold the frame's sample
 * size: "JPEG-LS holds 2–16 bits; this image has 32". `bits` is what the codec would have to code
 * (Bits Stored, and Bits Allocated above what the codec can address at all).
 */
export function requireSampleBits(codec: string, info: FrameInfo, min: number, max: number): void {
  const bits = info.bitsAllocated > max ? info.bitsAllocated : Math.max(info.bitsStored, min);
  if (bits < min || bits > max) {
    throw new CodecError(
      CODEC_ERROR_CODES.unsupported,
      `${codec} holds ${min}–${max} bits; this image has ${bits}`,
      {
        hint: 'choose a transfer syntax that holds this sample size (RLE or a native one)',
        details: { bitsAllocated: info.bitsAllocated, bitsStored: info.bitsStored },
      },
    );
  }
}

/** Throws the typed error when `pixels` holds less than one frame of `frameBytes`. */
export function requireWholeFrame(pixels: Uint8Array, frameBytes: number): void {
  if (pixels.length < frameBytes) {
    throw new CodecError(CODEC_ERROR_CODES.invalidArgument, 'pixel buffer is shorter than one frame', {
      details: { length: pixels.length, frameBytes },
    });
  }
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
      for (let b = 0; b < bytes; b++) out[dst + b] = pixels[src + b]!;
    }
  }
  return out;
}
