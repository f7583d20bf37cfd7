export type { NaturalDataset } from '@hnvue/dicom';
export { buildCrImage, CR_SOP_CLASS, type CrInput } from './cr.js';
export {
  type BuiltImage,
  buildDxImage,
  type DetectorInput,
  DX_FOR_PRESENTATION_SOP_CLASS,
  DX_FOR_PROCESSING_SOP_CLASS,
  type DxForPresentationInput,
  type DxForProcessingInput,
  type DxInput,
  type PresentationIntent,
  type UnwindowedImageInput,
  type WindowedImageInput,
} from './dx.js';
export {
  IOD_ERROR_CODES,
  IodCharsetError,
  IodInputError,
  IodInvalidError,
  IodValueError,
  IodWriteError,
  type ValueProblem,
} from './errors.js';
export { type Part10Options, type PixelArray, readPart10, toPart10Buffer, writePart10 } from './file.js';
export {
  type Annotation,
  type AnnotationUnits,
  type BuiltPresentationState,
  buildGsps,
  type GraphicLayer,
  type GraphicObject,
  GSPS_SOP_CLASS,
  type GspsInput,
  type Point,
  type Shutter,
  type TextObject,
} from './gsps.js';
export * from './print/index.js';
export {
  type BuiltReport,
  buildRdsr,
  type DeviceObserver,
  type EvidenceImage,
  type IrradiationEvent,
  RDSR_CODES,
  type RdsrCode,
  type RdsrInput,
  XRAY_RADIATION_DOSE_SR_SOP_CLASS,
} from './rdsr.js';
export type * from './types.js';
export { IOD_DEFINITIONS, iodForSopClass, validateIod } from './validate/index.js';
export type { Finding, FindingKind, IodDefinition, Severity } from './validate/types.js';
export type { AcquisitionInput, AnatomyInput, ImageInput, ProjectionInput, ViewPosition } from './xray.js';
