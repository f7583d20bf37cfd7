/**
 * A grayscale image prepared for a print image box (FR-DICOM-11): the PS3.3 C.11 pipeline —
 * Modality LUT (Rescale Slope/Intercept, C.11.1), VOI LUT (the data set's VOI LUT Sequence, else
 * its first window, else the pixel range; linear window function C.11.2.1.2.1), MONOCHROME1
 * inverted (C.7.6.3.1.2) so the result is MONOCHROME2 as the image box requires (C.13.5) — to
 * 8 or 12 bits; then resized with sharp into the image box matrix keeping the aspect ratio, the
 * rest filled with the border (BLACK or WHITE). Native (uncompressed) pixel data only: a caller
 * holding a compressed image decodes it first (@hnvue/net transcodeDataset, @hnvue/native).
 */
import type { NaturalDataset } from '@hnvue/dicom';
import sharp from 'sharp';
import { PrintPrepareError } from './errors.js';
import {
  first,
  type GrayscalePipeline,
  imagePipeline,
  numberOf as number,
  presentationStatePipeline,
  transformValues,
} from './presentation-state.js';

export { PrintPrepareError };

export interface PrepareOptions {
  /** The image box's pixel matrix (from the printer or the configuration). */
  readonly rows: number;
  readonly columns: number;
  readonly bitDepth: 8 | 12;
  /** What fills the box around the image (default BLACK, as film usually is). */
  readonly border?: 'BLACK' | 'WHITE';
  /** Overrides the data set's VOI (in rescaled units). */
  readonly window?: { readonly center: number; readonly width: number };
  /**
   * A Grayscale Softcopy Presentation State referencing the image: its Modality LUT, Softcopy VOI
   * LUT, Presentation LUT Shape, Displayed Area and Spatial Transformation apply instead of the
   * image's own (presentation-state.ts). Not together with `window`.
   */
  readonly presentationState?: NaturalDataset;
  /** sharp's resampling kernel (default lanczos3). */
  readonly kernel?: 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3';
}

/** The same shape as @hnvue/net's PrintPixels, so it goes into an image box as is. */
export type PreparedPixels =
  | { readonly bitDepth: 8; readonly rows: number; readonly columns: number; readonly data: Uint8Array }
  | { readonly bitDepth: 12; readonly rows: number; readonly columns: number; readonly data: Uint16Array };

/** Stored pixel values as numbers (PS3.5 8.1.1; little endian; signed when Pixel Representation 1). */
export function storedValues(ds: NaturalDataset): { rows: number; columns: number; values: Int32Array } {
  const rows = number(ds, 'Rows');
  const columns = number(ds, 'Columns');
  const bitsAllocated = number(ds, 'BitsAllocated');
  const bitsStored = number(ds, 'BitsStored') ?? bitsAllocated;
  const signed = number(ds, 'PixelRepresentation') === 1;
  const photometric = String(first(ds.PhotometricInterpretation) ?? '');
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') {
    throw new PrintPrepareError(
      `a grayscale print image must be MONOCHROME1/2, not ${photometric || 'absent'}`,
    );
  }
  const buffer = first(ds.PixelData);
  if (
    rows === undefined ||
    columns === undefined ||
    bitsStored === undefined ||
    !(buffer instanceof ArrayBuffer)
  ) {
    throw new PrintPrepareError('the image has no native pixel data (decode compressed pixel data first)');
  }
  if (bitsAllocated !== 8 && bitsAllocated !== 16) {
    throw new PrintPrepareError(`Bits Allocated ${bitsAllocated} is not supported for print`);
  }
  const n = rows * columns;
  if (buffer.byteLength < n * (bitsAllocated / 8))
    throw new PrintPrepareError('pixel data is shorter than the image');
  const raw = bitsAllocated === 8 ? new Uint8Array(buffer, 0, n) : new Uint16Array(buffer.slice(0, n * 2));
  const mask = 2 ** bitsStored - 1;
  const sign = 2 ** (bitsStored - 1);
  const values = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = (raw[i] as number) & mask;
    values[i] = signed && v >= sign ? v - 2 * sign : v;
  }
  return { rows, columns, values };
}

/** Modality + VOI + polarity: each pixel to 0…max in MONOCHROME2 sense (bright = high). */
export function presentationValues(
  ds: NaturalDataset,
  max: number,
  window?: PrepareOptions['window'],
): Uint16Array {
  return applyPipeline(storedValues(ds).values, imagePipeline(ds, window), max);
}

function applyPipeline(values: Int32Array, p: GrayscalePipeline, max: number): Uint16Array {
  const { slope, intercept } = p;
  const out = new Uint16Array(values.length);
  const voi = p.voi !== undefined && 'data' in p.voi ? p.voi : undefined;
  const window = p.voi !== undefined && 'center' in p.voi ? p.voi : undefined;
  let center = window?.center;
  let width = window?.width;
  if (voi === undefined && (center === undefined || width === undefined)) {
    // No VOI (or the identity of a presentation state without one): the pixel range.
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      const m = v * slope + intercept;
      if (m < lo) lo = m;
      if (m > hi) hi = m;
    }
    width = Math.max(1, hi - lo + 1);
    center = lo + (width - 1) / 2 + 0.5;
  }
  for (let i = 0; i < values.length; i++) {
    const m = (values[i] as number) * slope + intercept;
    let y: number;
    if (voi !== undefined) {
      // PS3.3 C.11.2.1.1: below the first mapped value the first entry, above it the last.
      const index = Math.min(voi.data.length - 1, Math.max(0, Math.round(m) - voi.firstMapped));
      y = ((voi.data[index] as number) / voi.max) * max;
    } else {
      // PS3.3 C.11.2.1.2.1, linear.
      const c = center as number;
      const w = width as number;
      if (m <= c - 0.5 - (w - 1) / 2) y = 0;
      else if (m > c - 0.5 + (w - 1) / 2) y = max;
      else y = ((m - (c - 0.5)) / (w - 1) + 0.5) * max;
    }
    const v = Math.round(Math.min(max, Math.max(0, y)));
    out[i] = p.invert ? max - v : v;
  }
  return out;
}

/** Prepares one image for an image box of `rows` × `columns`. */
export async function preparePrintImage(
  ds: NaturalDataset,
  options: PrepareOptions,
): Promise<PreparedPixels> {
  const max = options.bitDepth === 8 ? 255 : 4095;
  if (options.presentationState !== undefined && options.window !== undefined) {
    throw new PrintPrepareError('give a window or a presentation state, not both');
  }
  const stored = storedValues(ds);
  const pipeline =
    options.presentationState === undefined
      ? imagePipeline(ds, options.window)
      : presentationStatePipeline(options.presentationState, ds);
  const { rows, columns, values } = transformValues(
    applyPipeline(stored.values, pipeline, max),
    stored.rows,
    stored.columns,
    pipeline,
  );
  if (!(options.rows >= 1 && options.columns >= 1))
    throw new PrintPrepareError('the image box matrix must be at least 1×1');
  const scale = Math.min(options.rows / rows, options.columns / columns);
  const height = Math.max(1, Math.min(options.rows, Math.round(rows * scale)));
  const width = Math.max(1, Math.min(options.columns, Math.round(columns * scale)));
  let scaled: Uint16Array = values;
  if (height !== rows || width !== columns) {
    // 12-bit values scaled into 16 bits for sharp's ushort path, back after.
    const input = new Uint16Array(values.length);
    const up = 65535 / max;
    for (let i = 0; i < values.length; i++) input[i] = Math.round((values[i] as number) * up);
    const { data } = await sharp(input, { raw: { width: columns, height: rows, channels: 1 } })
      .resize(width, height, { fit: 'fill', kernel: options.kernel ?? 'lanczos3' })
      .toColourspace('grey16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    const resized = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2);
    scaled = new Uint16Array(resized.length);
    for (let i = 0; i < resized.length; i++) scaled[i] = Math.round((resized[i] as number) / up);
  }
  const n = options.rows * options.columns;
  const out = options.bitDepth === 8 ? new Uint8Array(n) : new Uint16Array(n);
  out.fill(options.border === 'WHITE' ? max : 0);
  const top = Math.floor((options.rows - height) / 2);
  const left = Math.floor((options.columns - width) / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      out[(top + y) * options.columns + left + x] = scaled[y * width + x] as number;
  }
  return options.bitDepth === 8
    ? { bitDepth: 8, rows: options.rows, columns: options.columns, data: out as Uint8Array }
    : { bitDepth: 12, rows: options.rows, columns: options.columns, data: out as Uint16Array };
}
