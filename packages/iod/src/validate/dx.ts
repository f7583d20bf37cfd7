import { SOP_CLASS } from '@hnvue/dicom';
import {
  ACQUISITION_CONTEXT,
  CODE_ITEM,
  GENERAL_EQUIPMENT,
  GENERAL_IMAGE,
  GENERAL_SERIES,
  GENERAL_STUDY,
  IMAGE_PIXEL,
  PATIENT,
  SOP_COMMON,
  SOP_REFERENCE,
  VOI_LUT,
} from './common-modules.js';
import type { IodDefinition, ModuleRule } from './types.js';

/** PS3.3 C.8.11.1 */
const DX_SERIES: ModuleRule = {
  name: 'DXSeries',
  usage: 'M',
  attributes: [
    { keyword: 'Modality', type: '1', enumerated: ['DX'] },
    {
      keyword: 'ReferencedPerformedProcedureStepSequence',
      type: '1C',
      when: () => false,
      mayBePresentOtherwise: true,
      items: SOP_REFERENCE,
    },
    { keyword: 'PresentationIntentType', type: '1', enumerated: ['FOR PRESENTATION', 'FOR PROCESSING'] },
  ],
};

/** PS3.3 C.8.11.2 */
const DX_ANATOMY_IMAGED: ModuleRule = {
  name: 'DXAnatomyImaged',
  usage: 'M',
  attributes: [
    { keyword: 'ImageLaterality', type: '1', enumerated: ['R', 'L', 'U', 'B'] },
    { keyword: 'AnatomicRegionSequence', type: '2', items: CODE_ITEM, maxItems: 1 },
  ],
};

/** PS3.3 C.8.11.3 */
const DX_IMAGE: ModuleRule = {
  name: 'DXImage',
  usage: 'M',
  attributes: [
    { keyword: 'ImageType', type: '1', enumerated: ['ORIGINAL', 'DERIVED'], enumIndex: 0 },
    { keyword: 'SamplesPerPixel', type: '1', enumerated: [1] },
    { keyword: 'PhotometricInterpretation', type: '1', enumerated: ['MONOCHROME1', 'MONOCHROME2'] },
    { keyword: 'BitsAllocated', type: '1', enumerated: [8, 16] },
    {
      keyword: 'BitsStored',
      type: '1',
      enumerated: [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
    },
    { keyword: 'HighBit', type: '1', enumerated: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15] },
    { keyword: 'PixelRepresentation', type: '1', enumerated: [0] },
    { keyword: 'PixelIntensityRelationship', type: '1', enumerated: ['LIN', 'LOG'] },
    { keyword: 'PixelIntensityRelationshipSign', type: '1', enumerated: [1, -1] },
    { keyword: 'RescaleIntercept', type: '1', enumerated: [0] },
    { keyword: 'RescaleSlope', type: '1', enumerated: [1] },
    { keyword: 'RescaleType', type: '1', enumerated: ['US'] },
    { keyword: 'PresentationLUTShape', type: '1', enumerated: ['IDENTITY', 'INVERSE'] },
    { keyword: 'LossyImageCompression', type: '1', enumerated: ['00', '01'] },
    { keyword: 'BurnedInAnnotation', type: '1', enumerated: ['YES', 'NO'] },
    // C.8.11.3.1.4: required unless the view is of a specimen, which this console never images.
    { keyword: 'PatientOrientation', type: '1C', when: () => true, mayBePresentOtherwise: true },
    {
      keyword: 'VOILUTSequence',
      type: '1C',
      when: (ds) => ds.PresentationIntentType === 'FOR PRESENTATION' && ds.WindowCenter === undefined,
      mayBePresentOtherwise: true,
    },
    {
      keyword: 'WindowCenter',
      type: '1C',
      when: (ds) => ds.PresentationIntentType === 'FOR PRESENTATION' && ds.VOILUTSequence === undefined,
      mayBePresentOtherwise: true,
      check: (_v, ds) =>
        ds.PresentationIntentType === 'FOR PRESENTATION'
          ? undefined
          : 'may only be present in For Presentation images',
    },
    { keyword: 'WindowWidth', type: '1C', when: (ds) => ds.WindowCenter !== undefined },
  ],
};

/** PS3.3 C.8.11.4 */
const DX_DETECTOR: ModuleRule = {
  name: 'DXDetector',
  usage: 'M',
  attributes: [
    {
      keyword: 'DetectorType',
      type: '2',
      enumerated: ['DIRECT', 'SCINTILLATOR', 'STORAGE', 'FILM'],
      enumSeverity: 'warning',
    },
    { keyword: 'DetectorConfiguration', type: '3', enumerated: ['AREA', 'SLOT'], enumSeverity: 'warning' },
    { keyword: 'ImagerPixelSpacing', type: '1' },
  ],
};

/** PS3.3 C.8.11.5 */
const DX_POSITIONING: ModuleRule = {
  name: 'DXPositioning',
  usage: 'U',
  attributes: [
    { keyword: 'ViewPosition', type: '3' },
    { keyword: 'ViewCodeSequence', type: '3', items: CODE_ITEM },
    { keyword: 'PositionerType', type: '2' },
  ],
};

/** PS3.3 A.26.2: Digital X-Ray Image IOD, both SOP classes. */
export const DX_IOD: IodDefinition = {
  name: 'DX',
  sopClassUids: [
    SOP_CLASS.digitalXRayImageStorageForPresentation,
    SOP_CLASS.digitalXRayImageStorageForProcessing,
  ],
  modules: [
    PATIENT,
    GENERAL_STUDY,
    GENERAL_SERIES,
    DX_SERIES,
    GENERAL_EQUIPMENT,
    GENERAL_IMAGE,
    IMAGE_PIXEL,
    DX_ANATOMY_IMAGED,
    DX_IMAGE,
    DX_DETECTOR,
    DX_POSITIONING,
    VOI_LUT,
    ACQUISITION_CONTEXT,
    SOP_COMMON,
  ],
};
