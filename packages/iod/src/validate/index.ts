import type { NaturalDataset } from '@hnvue/dicom';
import { CR_IOD } from './cr.js';
import { DX_IOD } from './dx.js';
import { type ValidateOptions, validateAgainst } from './engine.js';
import { GSPS_IOD } from './gsps.js';
import { RDSR_IOD } from './rdsr.js';
import type { Finding, IodDefinition } from './types.js';

export const IOD_DEFINITIONS: readonly IodDefinition[] = [DX_IOD, CR_IOD, GSPS_IOD, RDSR_IOD];

/** The IOD definition for a SOP Class UID, if we have one. */
export function iodForSopClass(sopClassUid: string): IodDefinition | undefined {
  return IOD_DEFINITIONS.find((d) => d.sopClassUids.includes(sopClassUid));
}

/**
 * Validates a naturalized dataset (ours, received, or a third party's) against the IOD its SOP
 * Class UID names. An unknown SOP class yields one `SOPClassUID` finding.
 */
export function validateIod(ds: NaturalDataset, options: ValidateOptions = {}): Finding[] {
  const sop = typeof ds.SOPClassUID === 'string' ? ds.SOPClassUID : '';
  const iod = iodForSopClass(sop);
  if (iod === undefined) {
    return [
      {
        severity: 'error',
        module: 'SOPCommon',
        keyword: 'SOPClassUID',
        path: 'SOPClassUID',
        kind: sop === '' ? 'missing' : 'value',
        message: 'no IOD definition for this SOP Class UID',
      },
    ];
  }
  return validateAgainst(iod, ds, options);
}
