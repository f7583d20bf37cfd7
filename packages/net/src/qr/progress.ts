/**
 * Sub-operation progress of C-MOVE / C-GET (PS3.4 C.4.2.1.5, C.4.3.1.5): the counts carried by
 * each Pending response and by the final one, and the Failed SOP Instance UID List (0008,0058)
 * of the final response's identifier (PS3.4 C.4.2.1.4.2). Pure functions of the response.
 */
import { decodeDataset } from '@hnvue/dicom';
import type { DimseResponse } from '../association.js';
import { strings } from '../workflow/values.js';

export interface SubOperationCounts {
  /** Absent on a final response, where PS3.4 leaves it out (C.4.2.3.1). */
  readonly remaining: number | undefined;
  readonly completed: number;
  readonly failed: number;
  readonly warning: number;
}

/** One Pending response (or the final one, `final: true`) of a retrieve. */
export interface RetrieveProgress extends SubOperationCounts {
  readonly final: boolean;
  readonly status: number;
  /** The Message ID of our C-MOVE / C-GET (the Move Originator Message ID of its sub-operations). */
  readonly messageId: number | undefined;
}

export function countsOf(response: DimseResponse): SubOperationCounts {
  const c = response.command;
  return {
    remaining: c.numberOfRemainingSuboperations,
    completed: c.numberOfCompletedSuboperations ?? 0,
    failed: c.numberOfFailedSuboperations ?? 0,
    warning: c.numberOfWarningSuboperations ?? 0,
  };
}

/** The Failed SOP Instance UID List of a final response (empty when it carries none). */
export function failedSopInstanceUids(response: DimseResponse): string[] {
  if (response.dataset === undefined || response.dataset.length === 0) return [];
  try {
    const { dataset } = decodeDataset(response.dataset, { transferSyntax: response.transferSyntax });
    return strings(dataset, 'FailedSOPInstanceUIDList');
  } catch {
    // A malformed identifier must not hide the status the SCP sent.
    return [];
  }
}

export function progressOf(response: DimseResponse, final: boolean): RetrieveProgress {
  return {
    ...countsOf(response),
    final,
    status: response.status,
    messageId: response.command.messageIdBeingRespondedTo,
  };
}
