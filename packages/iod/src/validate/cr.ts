import { SOP_CLASS } from '@hnvue/dicom';
import {
  GENERAL_EQUIPMENT,
  GENERAL_IMAGE,
  GENERAL_SERIES,
  GENERAL_STUDY,
  IMAGE_PIXEL,
  PATIENT,
  SOP_COMMON,
  VOI_LUT,
} from './common-modules.js';
import type { IodDefinition, ModuleRule } from './types.js';

/** PS3.3 C.8.1.1 */
const CR_SERIES: ModuleRule = {
  name: 'CRSeries',
  usage: 'M',
  attributes: [
    { keyword: 'BodyPartExamined', type: '2' },
    { keyword: 'ViewPosition', type: '2' },
  ],
};

/** PS3.3 C.8.1.2 */
const CR_IMAGE: ModuleRule = {
  name: 'CRImage',
  usage: 'M',
  attributes: [
    { keyword: 'PhotometricInterpretation', type: '1', enumerated: ['MONOCHROME1', 'MONOCHROME2'] },
  ],
};

/** PS3.3 A.2: Computed Radiography Image IOD. */
export const CR_IOD: IodDefinition = {
  name: 'CR',
  sopClassUids: [SOP_CLASS.computedRadiographyImageStorage],
  modules: [
    PATIENT,
    GENERAL_STUDY,
    GENERAL_SERIES,
    CR_SERIES,
    GENERAL_EQUIPMENT,
    GENERAL_IMAGE,
    IMAGE_PIXEL,
    CR_IMAGE,
    { ...VOI_LUT, usage: 'U' },
    SOP_COMMON,
  ],
};
