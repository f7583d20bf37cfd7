/**
 * DX/CR → 8-bit PNG, so a person can look at what was sent. The grayscale pipeline of PS3.3 C.11:
 * Modality LUT (Rescale Slope/Intercept, C.11.1), then the linear VOI window (C.11.2.1.2.1), then
 * MONOCHROME1 inverted (C.7.6.3.1.2), written as a grayscale PNG; an 8-bit RGB image as an RGB
 * PNG. Compressed pixel data is decoded first by the codecs @hnvue/net transcodes with (every
 * syntax the registry serves); one frame of a multi-frame image (`frame`, from 0).
 */
import { readFile } from 'node:fs/promises';
import { HnvError } from '@hnvue/core';
import {
  concatBytes,
  decodeDataset,
  isNativeTransferSyntax,
  type NaturalDataset,
  type Part10File,
  parsePart10File,
  TS,
  transferSyntax,
} from '@hnvue/dicom';
import { transcodeDataset } from '@hnvue/net';
import sharp from 'sharp';

export interface RenderOptions {
  /** Window center/width in output (rescaled) units; default: the file's first window, else min/max. */
  readonly windowCenter?: number;
  readonly windowWidth?: number;
  /** Scale down so the longer side is at most this many pixels (keeps the aspect ratio). */
  readonly maxSize?: number;
  /** Which frame of a multi-frame image, from 0 (default 0). */
  readonly frame?: number;
}

export interface RenderResult {
  readonly rows: number;
  readonly columns: number;
  readonly windowCenter: number;
  readonly windowWidth: number;
  readonly photometricInterpretation: string;
  readonly width: number;
  readonly height: number;
}

export class RenderError extends HnvError {
  constructor(message: string, hint?: string) {
    super('HNV_ERR_RENDER', message, hint ? { hint } : {});
  }
}

function first(value: unknown): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function pixelBytes(ds: NaturalDataset): Uint8Array {
  const pd = (ds as { PixelData?: unknown }).PixelData;
  const part = Array.isArray(pd) ? pd[0] : pd;
  if (part instanceof ArrayBuffer) return new Uint8Array(part);
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  throw new RenderError('the file has no Pixel Data (7FE0,0010)');
}

/** Stored values of one frame → rescaled values, as a Float64Array. */
function modalityValues(ds: NaturalDataset, rows: number, columns: number, frame: number): Float64Array {
  const bitsAllocated = first(ds.BitsAllocated) ?? 16;
  const signed = first(ds.PixelRepresentation) === 1;
  const count = rows * columns;
  const frameBytes = bitsAllocated === 8 ? count : count * 2;
  const bytes = pixelBytes(ds).subarray(frame * frameBytes);
  const slope = first(ds.RescaleSlope) ?? 1;
  const intercept = first(ds.RescaleIntercept) ?? 0;
  const out = new Float64Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = bitsAllocated === 8 ? count : count * 2;
  if (bytes.byteLength < need)
    throw new RenderError(`Pixel Data holds ${bytes.byteLength} bytes, ${need} expected`);
  const bitsStored = first(ds.BitsStored) ?? bitsAllocated;
  const mask = bitsStored >= 16 ? 0xffff : (1 << bitsStored) - 1;
  const signBit = 1 << (bitsStored - 1);
  for (let i = 0; i < count; i++) {
    let v: number;
    if (bitsAllocated === 8) v = view.getUint8(i);
    else v = view.getUint16(i * 2, true) & mask;
    // PS3.5 8.1.1: two's complement within Bits Stored when Pixel Representation is 1.
    if (signed && v & signBit) v -= mask + 1;
    out[i] = v * slope + intercept;
  }
  return out;
}

/** Renders a DX/CR (any single-frame grayscale image) Part 10 file to PNG bytes. */
export async function renderToPng(
  input: string | Uint8Array,
  options: RenderOptions = {},
): Promise<{ png: Buffer; info: RenderResult }> {
  const bytes = typeof input === 'string' ? await readFile(input) : input;
  let file: Part10File;
  try {
    file = parsePart10File(bytes);
  } catch (err) {
    throw new RenderError(`not a readable DICOM Part 10 file: ${(err as Error).message}`);
  }
  // Native pixel data in any byte order (the codec hands 16-bit samples out little endian);
  // compressed pixel data decoded to Explicit VR LE first.
  let dataset = file.dataset;
  let datasetTs = file.datasetTransferSyntax;
  if (!isNativeTransferSyntax(datasetTs)) {
    try {
      dataset = concatBytes(await transcodeDataset(dataset, datasetTs, TS.explicitVrLittleEndian));
      datasetTs = TS.explicitVrLittleEndian;
    } catch (err) {
      throw new RenderError(
        `pixel data in ${transferSyntax(datasetTs)?.name ?? datasetTs} cannot be decoded here: ${(err as Error).message}`,
        '`hnvue doctor` lists the transfer syntaxes this machine decodes',
      );
    }
  }
  let ds: NaturalDataset;
  try {
    ds = decodeDataset(dataset, {
      transferSyntax: datasetTs,
      charsetErrors: 'flag',
    }).dataset;
  } catch (err) {
    throw new RenderError(`not a readable DICOM Part 10 file: ${(err as Error).message}`);
  }
  const rows = first(ds.Rows);
  const columns = first(ds.Columns);
  if (!rows || !columns) throw new RenderError('the file has no Rows/Columns: not an image');
  const photometric = String(ds.PhotometricInterpretation ?? 'MONOCHROME2');
  const frames = first(ds.NumberOfFrames) ?? 1;
  const frame = options.frame ?? 0;
  if (!Number.isInteger(frame) || frame < 0 || frame >= frames) {
    throw new RenderError(`frame ${frame} does not exist: the image has ${frames} (numbered from 0)`);
  }
  if (photometric === 'RGB' && first(ds.SamplesPerPixel) === 3 && (first(ds.BitsAllocated) ?? 8) === 8) {
    return await renderRgb(ds, rows, columns, frame, options, photometric);
  }
  if (photometric !== 'MONOCHROME1' && photometric !== 'MONOCHROME2') {
    throw new RenderError(`photometric interpretation ${photometric} is neither grayscale nor 8-bit RGB`);
  }
  const values = modalityValues(ds, rows, columns, frame);
  let center = options.windowCenter ?? first(ds.WindowCenter);
  let width = options.windowWidth ?? first(ds.WindowWidth);
  if (center === undefined || width === undefined || width < 1) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    width = Math.max(1, max - min + 1);
    center = min + width / 2;
  }
  const gray = new Uint8Array(values.length);
  // PS3.3 C.11.2.1.2.1, linear function.
  const low = center - 0.5 - (width - 1) / 2;
  const high = center - 0.5 + (width - 1) / 2;
  const invert = photometric === 'MONOCHROME1';
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    let y: number;
    if (x <= low) y = 0;
    else if (x > high) y = 255;
    else y = ((x - (center - 0.5)) / (width - 1) + 0.5) * 255;
    const g = Math.round(Math.min(255, Math.max(0, y)));
    gray[i] = invert ? 255 - g : g;
  }
  const { png, outWidth, outHeight } = await toPng(gray, rows, columns, 1, options.maxSize);
  return {
    png,
    info: {
      rows,
      columns,
      windowCenter: center,
      windowWidth: width,
      photometricInterpretation: photometric,
      width: outWidth,
      height: outHeight,
    },
  };
}

/** Raw samples → PNG: one channel as grayscale (colour type 0), three as RGB; scaled down to maxSize. */
async function toPng(
  samples: Uint8Array,
  rows: number,
  columns: number,
  channels: 1 | 3,
  maxSize: number | undefined,
): Promise<{ png: Buffer; outWidth: number; outHeight: number }> {
  let image = sharp(samples, { raw: { width: columns, height: rows, channels } });
  let outWidth = columns;
  let outHeight = rows;
  if (maxSize && Math.max(rows, columns) > maxSize) {
    const scale = maxSize / Math.max(rows, columns);
    outWidth = Math.max(1, Math.round(columns * scale));
    outHeight = Math.max(1, Math.round(rows * scale));
    image = image.resize(outWidth, outHeight);
  }
  if (channels === 1) image = image.toColourspace('b-w');
  const png = await image.png().toBuffer();
  return { png, outWidth, outHeight };
}

/** An 8-bit RGB frame (either planar configuration) as an RGB PNG; no window applies. */
async function renderRgb(
  ds: NaturalDataset,
  rows: number,
  columns: number,
  frame: number,
  options: RenderOptions,
  photometric: string,
): Promise<{ png: Buffer; info: RenderResult }> {
  const count = rows * columns;
  const bytes = pixelBytes(ds).subarray(frame * count * 3, (frame + 1) * count * 3);
  if (bytes.length < count * 3)
    throw new RenderError(`Pixel Data holds ${bytes.length} bytes, ${count * 3} expected`);
  let rgb = bytes;
  if (first(ds.PlanarConfiguration) === 1) {
    rgb = new Uint8Array(count * 3);
    for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = bytes[c * count + i]!;
  }
  const { png, outWidth, outHeight } = await toPng(rgb, rows, columns, 3, options.maxSize);
  return {
    png,
    info: {
      rows,
      columns,
      windowCenter: 127.5,
      windowWidth: 256,
      photometricInterpretation: photometric,
      width: outWidth,
      height: outHeight,
    },
  };
}
