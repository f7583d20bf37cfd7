import { describe, expect, it } from 'vitest';
import {
  COMMAND_FIELD,
  cCancelRq,
  cEchoRq,
  cFindRq,
  cGetRq,
  cMoveRq,
  commandFieldLabel,
  commandFieldName,
  cStoreRq,
  DimseEncodeError,
  decodeCommand,
  encodeCommand,
  isResponseField,
  nActionRq,
  nCreateRq,
  nDeleteRq,
  nEventReportRq,
  nGetRq,
  nSetRq,
  PRIORITY,
  responseFieldFor,
  responseTo,
  STATUS,
} from '../../src/dimse/index.js';

const MPPS = '1.2.840.10008.3.1.2.3.3';
const COMMITMENT = '1.2.840.10008.1.20.1';
const COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';

describe('DIMSE command builders', () => {
  const requests = [
    cEchoRq(1),
    cStoreRq({
      messageId: 2,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
      affectedSopInstanceUid: '1.2.3.4',
    }),
    cFindRq({ messageId: 3, affectedSopClassUid: '1.2.840.10008.5.1.4.31', priority: PRIORITY.low }),
    cGetRq({ messageId: 4, affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.3' }),
    cMoveRq({ messageId: 5, affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.2', moveDestination: 'HNVUE' }),
    cCancelRq(3),
    nEventReportRq({
      messageId: 6,
      affectedSopClassUid: COMMITMENT,
      affectedSopInstanceUid: COMMITMENT_INSTANCE,
      eventTypeId: 1,
      hasDataset: true,
    }),
    nGetRq({
      messageId: 7,
      requestedSopClassUid: '1.2.840.10008.5.1.1.16',
      requestedSopInstanceUid: '1.2.840.10008.5.1.1.17',
    }),
    nSetRq({ messageId: 8, requestedSopClassUid: MPPS, requestedSopInstanceUid: '1.2.3.5' }),
    nActionRq({
      messageId: 9,
      requestedSopClassUid: COMMITMENT,
      requestedSopInstanceUid: COMMITMENT_INSTANCE,
      actionTypeId: 1,
      hasDataset: true,
    }),
    nCreateRq({
      messageId: 10,
      affectedSopClassUid: MPPS,
      affectedSopInstanceUid: '1.2.3.6',
      hasDataset: true,
    }),
    nDeleteRq({
      messageId: 11,
      requestedSopClassUid: '1.2.840.10008.5.1.1.1',
      requestedSopInstanceUid: '1.2.3.7',
    }),
  ];

  it('FR-DICOM-02.dimse: every builder produces a request that encodes and decodes to itself', () => {
    for (const rq of requests) {
      const defined = Object.fromEntries(Object.entries(rq).filter(([, v]) => v !== undefined));
      expect(decodeCommand(encodeCommand(rq)), commandFieldLabel(rq.commandField)).toEqual(defined);
      expect(isResponseField(rq.commandField)).toBe(false);
    }
    expect(requests.map((r) => commandFieldName(r.commandField))).toEqual([
      'C-ECHO-RQ',
      'C-STORE-RQ',
      'C-FIND-RQ',
      'C-GET-RQ',
      'C-MOVE-RQ',
      'C-CANCEL-RQ',
      'N-EVENT-REPORT-RQ',
      'N-GET-RQ',
      'N-SET-RQ',
      'N-ACTION-RQ',
      'N-CREATE-RQ',
      'N-DELETE-RQ',
    ]);
  });

  it('FR-DICOM-04.store: a C-STORE-RSP echoes the message ID and the affected SOP class and instance', () => {
    const rq = requests[1]!;
    expect(responseTo(rq, STATUS.success)).toEqual({
      commandField: COMMAND_FIELD['C-STORE-RSP'],
      messageIdBeingRespondedTo: 2,
      affectedSopClassUid: rq.affectedSopClassUid,
      affectedSopInstanceUid: '1.2.3.4',
      status: 0,
      hasDataset: false,
    });
  });

  it('FR-DICOM-03.responses: a C-FIND-RSP carries no SOP instance, and extra fields override', () => {
    const rsp = responseTo(requests[2]!, STATUS.pending, { hasDataset: true });
    expect(rsp).toEqual({
      commandField: COMMAND_FIELD['C-FIND-RSP'],
      messageIdBeingRespondedTo: 3,
      affectedSopClassUid: '1.2.840.10008.5.1.4.31',
      status: 0xff00,
      hasDataset: true,
    });
  });

  it('FR-DICOM-07: N-ACTION and N-EVENT-REPORT responses map Requested to Affected UIDs and echo the type IDs', () => {
    expect(responseTo(requests[9]!, 0)).toMatchObject({
      commandField: COMMAND_FIELD['N-ACTION-RSP'],
      affectedSopClassUid: COMMITMENT,
      affectedSopInstanceUid: COMMITMENT_INSTANCE,
      actionTypeId: 1,
    });
    expect(responseTo(requests[6]!, 0)).toMatchObject({
      commandField: COMMAND_FIELD['N-EVENT-REPORT-RSP'],
      affectedSopInstanceUid: COMMITMENT_INSTANCE,
      eventTypeId: 1,
    });
  });

  it('FR-DICOM-02.dimse: C-CANCEL-RQ and responses have no response', () => {
    expect(() => responseTo(cCancelRq(1), 0)).toThrow(DimseEncodeError);
    expect(responseFieldFor(COMMAND_FIELD['C-ECHO-RSP'])).toBeUndefined();
    expect(responseFieldFor(0x0777)).toBeUndefined();
    expect(responseFieldFor(COMMAND_FIELD['N-DELETE-RQ'])).toBe(COMMAND_FIELD['N-DELETE-RSP']);
    expect(commandFieldLabel(0x0777)).toBe('command 0x0777');
  });
});
