import { type NaturalDataset, SOP_CLASS } from '@hnvue/dicom';
import {
  applyCharacterSet,
  context,
  da,
  ds16,
  equipmentModule,
  pn,
  seriesModule,
  sopCommon,
  tm,
} from './common.js';
import { IodInputError, IodInvalidError } from './errors.js';
import type { BuildOptions, EquipmentInput, PersonNameInput, SeriesInput } from './types.js';
import { PAIRED_BODY_PARTS } from './validate/common-modules.js';
import { validateIod } from './validate/index.js';
import type { Finding } from './validate/types.js';
import { assertValidValues } from './values.js';

export const GSPS_SOP_CLASS: typeof SOP_CLASS.grayscaleSoftcopyPresentationStateStorage =
  SOP_CLASS.grayscaleSoftcopyPresentationStateStorage;

/** A point in image pixel (column, row) or display (0..1) coordinates, per `units`. */
export type Point = readonly [x: number, y: number];
export type AnnotationUnits = 'PIXEL' | 'DISPLAY';

export interface TextObject {
  readonly text: string;
  readonly units?: AnnotationUnits;
  readonly boundingBox?: {
    readonly topLeft: Point;
    readonly bottomRight: Point;
    readonly justification?: 'LEFT' | 'RIGHT' | 'CENTER';
  };
  readonly anchor?: { readonly point: Point; readonly visible: boolean };
}

export interface GraphicObject {
  readonly type: 'POINT' | 'POLYLINE' | 'INTERPOLATED' | 'CIRCLE' | 'ELLIPSE';
  readonly points: readonly Point[];
  readonly units?: AnnotationUnits;
  readonly filled?: boolean;
}

export interface GraphicLayer {
  readonly name: string;
  readonly description?: string;
  /** Recommended display grayscale value, 0..0xFFFF (P-value). */
  readonly grayscale?: number;
}

export interface Annotation {
  readonly layer: string;
  readonly texts?: readonly TextObject[];
  readonly graphics?: readonly GraphicObject[];
}

/** Display Shutter (PS3.3 C.7.6.11); coordinates are image rows/columns, 1-based. */
export type Shutter =
  | {
      readonly shape: 'RECTANGULAR';
      readonly left: number;
      readonly right: number;
      readonly upper: number;
      readonly lower: number;
    }
  | {
      readonly shape: 'CIRCULAR';
      readonly centerRow: number;
      readonly centerColumn: number;
      readonly radius: number;
    }
  | { readonly shape: 'POLYGONAL'; readonly vertices: readonly (readonly [row: number, column: number])[] };

export interface GspsInput {
  /** The referenced image (its dataset as built or read); patient and study are copied from it. */
  readonly image: NaturalDataset;
  readonly equipment: EquipmentInput;
  readonly series?: SeriesInput;
  readonly label?: string;
  readonly description?: string;
  readonly creatorName?: PersonNameInput;
  readonly instanceNumber?: number;
  readonly window?: { readonly center: number; readonly width: number; readonly explanation?: string };
  readonly presentationLutShape?: 'IDENTITY' | 'INVERSE';
  readonly displayedArea?: {
    readonly topLeft: Point;
    readonly bottomRight: Point;
    readonly sizeMode?: 'SCALE TO FIT' | 'TRUE SIZE' | 'MAGNIFY';
    readonly magnification?: number;
  };
  readonly rotation?: 0 | 90 | 180 | 270;
  readonly horizontalFlip?: boolean;
  readonly layers?: readonly GraphicLayer[];
  readonly annotations?: readonly Annotation[];
  readonly shutter?: Shutter;
  /** P-value shown outside the shutter; defaults to 0 (black). */
  readonly shutterPresentationValue?: number;
}

export interface BuiltPresentationState {
  readonly dataset: NaturalDataset;
  readonly findings: readonly Finding[];
}

// Patient and study attributes a presentation state shares with the image it references (PS3.3 A.33.1).
const COPIED = [
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'PatientBirthDate',
  'PatientSex',
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
  'StudyDescription',
] as const;

function str(ds: NaturalDataset, key: string): string {
  const v = ds[key];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  throw new IodInputError(`the referenced image has no ${key}`);
}

function imageRef(ds: NaturalDataset): NaturalDataset {
  return {
    ReferencedSOPClassUID: str(ds, 'SOPClassUID'),
    ReferencedSOPInstanceUID: str(ds, 'SOPInstanceUID'),
  };
}

function textItem(t: TextObject): NaturalDataset {
  if (t.boundingBox === undefined && t.anchor === undefined) {
    throw new IodInputError('a text object needs a bounding box or an anchor point (PS3.3 C.10.5)');
  }
  const item: NaturalDataset = { UnformattedTextValue: t.text };
  const units = t.units ?? 'PIXEL';
  if (t.boundingBox !== undefined) {
    item.BoundingBoxAnnotationUnits = units;
    item.BoundingBoxTopLeftHandCorner = [...t.boundingBox.topLeft];
    item.BoundingBoxBottomRightHandCorner = [...t.boundingBox.bottomRight];
    item.BoundingBoxTextHorizontalJustification = t.boundingBox.justification ?? 'LEFT';
  }
  if (t.anchor !== undefined) {
    item.AnchorPointAnnotationUnits = units;
    item.AnchorPoint = [...t.anchor.point];
    item.AnchorPointVisibility = t.anchor.visible ? 'Y' : 'N';
  }
  return item;
}

function graphicItem(g: GraphicObject): NaturalDataset {
  const need = g.type === 'POINT' ? 1 : g.type === 'CIRCLE' ? 2 : g.type === 'ELLIPSE' ? 4 : 2;
  if (
    g.points.length < need ||
    (g.type !== 'POLYLINE' && g.type !== 'INTERPOLATED' && g.points.length !== need)
  ) {
    throw new IodInputError(`a ${g.type} graphic takes ${need} point(s) (PS3.3 C.10.5.1.2)`);
  }
  const item: NaturalDataset = {
    GraphicAnnotationUnits: g.units ?? 'PIXEL',
    GraphicDimensions: 2,
    NumberOfGraphicPoints: g.points.length,
    GraphicData: g.points.flatMap((p) => [p[0], p[1]]),
    GraphicType: g.type,
  };
  // C.10.5.1.2: Graphic Filled is required for closed shapes.
  const closed = g.type === 'CIRCLE' || g.type === 'ELLIPSE' || (g.points.length > 2 && samePoint(g.points));
  if (closed || g.filled !== undefined) item.GraphicFilled = g.filled ? 'Y' : 'N';
  return item;
}

function samePoint(points: readonly Point[]): boolean {
  const a = points[0];
  const b = points[points.length - 1];
  return a !== undefined && b !== undefined && a[0] === b[0] && a[1] === b[1];
}

function shutterModule(s: Shutter, value: number): NaturalDataset {
  const ds: NaturalDataset = { ShutterShape: s.shape, ShutterPresentationValue: value };
  switch (s.shape) {
    case 'RECTANGULAR':
      return {
        ...ds,
        ShutterLeftVerticalEdge: s.left,
        ShutterRightVerticalEdge: s.right,
        ShutterUpperHorizontalEdge: s.upper,
        ShutterLowerHorizontalEdge: s.lower,
      };
    case 'CIRCULAR':
      return {
        ...ds,
        CenterOfCircularShutter: [s.centerRow, s.centerColumn],
        RadiusOfCircularShutter: s.radius,
      };
    case 'POLYGONAL':
      return { ...ds, VerticesOfThePolygonalShutter: s.vertices.flatMap((v) => [v[0], v[1]]) };
  }
}

/**
 * Grayscale Softcopy Presentation State (PS3.3 A.33.1) for one image: Patient/Study copied from
 * the image, Presentation Series, Presentation State Identification and Relationship, Displayed
 * Area, Spatial Transformation, Softcopy VOI LUT, Softcopy Presentation LUT, Graphic Layer and
 * Graphic Annotation, Display Shutter with Presentation State Shutter, SOP Common.
 */
export function buildGsps(input: GspsInput, options: BuildOptions = {}): BuiltPresentationState {
  const ctx = context(options);
  const img = input.image;
  const rows = Number(img.Rows);
  const columns = Number(img.Columns);
  if (!(rows > 0 && columns > 0)) throw new IodInputError('the referenced image has no Rows/Columns');
  const ref = imageRef(img);
  const ds: NaturalDataset = {
    ...sopCommon(GSPS_SOP_CLASS, ctx),
    ...seriesModule('PR', input.series, ctx),
    ...equipmentModule(input.equipment),
  };
  for (const k of COPIED) if (img[k] !== undefined) ds[k] = img[k];
  for (const k of [
    'PatientName',
    'PatientID',
    'PatientBirthDate',
    'PatientSex',
    'ReferringPhysicianName',
    'StudyID',
  ] as const) {
    ds[k] ??= '';
  }
  ds.StudyDate ??= da(ctx.now);
  ds.StudyTime ??= tm(ctx.now);
  ds.AccessionNumber ??= '';
  // General Series: a presentation state carries no Image Laterality, so Laterality (2C) takes
  // the image's when it is R or L, and stays empty (unknown) for paired or unknown body parts.
  if (typeof img.BodyPartExamined === 'string' && img.BodyPartExamined !== '')
    ds.BodyPartExamined = img.BodyPartExamined;
  const side = img.ImageLaterality ?? img.Laterality;
  if (side === 'R' || side === 'L') ds.Laterality = side;
  else if (ds.BodyPartExamined === undefined || PAIRED_BODY_PARTS.has(String(ds.BodyPartExamined)))
    ds.Laterality = '';
  Object.assign(ds, {
    // PS3.3 C.11.10 Presentation State Identification (Content Identification Macro).
    InstanceNumber: input.instanceNumber ?? 1,
    ContentLabel: (input.label ?? 'HNVUE')
      .toUpperCase()
      .replace(/[^A-Z0-9_ ]/g, '_')
      .slice(0, 16),
    ContentDescription: input.description ?? '',
    ContentCreatorName: pn(input.creatorName),
    PresentationCreationDate: da(ctx.now),
    PresentationCreationTime: tm(ctx.now),
    // C.11.11 Presentation State Relationship.
    ReferencedSeriesSequence: [
      { SeriesInstanceUID: str(img, 'SeriesInstanceUID'), ReferencedImageSequence: [ref] },
    ],
    // C.10.4 Displayed Area.
    DisplayedAreaSelectionSequence: [
      {
        ...displayedCorners(
          input.displayedArea?.topLeft ?? [1, 1],
          input.displayedArea?.bottomRight ?? [columns, rows],
          input.rotation ?? 0,
          input.horizontalFlip ?? false,
        ),
        PresentationSizeMode: input.displayedArea?.sizeMode ?? 'SCALE TO FIT',
        ...displayedAreaSpacing(input, img),
      },
    ],
    // C.11.6 Softcopy Presentation LUT.
    PresentationLUTShape:
      input.presentationLutShape ??
      (img.PhotometricInterpretation === 'MONOCHROME1' ? 'INVERSE' : 'IDENTITY'),
  });
  if (input.rotation !== undefined || input.horizontalFlip !== undefined) {
    // C.10.6 Spatial Transformation.
    ds.ImageRotation = input.rotation ?? 0;
    ds.ImageHorizontalFlip = input.horizontalFlip ? 'Y' : 'N';
  }
  const window = input.window ?? windowOf(img);
  if (window !== undefined) {
    // C.11.8 Softcopy VOI LUT.
    const item: NaturalDataset = { WindowCenter: [ds16(window.center)], WindowWidth: [ds16(window.width)] };
    if (window.explanation !== undefined) item.WindowCenterWidthExplanation = [window.explanation];
    ds.SoftcopyVOILUTSequence = [item];
  }
  const layers = input.layers ?? [];
  const annotations = input.annotations ?? [];
  for (const a of annotations) {
    if (!layers.some((l) => l.name === a.layer))
      throw new IodInputError('an annotation names a graphic layer that is not defined');
  }
  if (layers.length > 0) {
    // C.10.7 Graphic Layer.
    ds.GraphicLayerSequence = layers.map((l, i) => {
      const item: NaturalDataset = { GraphicLayer: l.name.toUpperCase(), GraphicLayerOrder: i + 1 };
      if (l.grayscale !== undefined) item.GraphicLayerRecommendedDisplayGrayscaleValue = l.grayscale;
      if (l.description !== undefined) item.GraphicLayerDescription = l.description;
      return item;
    });
  }
  if (annotations.length > 0) {
    // C.10.5 Graphic Annotation.
    ds.GraphicAnnotationSequence = annotations.map((a) => {
      const item: NaturalDataset = { ReferencedImageSequence: [ref], GraphicLayer: a.layer.toUpperCase() };
      if (a.texts !== undefined && a.texts.length > 0) item.TextObjectSequence = a.texts.map(textItem);
      if (a.graphics !== undefined && a.graphics.length > 0)
        item.GraphicObjectSequence = a.graphics.map(graphicItem);
      if (item.TextObjectSequence === undefined && item.GraphicObjectSequence === undefined) {
        throw new IodInputError('an annotation needs at least one text or graphic object');
      }
      return item;
    });
  }
  if (input.shutter !== undefined)
    Object.assign(ds, shutterModule(input.shutter, input.shutterPresentationValue ?? 0));
  applyCharacterSet(ds, options.characterSet);
  assertValidValues(ds);
  const findings = validateIod(ds);
  if (!options.allowInvalid && findings.some((f) => f.severity === 'error'))
    throw new IodInvalidError('GSPS', findings);
  return { dataset: ds, findings };
}

type Corner = 'TL' | 'TR' | 'BR' | 'BL';
// Which corner of the unrotated area lands top-left on screen after a clockwise rotation.
const TOP_LEFT_SOURCE: Record<0 | 90 | 180 | 270, { plain: Corner; flipped: Corner }> = {
  0: { plain: 'TL', flipped: 'TR' },
  90: { plain: 'BL', flipped: 'TL' },
  180: { plain: 'BR', flipped: 'BL' },
  270: { plain: 'TR', flipped: 'BR' },
};
const OPPOSITE: Record<Corner, Corner> = { TL: 'BR', BR: 'TL', TR: 'BL', BL: 'TR' };

/**
 * PS3.3 C.10.4.1: the displayed area corners are image pixel coordinates of the corners that
 * appear top-left and bottom-right after the Spatial Transformation, so a rotated or flipped
 * presentation names other corners of the same rectangle (dciodvfy checks this consistency).
 */
function displayedCorners(a: Point, b: Point, rotation: 0 | 90 | 180 | 270, flip: boolean): NaturalDataset {
  const [x1, x2] = [Math.min(a[0], b[0]), Math.max(a[0], b[0])];
  const [y1, y2] = [Math.min(a[1], b[1]), Math.max(a[1], b[1])];
  const at: Record<Corner, number[]> = { TL: [x1, y1], TR: [x2, y1], BR: [x2, y2], BL: [x1, y2] };
  const source = flip ? TOP_LEFT_SOURCE[rotation].flipped : TOP_LEFT_SOURCE[rotation].plain;
  return {
    DisplayedAreaTopLeftHandCorner: at[source],
    DisplayedAreaBottomRightHandCorner: at[OPPOSITE[source]],
  };
}

function windowOf(img: NaturalDataset): { center: number; width: number; explanation?: string } | undefined {
  const c = Array.isArray(img.WindowCenter) ? img.WindowCenter[0] : img.WindowCenter;
  const w = Array.isArray(img.WindowWidth) ? img.WindowWidth[0] : img.WindowWidth;
  if (c === undefined || w === undefined) return undefined;
  return { center: Number(c), width: Number(w) };
}

/** C.10.4: TRUE SIZE needs the presented pixel spacing, MAGNIFY its ratio, others an aspect ratio. */
function displayedAreaSpacing(input: GspsInput, img: NaturalDataset): NaturalDataset {
  const mode = input.displayedArea?.sizeMode ?? 'SCALE TO FIT';
  const spacing = (img.PixelSpacing ?? img.ImagerPixelSpacing) as unknown[] | undefined;
  const out: NaturalDataset = {};
  if (mode === 'MAGNIFY') out.PresentationPixelMagnificationRatio = input.displayedArea?.magnification ?? 1;
  if (spacing !== undefined && spacing.length === 2) {
    out.PresentationPixelSpacing = spacing.map((s) => ds16(Number(s)));
  } else if (mode === 'TRUE SIZE') {
    throw new IodInputError('TRUE SIZE needs the image pixel spacing');
  } else {
    out.PresentationPixelAspectRatio = [1, 1];
  }
  return out;
}
