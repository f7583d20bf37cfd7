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
import { IodInputError, IodInvalidError } from './errors.js';
import type { PixelArray } from './file.js';
import type { BuildOptions } from './types.js';
import { validateIod } from './validate/index.js';
import type { Finding } from './validate/types.js';
import { assertValidValues } from './values.js';
import {
  acquisitionModules,
  anatomyModule,
  generalImage,
  type ImageInput,
  type ProjectionInput,
  pixelModule,
  requestAttributes,
  voiModule,
} from './xray.js';

export const DX_FOR_PRESENTATION_SOP_CLASS: typeof SOP_CLASS.digitalXRayImageStorageForPresentation =
  SOP_CLASS.digitalXRayImageStorageForPresentation;
export const DX_FOR_PROCESSING_SOP_CLASS: typeof SOP_CLASS.digitalXRayImageStorageForProcessing =
  SOP_CLASS.digitalXRayImageStorageForProcessing;

export type PresentationIntent = 'FOR PRESENTATION' | 'FOR PROCESSING';

export interface DetectorInput {
  readonly type?: 'DIRECT' | 'SCINTILLATOR' | 'STORAGE' | 'FILM' | '';
  readonly configuration?: 'AREA' | 'SLOT';
  readonly id?: string;
  readonly manufacturerName?: string;
  readonly binning?: readonly [number, number];
  /** Physical distance between detector element centres at the detector plane, mm (row, column). */
  readonly imagerPixelSpacingMm: readonly [number, number];
  readonly temperatureC?: number;
}

/** A For Presentation image carries its window (PS3.3 A.26.3: VOI LUT module; C.8.11.3). */
export interface WindowedImageInput extends ImageInput {
  readonly windowCenter: number;
  readonly windowWidth: number;
}

/** A For Processing image takes no window (PS3.3 C.8.11.3). */
export interface UnwindowedImageInput extends ImageInput {
  readonly windowCenter?: never;
  readonly windowWidth?: never;
  readonly windowExplanation?: never;
}

export interface DxForPresentationInput extends ProjectionInput {
  readonly presentationIntent: 'FOR PRESENTATION';
  readonly image: WindowedImageInput;
  readonly detector: DetectorInput;
}

export interface DxForProcessingInput extends ProjectionInput {
  readonly presentationIntent: 'FOR PROCESSING';
  readonly image: UnwindowedImageInput;
  readonly detector: DetectorInput;
}

/**
 * A DX image's input, told apart by `presentationIntent`: the compiler asks For Presentation for
 * its window and refuses one For Processing (the builder checks the same at run time for callers
 * without types).
 */
export type DxInput = (DxForPresentationInput | DxForProcessingInput) & DxOrientationInput;

/**
 * PS3.3 C.8.11.7 (DX Image module): Patient Orientation is Type 1, so a DX without it fails
 * validation (dciodvfy agrees). It is given in `image.patientOrientation`, or derived from an AP or
 * PA view (xray.ts defaultOrientation); any other view needs it given.
 */
export type DxOrientationInput =
  | { readonly image: { readonly patientOrientation: readonly [string, string] } }
  | { readonly acquisition: { readonly viewPosition: 'AP' | 'PA' } };

/** What every builder returns: the dataset (without Pixel Data), the pixels, and the findings. */
export interface BuiltImage {
  readonly dataset: NaturalDataset;
  readonly pixelData: PixelArray;
  readonly findings: readonly Finding[];
}

function finish(
  iod: string,
  ds: NaturalDataset,
  options: BuildOptions,
  pixelDataPresent: boolean,
): Finding[] {
  // PS3.5 Table 6.2-1 before the IOD rules: a value its VR forbids never leaves the builder.
  assertValidValues(ds);
  const findings = validateIod(ds, { pixelDataPresent });
  if (!options.allowInvalid && findings.some((f) => f.severity === 'error')) {
    throw new IodInvalidError(iod, findings);
  }
  return findings;
}

export { finish as finishBuild };

/**
 * Digital X-Ray Image, For Presentation or For Processing (PS3.3 A.26): Patient, General Study,
 * Patient Study, General Series, DX Series, General Equipment, General Acquisition, General
 * Image, Image Pixel, DX Anatomy Imaged, DX Image, DX Detector, DX Positioning, X-Ray
 * Acquisition Dose, X-Ray Generation, VOI LUT (For Presentation), Acquisition Context, SOP Common.
 */
export function buildDxImage(input: DxInput, options: BuildOptions = {}): BuiltImage {
  const ctx = context(options);
  const { image, detector } = input;
  const forPresentation = input.presentationIntent === 'FOR PRESENTATION';
  const photometric = image.photometricInterpretation ?? 'MONOCHROME2';
  const hasWindow = image.windowCenter !== undefined && image.windowWidth !== undefined;
  if (forPresentation && !hasWindow) {
    // PS3.3 A.26.3: the VOI LUT module is required For Presentation; C.8.11.3 asks for a window.
    throw new IodInputError('a For Presentation DX image needs windowCenter and windowWidth');
  }
  if (!forPresentation && image.windowCenter !== undefined) {
    // PS3.3 C.8.11.3: a window may only be present in For Presentation images.
    throw new IodInputError('a For Processing DX image takes no window');
  }
  const ds: NaturalDataset = {
    ...sopCommon(
      forPresentation ? DX_FOR_PRESENTATION_SOP_CLASS : DX_FOR_PROCESSING_SOP_CLASS,
      ctx,
      image.sopInstanceUid,
    ),
    ...subjectModules(input, ctx),
    ...seriesModule('DX', input.series, ctx),
    ...requestAttributes(input.worklistItem),
    PresentationIntentType: input.presentationIntent,
    ...equipmentModule(input.equipment),
    ...generalImage(image, ctx, input.acquisition?.viewPosition),
    // PS3.3 C.8.11.3: DX Image.
    ImageType: [image.derived ? 'DERIVED' : 'ORIGINAL', 'PRIMARY'],
    ...pixelModule(image, photometric),
    PixelIntensityRelationship: 'LIN',
    PixelIntensityRelationshipSign: photometric === 'MONOCHROME1' ? -1 : 1,
    RescaleIntercept: '0',
    RescaleSlope: '1',
    RescaleType: 'US',
    // C.8.11.3.1.2: IDENTITY for MONOCHROME2, INVERSE for MONOCHROME1 unless told otherwise.
    PresentationLUTShape:
      image.presentationLutShape ?? (photometric === 'MONOCHROME1' ? 'INVERSE' : 'IDENTITY'),
    LossyImageCompression: '00',
    ...anatomyModule(input.anatomy),
    // PS3.3 C.8.11.4: DX Detector.
    DetectorType: detector.type ?? '',
    ImagerPixelSpacing: [ds16(detector.imagerPixelSpacingMm[0]), ds16(detector.imagerPixelSpacingMm[1])],
    ...acquisitionModules(input.acquisition),
    // PS3.3 C.8.11.5: Positioner Type is Type 2 once the DX Positioning module is present.
    ...(input.acquisition?.viewPosition !== undefined || input.acquisition?.sourceToPatientMm !== undefined
      ? { PositionerType: input.acquisition.positionerType ?? '' }
      : {}),
    ...(forPresentation ? voiModule(image) : {}),
    AcquisitionContextSequence: [],
  };
  if (detector.configuration !== undefined) ds.DetectorConfiguration = detector.configuration;
  if (detector.id !== undefined) ds.DetectorID = detector.id;
  if (detector.manufacturerName !== undefined) ds.DetectorManufacturerName = detector.manufacturerName;
  if (detector.binning !== undefined)
    ds.DetectorBinning = [ds16(detector.binning[0]), ds16(detector.binning[1])];
  if (detector.temperatureC !== undefined) ds.DetectorTemperature = ds16(detector.temperatureC);
  applyCharacterSet(ds, options.characterSet);
  const findings = finish('DX', ds, options, true);
  return { dataset: ds, pixelData: image.pixels, findings };
}
