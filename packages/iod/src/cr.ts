import { type NaturalDataset, SOP_CLASS } from '@hnvue/dicom';
import {
  applyCharacterSet,
  context,
  ds16,
  equipmentModule,
  seriesModule,
  sopCommon,
  subjectModules,
} from './common.js';
import { type BuiltImage, finishBuild } from './dx.js';
import type { BuildOptions } from './types.js';
import {
  acquisitionModules,
  anatomyModule,
  generalImage,
  type ProjectionInput,
  pixelModule,
  requestAttributes,
  voiModule,
} from './xray.js';

export const CR_SOP_CLASS: typeof SOP_CLASS.computedRadiographyImageStorage =
  SOP_CLASS.computedRadiographyImageStorage;

export interface CrInput extends ProjectionInput {
  readonly plateId?: string;
  readonly plateType?: string;
  readonly phosphorType?: string;
  readonly imagerPixelSpacingMm?: readonly [number, number];
  readonly sensitivity?: number;
}

// Attributes of the projection input that the CR IOD has no module for (PS3.3 A.2): DX-only
// dose/positioning attributes would make the object a Standard Extended SOP Class.
const NOT_IN_CR = [
  'ImageAndFluoroscopyAreaDoseProduct',
  'EntranceDoseInmGy',
  'Grid',
  'ExposureControlMode',
  'ViewCodeSequence',
  'PositionerType',
  'AnatomicRegionSequence',
];

/**
 * Computed Radiography Image (PS3.3 A.2): Patient, General Study, General Series, CR Series,
 * General Equipment, General Image, Image Pixel, CR Image, VOI LUT (when a window is given),
 * SOP Common.
 */
export function buildCrImage(input: CrInput, options: BuildOptions = {}): BuiltImage {
  const ctx = context(options);
  const { image } = input;
  const acquisition = acquisitionModules(input.acquisition);
  const anatomy = anatomyModule(input.anatomy);
  for (const k of NOT_IN_CR) delete acquisition[k];
  const ds: NaturalDataset = {
    ...sopCommon(CR_SOP_CLASS, ctx, image.sopInstanceUid),
    ...subjectModules(input, ctx),
    ...seriesModule('CR', input.series, ctx),
    ...requestAttributes(input.worklistItem),
    ...equipmentModule(input.equipment),
    ...generalImage(image, ctx, input.acquisition?.viewPosition),
    ImageType: [image.derived ? 'DERIVED' : 'ORIGINAL', 'PRIMARY'],
    ...pixelModule(image, image.photometricInterpretation ?? 'MONOCHROME2'),
    // PS3.3 C.8.1.1: CR Series, Body Part Examined and View Position are Type 2.
    BodyPartExamined: input.anatomy.bodyPart ?? '',
    ViewPosition: input.acquisition?.viewPosition ?? '',
    ImageLaterality: anatomy.ImageLaterality,
    ...acquisition,
    ...voiModule(image),
  };
  if (input.anatomy.anatomicRegion !== undefined) ds.AnatomicRegionSequence = anatomy.AnatomicRegionSequence;
  if (input.plateId !== undefined) ds.PlateID = input.plateId;
  if (input.plateType !== undefined) ds.PlateType = input.plateType;
  if (input.phosphorType !== undefined) ds.PhosphorType = input.phosphorType;
  if (input.sensitivity !== undefined) ds.Sensitivity = ds16(input.sensitivity);
  if (input.imagerPixelSpacingMm !== undefined) {
    ds.ImagerPixelSpacing = [ds16(input.imagerPixelSpacingMm[0]), ds16(input.imagerPixelSpacingMm[1])];
  }
  applyCharacterSet(ds, options.characterSet);
  const findings = finishBuild('CR', ds, options, true);
  return { dataset: ds, pixelData: image.pixels, findings };
}
