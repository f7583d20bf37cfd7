import type { NaturalDataset } from '@hnvue/dicom';
import type { AttributeRule, ModuleRule } from './types.js';

/** Code Sequence Macro item attributes (PS3.3 Table 8.8-1), simplified to the short code form. */
export const CODE_ITEM: readonly AttributeRule[] = [
  {
    keyword: 'CodeValue',
    type: '1C',
    when: (it) => it.LongCodeValue === undefined && it.URNCodeValue === undefined,
  },
  {
    keyword: 'CodingSchemeDesignator',
    type: '1C',
    when: (it) => it.CodeValue !== undefined || it.LongCodeValue !== undefined,
    mayBePresentOtherwise: true,
  },
  { keyword: 'CodeMeaning', type: '1' },
];

export const SOP_REFERENCE: readonly AttributeRule[] = [
  { keyword: 'ReferencedSOPClassUID', type: '1' },
  { keyword: 'ReferencedSOPInstanceUID', type: '1' },
];

export const has = (ds: NaturalDataset, k: string): boolean => ds[k] !== undefined;

/** Body Part Examined terms (PS3.16 Annex L) of paired structures, which need a laterality. */
export const PAIRED_BODY_PARTS: ReadonlySet<string> = new Set([
  'ANKLE',
  'ARM',
  'BREAST',
  'CALCANEUS',
  'CLAVICLE',
  'EAR',
  'ELBOW',
  'EXTREMITY',
  'EYE',
  'FEMUR',
  'FIBULA',
  'FINGER',
  'FOOT',
  'FOREARM',
  'HAND',
  'HIP',
  'HUMERUS',
  'KIDNEY',
  'KNEE',
  'LEG',
  'LOWER LIMB',
  'ORBIT',
  'PATELLA',
  'RADIUS',
  'SCAPULA',
  'SHOULDER',
  'THUMB',
  'TIBIA',
  'TMJ',
  'TOE',
  'ULNA',
  'UPPER LIMB',
  'UPPER ARM',
  'WRIST',
]);

/**
 * PS3.3 C.7.3.1: Laterality is required for a paired body part when Image Laterality is not
 * sent; like dciodvfy, an unknown (absent) body part counts as possibly paired.
 */
function lateralityRequired(ds: NaturalDataset): boolean {
  if (has(ds, 'ImageLaterality') || has(ds, 'FrameLaterality')) return false;
  const part = ds.BodyPartExamined;
  return typeof part !== 'string' || part === '' || PAIRED_BODY_PARTS.has(part.trim());
}

/** PS3.3 C.7.1.1 */
export const PATIENT: ModuleRule = {
  name: 'Patient',
  usage: 'M',
  attributes: [
    { keyword: 'PatientName', type: '2' },
    { keyword: 'PatientID', type: '2' },
    { keyword: 'PatientBirthDate', type: '2' },
    { keyword: 'PatientSex', type: '2', enumerated: ['M', 'F', 'O'] },
  ],
};

/** PS3.3 C.7.2.1 */
export const GENERAL_STUDY: ModuleRule = {
  name: 'GeneralStudy',
  usage: 'M',
  attributes: [
    { keyword: 'StudyInstanceUID', type: '1' },
    { keyword: 'StudyDate', type: '2' },
    { keyword: 'StudyTime', type: '2' },
    { keyword: 'ReferringPhysicianName', type: '2' },
    { keyword: 'StudyID', type: '2' },
    { keyword: 'AccessionNumber', type: '2' },
    { keyword: 'ReferencedStudySequence', type: '3', items: SOP_REFERENCE },
    { keyword: 'ProcedureCodeSequence', type: '3', items: CODE_ITEM },
  ],
};

/** PS3.3 C.7.3.1; Request Attributes Sequence items per C.7.3.1 / IHE SWF. */
export const GENERAL_SERIES: ModuleRule = {
  name: 'GeneralSeries',
  usage: 'M',
  attributes: [
    { keyword: 'Modality', type: '1' },
    { keyword: 'SeriesInstanceUID', type: '1' },
    { keyword: 'SeriesNumber', type: '2' },
    {
      keyword: 'Laterality',
      type: '2C',
      enumerated: ['R', 'L'],
      when: lateralityRequired,
      mayBePresentOtherwise: true,
    },
    {
      keyword: 'RequestAttributesSequence',
      type: '3',
      items: [
        {
          keyword: 'RequestedProcedureID',
          type: '1C',
          when: (it) => has(it, 'ScheduledProcedureStepID'),
          mayBePresentOtherwise: true,
        },
        {
          keyword: 'ScheduledProcedureStepID',
          type: '1C',
          when: (it) => has(it, 'RequestedProcedureID'),
          mayBePresentOtherwise: true,
        },
        { keyword: 'RequestedProcedureCodeSequence', type: '3', items: CODE_ITEM },
        { keyword: 'ScheduledProtocolCodeSequence', type: '3', items: CODE_ITEM },
      ],
    },
    {
      keyword: 'ReferencedPerformedProcedureStepSequence',
      type: '3',
      items: SOP_REFERENCE,
      maxItems: 1,
    },
  ],
};

/** PS3.3 C.7.5.1 */
export const GENERAL_EQUIPMENT: ModuleRule = {
  name: 'GeneralEquipment',
  usage: 'M',
  attributes: [{ keyword: 'Manufacturer', type: '2' }],
};

/** PS3.3 C.12.1 */
export const SOP_COMMON: ModuleRule = {
  name: 'SOPCommon',
  usage: 'M',
  attributes: [
    { keyword: 'SOPClassUID', type: '1' },
    { keyword: 'SOPInstanceUID', type: '1' },
    {
      keyword: 'SpecificCharacterSet',
      type: '1C',
      when: () => false,
      mayBePresentOtherwise: true,
      enumerated: [
        '',
        'ISO_IR 6',
        'ISO_IR 100',
        'ISO_IR 192',
        'ISO 2022 IR 6',
        'ISO 2022 IR 149',
        'ISO 2022 IR 100',
      ],
    },
  ],
};

/** PS3.3 C.7.6.1 */
export const GENERAL_IMAGE: ModuleRule = {
  name: 'GeneralImage',
  usage: 'M',
  attributes: [
    { keyword: 'InstanceNumber', type: '2' },
    { keyword: 'PatientOrientation', type: '2C', when: () => true, mayBePresentOtherwise: true },
    { keyword: 'BurnedInAnnotation', type: '3', enumerated: ['YES', 'NO'] },
  ],
};

/** PS3.3 C.7.6.3 */
export const IMAGE_PIXEL: ModuleRule = {
  name: 'ImagePixel',
  usage: 'M',
  attributes: [
    { keyword: 'SamplesPerPixel', type: '1' },
    { keyword: 'PhotometricInterpretation', type: '1' },
    { keyword: 'Rows', type: '1' },
    { keyword: 'Columns', type: '1' },
    { keyword: 'BitsAllocated', type: '1' },
    { keyword: 'BitsStored', type: '1' },
    {
      keyword: 'HighBit',
      type: '1',
      check: (v, ds) =>
        Number(v) === Number(ds.BitsStored) - 1 ? undefined : 'High Bit is not Bits Stored - 1',
    },
    { keyword: 'PixelRepresentation', type: '1', enumerated: [0, 1] },
    {
      keyword: 'PixelData',
      type: '1C',
      when: (ds) => !has(ds, 'PixelDataProviderURL'),
      mayBePresentOtherwise: true,
    },
  ],
};

/** PS3.3 C.7.6.14 */
export const ACQUISITION_CONTEXT: ModuleRule = {
  name: 'AcquisitionContext',
  usage: 'M',
  attributes: [{ keyword: 'AcquisitionContextSequence', type: '2' }],
};

/** PS3.3 C.11.2: a window, or a VOI LUT sequence. */
export const VOI_LUT: ModuleRule = {
  name: 'VOILUT',
  usage: 'C',
  required: (ds) => ds.PresentationIntentType === 'FOR PRESENTATION',
  attributes: [
    {
      keyword: 'VOILUTSequence',
      type: '1C',
      when: (ds) => !has(ds, 'WindowCenter'),
      mayBePresentOtherwise: true,
    },
    {
      keyword: 'WindowCenter',
      type: '1C',
      when: (ds) => !has(ds, 'VOILUTSequence'),
      mayBePresentOtherwise: true,
    },
    { keyword: 'WindowWidth', type: '1C', when: (ds) => has(ds, 'WindowCenter') },
  ],
};
