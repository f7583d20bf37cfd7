/**
 * Typed failures of Query/Retrieve: the SCP refused the storage SCP role a C-GET needs (naming
 * the SOP class), and a C-MOVE / C-GET whose final status is a Failure (the SCP's status, the
 * sub-operation counts and the Failed SOP Instance UID List, PS3.4 C.4.2.1.4, C.4.3.1.4).
 * UIDs only: no patient data.
 */
import { HnvError, type HnvErrorOptions } from '@hnvue/core';
import { DimseFailureError } from '../errors.js';
import type { SubOperationCounts } from './progress.js';

/** PS3.7 D.3.3.4: the SCP did not grant us the SCP role for a storage SOP class a C-GET needs. */
export class RoleNotAcceptedError extends HnvError {
  readonly sopClassUid: string;
  constructor(sopClassUid: string, options: HnvErrorOptions = {}) {
    super('HNV_ERR_ROLE_NOT_ACCEPTED', `the peer did not accept the SCP role for SOP class ${sopClassUid}`, {
      ...options,
      details: { sopClassUid, ...options.details },
      hint: 'the C-GET SCP must accept SCP/SCU role selection for every storage SOP class retrieved',
    });
    this.sopClassUid = sopClassUid;
  }
}

/** A C-MOVE / C-GET ended with a Failure status (e.g. A801 move destination unknown). */
export class RetrieveFailedError extends DimseFailureError {
  readonly counts: SubOperationCounts;
  readonly failedSopInstanceUids: readonly string[];
  constructor(
    status: number,
    message: string,
    counts: SubOperationCounts,
    failedSopInstanceUids: readonly string[],
    options: HnvErrorOptions = {},
  ) {
    super(status, message, { ...options, details: { ...counts, failed: failedSopInstanceUids.length } });
    this.counts = counts;
    this.failedSopInstanceUids = failedSopInstanceUids;
  }
}
