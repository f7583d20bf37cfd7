/**
 * What a Grayscale Softcopy Presentation State (PS3.3 A.33.1) asks of one referenced image's
 * pixels, for print (FR-DICOM-11): its Modality LUT (C.11.1, when the presentation state carries
 * one), its Softcopy VOI LUT (C.11.8: the item that references the image, or applies to all;
 * without one the VOI stage is the identity, PS3.4 N.2.1.3), its Presentation LUT Shape (C.11.6:
 * INVERSE inverts, whatever the image's photometric interpretation), its Displayed Area (C.10.4:
 * the rectangle given by the two corners, in image pixel coordinates) and its Spatial
 * Transformation (C.10.6: horizontal flip, then rotation clockwise). Annotations, shutters and
 * overlays are not burnt into the print.
 */
import type { NaturalDataset } from '@hnvue/dicom';
import { PrintPrepareError } from './errors.js';

export interface LinearWindow {
  readonly center: number;
  readonly width: number;
}

export interface LookupTable {
  readonly firstMapped: number;
  readonly max: number;
  readonly data: Uint16Array;
}

/** The grayscale pipeline of one image, resolved from the image or from a presentation state. */
export interface GrayscalePipeline {
  readonly slope: number;
  readonly intercept: number;
  /** A window, a LUT, or undefined for the identity (the pixel range is stretched). */
  readonly voi: LinearWindow | LookupTable | undefined;
  readonly invert: boolean;
  /** Columns and rows to keep, 0-based and inclusive (the displayed area). */
  readonly crop?: {
    readonly left: number;
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
  };
  readonly horizontalFlip: boolean;
  readonly rotation: 0 | 90 | 180 | 270;
}

export const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

export function numberOf(ds: NaturalDataset, key: string): number | undefined {
  const v = first(ds[key]);
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const items = (v: unknown): NaturalDataset[] => (Array.isArray(v) ? (v as NaturalDataset[]) : []);

/** A LUT item (VOI LUT Sequence, C.11.2): descriptor and data. */
export function lookupTable(item: NaturalDataset | undefined): LookupTable | undefined {
  if (item === undefined) return undefined;
  const descriptor = item.LUTDescriptor as number[] | undefined;
  const data = first(item.LUTData);
  if (descriptor === undefined || descriptor.length < 3) return undefined;
  const entries = descriptor[0] === 0 ? 65536 : (descriptor[0] as number);
  let lut: Uint16Array;
  if (data instanceof ArrayBuffer) lut = new Uint16Array(data.slice(0, entries * 2));
  else if (Array.isArray(item.LUTData)) lut = Uint16Array.from(item.LUTData as number[]);
  else return undefined;
  return { firstMapped: descriptor[1] as number, max: 2 ** (descriptor[2] as number) - 1, data: lut };
}

/** The first window of a data set or item, when it has a usable one. */
export function windowOf(ds: NaturalDataset): LinearWindow | undefined {
  const center = numberOf(ds, 'WindowCenter');
  const width = numberOf(ds, 'WindowWidth');
  return center === undefined || width === undefined || width < 1 ? undefined : { center, width };
}

/** The image's own pipeline (PS3.3 C.11 with the image's modules; MONOCHROME1 inverted). */
export function imagePipeline(image: NaturalDataset, window?: LinearWindow): GrayscalePipeline {
  return {
    slope: numberOf(image, 'RescaleSlope') ?? 1,
    intercept: numberOf(image, 'RescaleIntercept') ?? 0,
    voi: window ?? lookupTable(items(image.VOILUTSequence)[0]) ?? windowOf(image),
    invert: String(first(image.PhotometricInterpretation)) === 'MONOCHROME1',
    horizontalFlip: false,
    rotation: 0,
  };
}

/** True when `item` has no Referenced Image Sequence (applies to all) or names the image. */
function appliesTo(item: NaturalDataset, sopInstanceUid: string): boolean {
  const refs = items(item.ReferencedImageSequence);
  return refs.length === 0 || refs.some((r) => first(r.ReferencedSOPInstanceUID) === sopInstanceUid);
}

/** The pipeline a presentation state prescribes for `image`; throws when it does not reference it. */
export function presentationStatePipeline(gsps: NaturalDataset, image: NaturalDataset): GrayscalePipeline {
  const uid = String(first(image.SOPInstanceUID) ?? '');
  const series = items(gsps.ReferencedSeriesSequence);
  const referenced = series.some((s) =>
    items(s.ReferencedImageSequence).some((r) => first(r.ReferencedSOPInstanceUID) === uid),
  );
  if (uid === '' || !referenced) {
    throw new PrintPrepareError('the presentation state does not reference this image (PS3.3 C.11.11)');
  }
  const own = imagePipeline(image);
  const voiItem = items(gsps.SoftcopyVOILUTSequence).find((i) => appliesTo(i, uid));
  const area = items(gsps.DisplayedAreaSelectionSequence).find((i) => appliesTo(i, uid));
  const rows = numberOf(image, 'Rows') ?? 0;
  const columns = numberOf(image, 'Columns') ?? 0;
  let crop: GrayscalePipeline['crop'];
  const tl = area?.DisplayedAreaTopLeftHandCorner as number[] | undefined;
  const br = area?.DisplayedAreaBottomRightHandCorner as number[] | undefined;
  if (tl?.length === 2 && br?.length === 2) {
    // 1-based pixel coordinates; the part outside the image is left out (not printed as black).
    const [x1, x2] = [Math.min(tl[0]!, br[0]!), Math.max(tl[0]!, br[0]!)];
    const [y1, y2] = [Math.min(tl[1]!, br[1]!), Math.max(tl[1]!, br[1]!)];
    const left = Math.max(0, x1 - 1);
    const top = Math.max(0, y1 - 1);
    const right = Math.min(columns - 1, x2 - 1);
    const bottom = Math.min(rows - 1, y2 - 1);
    if (right < left || bottom < top) {
      throw new PrintPrepareError('the displayed area of the presentation state lies outside the image');
    }
    if (left > 0 || top > 0 || right < columns - 1 || bottom < rows - 1) crop = { left, top, right, bottom };
  }
  const rotation = numberOf(gsps, 'ImageRotation') ?? 0;
  if (rotation !== 0 && rotation !== 90 && rotation !== 180 && rotation !== 270) {
    throw new PrintPrepareError('Image Rotation must be 0, 90, 180 or 270 (PS3.3 C.10.6.1.1)');
  }
  return {
    // C.11.1: a Modality LUT in the presentation state replaces the image's.
    slope: numberOf(gsps, 'RescaleSlope') ?? own.slope,
    intercept: numberOf(gsps, 'RescaleIntercept') ?? own.intercept,
    voi:
      voiItem === undefined
        ? undefined
        : (lookupTable(items(voiItem.VOILUTSequence)[0]) ?? windowOf(voiItem)),
    invert: String(first(gsps.PresentationLUTShape)) === 'INVERSE',
    ...(crop ? { crop } : {}),
    horizontalFlip: String(first(gsps.ImageHorizontalFlip)) === 'Y',
    rotation,
  };
}

/** Crop, flip, then rotate clockwise: the values as the presentation shows them. */
export function transformValues(
  values: Uint16Array,
  rows: number,
  columns: number,
  p: Pick<GrayscalePipeline, 'crop' | 'horizontalFlip' | 'rotation'>,
): { values: Uint16Array; rows: number; columns: number } {
  const c = p.crop ?? { left: 0, top: 0, right: columns - 1, bottom: rows - 1 };
  const h = c.bottom - c.top + 1;
  const w = c.right - c.left + 1;
  const turned = p.rotation === 90 || p.rotation === 270;
  const outRows = turned ? w : h;
  const outColumns = turned ? h : w;
  const out = new Uint16Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = values[(c.top + y) * columns + c.left + (p.horizontalFlip ? w - 1 - x : x)] as number;
      // (x, y) of the flipped crop to its place after a clockwise rotation.
      let ox = x;
      let oy = y;
      if (p.rotation === 90) [ox, oy] = [h - 1 - y, x];
      else if (p.rotation === 180) [ox, oy] = [w - 1 - x, h - 1 - y];
      else if (p.rotation === 270) [ox, oy] = [y, w - 1 - x];
      out[oy * outColumns + ox] = v;
    }
  }
  return { values: out, rows: outRows, columns: outColumns };
}
