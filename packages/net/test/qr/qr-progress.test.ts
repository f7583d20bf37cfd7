/**
 * FR-DICOM-06: the pure parts of C-MOVE / C-GET: the retrieve identifier (unique keys only, UID
 * lists multi-valued), sub-operation counts of a response and its Failed SOP Instance UID List.
 */

import { encodeDataset } from '@hnvue/dicom';
import { describe, expect, it } from 'vitest';
import { type DimseResponse, InvalidArgumentError, retrieveIdentifier } from '../../src/index.js';
import { failedSopInstanceUids } from '../../src/qr/index.js';
import { countsOf } from '../../src/qr/progress.js';

const EXPLICIT = '1.2.840.10008.1.2.1';

function response(fields: Record<string, unknown>, dataset?: Uint8Array): DimseResponse {
  return {
    command: { commandField: 0x8021, hasDataset: dataset !== undefined, ...fields },
    status: (fields.status as number) ?? 0,
    statusClass: 'warning',
    dataset,
    contextId: 1,
    transferSyntax: EXPLICIT,
  };
}

describe('FR-DICOM-06: retrieve identifiers and progress', () => {
  it('FR-DICOM-06: the identifier holds the level and unique keys; a missing one is refused', () => {
    expect(
      retrieveIdentifier({
        level: 'IMAGE',
        studyInstanceUid: '1.2',
        seriesInstanceUid: '1.2.3',
        sopInstanceUid: ['1.2.3.4', '1.2.3.5'],
      }),
    ).toEqual({
      QueryRetrieveLevel: 'IMAGE',
      StudyInstanceUID: '1.2',
      SeriesInstanceUID: '1.2.3',
      SOPInstanceUID: ['1.2.3.4', '1.2.3.5'],
    });
    expect(() => retrieveIdentifier({ level: 'SERIES', studyInstanceUid: '1.2' })).toThrow(
      InvalidArgumentError,
    );
  });

  it('FR-DICOM-06: counts and the Failed SOP Instance UID List of a final response', () => {
    const list = encodeDataset(
      { FailedSOPInstanceUIDList: ['1.2.3', '1.2.4'] },
      { transferSyntax: EXPLICIT },
    );
    const r = response(
      {
        status: 0xb000,
        numberOfCompletedSuboperations: 3,
        numberOfFailedSuboperations: 2,
        numberOfWarningSuboperations: 0,
      },
      list,
    );
    expect(countsOf(r)).toEqual({ remaining: undefined, completed: 3, failed: 2, warning: 0 });
    expect(failedSopInstanceUids(r)).toEqual(['1.2.3', '1.2.4']);
    expect(failedSopInstanceUids(response({ status: 0 }))).toEqual([]);
    // A malformed identifier does not hide the status.
    expect(failedSopInstanceUids(response({ status: 0xb000 }, Uint8Array.of(1, 2, 3)))).toEqual([]);
  });
});
