import type { NaturalDataset } from '@hnvue/dicom';
import {
  type BuildContext,
  codeItem,
  da,
  ds16,
  requestAttributes,
  requirePositive,
  type SubjectInput,
  tm,
} from './common.js';
import { IodInputError } from './errors.js';
import type { PixelArray } from './file.js';
import type { CodedConcept, EquipmentInput, SeriesInput } from './types.js';

/** View Position defined terms (PS3.3 C.8.11.5.1.1 / C.8.1.2). */
export type ViewPosition = 'AP' | 'PA' | 'LL' | 'RL' | 'RLD' | 'LLD' | 'RLO' | 'LLO' | '';

export interface ImageInput {
  readonly rows: number;
  readonly columns: number;
  /** 8-bit samples take a Uint8Array; anything above 8 a Uint16Array (Bits Allocated 16). */
  readonly bitsStored: number;
  readonly pixels: PixelArray;
  readonly photometricInterpretation?: 'MONOCHROME1' | 'MONOCHROME2';
  readonly windowCenter?: number;
  readonly windowWidth?: number;
  readonly windowExplanation?: string;
  readonly presentationLutShape?: 'IDENTITY' | 'INVERSE';
  readonly derived?: boolean;
  readonly instanceNumber?: number;
  readonly sopInstanceUid?: string;
  /** Row and column direction, e.g. ['L', 'F'] (PS3.3 C.7.6.1.1.1). */
  readonly patientOrientation?: readonly [string, string];
  readonly burnedInAnnotation?: boolean;
  readonly acquisitionDateTime?: Date;
}

export interface AnatomyInput {
  /** Image Laterality (R, L, U unpaired, B both). */
  readonly imageLaterality: 'R' | 'L' | 'U' | 'B';
  /** Body Part Examined defined term (PS3.16 Annex L), e.g. CHEST. */
  readonly bodyPart?: string;
  /** Anatomic region, SNOMED CT (CID 4009 for DX), e.g. { value: '51185008', scheme: 'SCT', meaning: 'Thorax' }. */
  readonly anatomicRegion?: CodedConcept;
}

export interface AcquisitionInput {
  readonly kvp?: number;
  readonly exposureTimeMs?: number;
  readonly tubeCurrentMa?: number;
  /** mAs (IS, integer). */
  readonly exposureMas?: number;
  readonly exposureUas?: number;
  /** Dose-area product in dGy·cm² (PS3.3 C.8.7.8, Image and Fluoroscopy Area Dose Product). */
  readonly dapDgyCm2?: number;
  readonly entranceDoseMgy?: number;
  readonly sourceToDetectorMm?: number;
  readonly sourceToPatientMm?: number;
  readonly viewPosition?: ViewPosition;
  readonly focalSpotMm?: number;
  readonly filterType?: string;
  readonly grid?: readonly string[];
  readonly exposureControlMode?: 'MANUAL' | 'AUTOMATIC';
  /** View Code Sequence item (CID 4010); without it dciodvfy warns when View Position is set. */
  readonly viewCode?: CodedConcept;
  /** Positioner Type (PS3.3 C.8.11.5): Type 2 once any positioning attribute is written. */
  readonly positionerType?:
    | 'CARM'
    | 'COLUMN'
    | 'MAMMOGRAPHIC'
    | 'PANORAMIC'
    | 'CEPHALOSTAT'
    | 'RIGID'
    | 'NONE'
    | '';
}

export interface ProjectionInput extends SubjectInput {
  readonly equipment: EquipmentInput;
  readonly series?: SeriesInput;
  readonly image: ImageInput;
  readonly anatomy: AnatomyInput;
  readonly acquisition?: AcquisitionInput;
}

/** Image Pixel module (PS3.3 C.7.6.3) for one grayscale frame; checks the buffer size. */
export function pixelModule(image: ImageInput, photometric: string): NaturalDataset {
  requirePositive('rows', image.rows);
  requirePositive('columns', image.columns);
  const { bitsStored, pixels } = image;
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > 16) {
    throw new IodInputError('bitsStored must be 1..16');
  }
  const bitsAllocated = bitsStored <= 8 ? 8 : 16;
  if (pixels instanceof Int16Array) {
    // DX and CR pixels are unsigned (PS3.3 C.8.11.3: Pixel Representation 0).
    throw new IodInputError('pixels must be unsigned (Uint8Array or Uint16Array)');
  }
  if (pixels.BYTES_PER_ELEMENT * 8 !== bitsAllocated) {
    throw new IodInputError(
      `bitsStored ${bitsStored} needs a ${bitsAllocated === 8 ? 'Uint8Array' : 'Uint16Array'}`,
    );
  }
  if (pixels.length !== image.rows * image.columns) {
    throw new IodInputError(
      `pixel array holds ${pixels.length} samples, rows x columns is ${image.rows * image.columns}`,
    );
  }
  return {
    SamplesPerPixel: 1,
    PhotometricInterpretation: photometric,
    Rows: image.rows,
    Columns: image.columns,
    BitsAllocated: bitsAllocated,
    BitsStored: bitsStored,
    HighBit: bitsStored - 1,
    PixelRepresentation: 0,
    _vrMap: { PixelData: bitsAllocated === 8 ? 'OB' : 'OW' },
  };
}

/** General Image, General Acquisition and the acquisition datetime attributes. */
/**
 * AP and PA projections are conventionally displayed as if facing the patient: rows run toward
 * the patient's left, columns toward the feet (PS3.3 C.7.6.1.1.1). Other views need the caller.
 */
function defaultOrientation(view: ViewPosition | undefined): string[] | string {
  return view === 'AP' || view === 'PA' ? ['L', 'F'] : '';
}

export function generalImage(
  image: ImageInput,
  ctx: BuildContext,
  viewPosition?: ViewPosition,
): NaturalDataset {
  const acq = image.acquisitionDateTime ?? ctx.now;
  const ds: NaturalDataset = {
    InstanceNumber: image.instanceNumber ?? 1,
    PatientOrientation: image.patientOrientation
      ? [...image.patientOrientation]
      : defaultOrientation(viewPosition),
    ContentDate: da(ctx.now),
    ContentTime: tm(ctx.now),
    AcquisitionDate: da(acq),
    AcquisitionTime: tm(acq),
    AcquisitionDateTime: `${da(acq)}${tm(acq)}`,
    BurnedInAnnotation: image.burnedInAnnotation ? 'YES' : 'NO',
  };
  return ds;
}

/** X-Ray Acquisition Dose, X-Ray Generation and positioning attributes that the input carries. */
export function acquisitionModules(acq: AcquisitionInput | undefined): NaturalDataset {
  const ds: NaturalDataset = {};
  if (acq === undefined) return ds;
  if (acq.kvp !== undefined) ds.KVP = ds16(acq.kvp);
  if (acq.exposureTimeMs !== undefined) ds.ExposureTime = Math.round(acq.exposureTimeMs);
  if (acq.tubeCurrentMa !== undefined) ds.XRayTubeCurrent = Math.round(acq.tubeCurrentMa);
  if (acq.exposureMas !== undefined) ds.Exposure = Math.round(acq.exposureMas);
  if (acq.exposureUas !== undefined) ds.ExposureInuAs = Math.round(acq.exposureUas);
  if (acq.dapDgyCm2 !== undefined) ds.ImageAndFluoroscopyAreaDoseProduct = ds16(acq.dapDgyCm2);
  if (acq.entranceDoseMgy !== undefined) ds.EntranceDoseInmGy = ds16(acq.entranceDoseMgy);
  if (acq.sourceToDetectorMm !== undefined) ds.DistanceSourceToDetector = ds16(acq.sourceToDetectorMm);
  if (acq.sourceToPatientMm !== undefined) ds.DistanceSourceToPatient = ds16(acq.sourceToPatientMm);
  if (acq.focalSpotMm !== undefined) ds.FocalSpots = ds16(acq.focalSpotMm);
  if (acq.filterType !== undefined) ds.FilterType = acq.filterType;
  if (acq.grid !== undefined) ds.Grid = [...acq.grid];
  if (acq.exposureControlMode !== undefined) ds.ExposureControlMode = acq.exposureControlMode;
  if (acq.viewPosition !== undefined) ds.ViewPosition = acq.viewPosition;
  if (acq.viewCode !== undefined) ds.ViewCodeSequence = [codeItem(acq.viewCode)];
  if (acq.positionerType !== undefined) ds.PositionerType = acq.positionerType;
  return ds;
}

export function anatomyModule(anatomy: AnatomyInput): NaturalDataset {
  const ds: NaturalDataset = { ImageLaterality: anatomy.imageLaterality };
  if (anatomy.bodyPart !== undefined) ds.BodyPartExamined = anatomy.bodyPart;
  // General Anatomy Required Macro (PS3.3 Table 10-6): Type 2, so present even when empty.
  ds.AnatomicRegionSequence = anatomy.anatomicRegion === undefined ? [] : [codeItem(anatomy.anatomicRegion)];
  return ds;
}

/** VOI LUT module (PS3.3 C.11.2): a window when given. */
export function voiModule(image: ImageInput): NaturalDataset {
  if (image.windowCenter === undefined || image.windowWidth === undefined) return {};
  const ds: NaturalDataset = {
    WindowCenter: [ds16(image.windowCenter)],
    WindowWidth: [ds16(image.windowWidth)],
  };
  if (image.windowExplanation !== undefined) ds.WindowCenterWidthExplanation = [image.windowExplanation];
  return ds;
}

export { requestAttributes };
