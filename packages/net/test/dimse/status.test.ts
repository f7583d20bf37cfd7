import { describe, expect, it } from 'vitest';
import {
  COMMAND_FIELD,
  classifyStatus,
  describeStatus,
  dimseFailureError,
  STATUS,
  type StatusClass,
} from '../../src/dimse/index.js';
import { DimseFailureError, NET_ERROR_CODES } from '../../src/errors.js';

/** Expected class of every 16-bit status, written from PS3.7 Annex C independently of the code. */
function expectedClass(s: number): StatusClass {
  if (s === 0) return 'success';
  if (s === 0xff00 || s === 0xff01) return 'pending';
  if (s === 0xfe00) return 'cancel';
  if (s === 0x0001 || s === 0x0107 || s === 0x0116 || (s >= 0xb000 && s <= 0xbfff)) return 'warning';
  return 'failure';
}

describe('DIMSE status codes (PS3.7 Annex C)', () => {
  it('FR-DICOM-02.dimse: classifies every one of the 65536 status values', () => {
    const counts: Record<StatusClass, number> = { success: 0, warning: 0, failure: 0, pending: 0, cancel: 0 };
    for (let s = 0; s <= 0xffff; s++) {
      const cls = classifyStatus(s);
      if (cls !== expectedClass(s)) expect.fail(`0x${s.toString(16)}: ${cls}`);
      counts[cls]++;
    }
    expect(counts).toEqual({
      success: 1,
      warning: 4096 + 3,
      failure: 65536 - 1 - 4099 - 2 - 1,
      pending: 2,
      cancel: 1,
    });
  });

  const table: [number, StatusClass][] = [
    [0x0000, 'success'],
    [0x0001, 'warning'],
    [0x0107, 'warning'],
    [0x0116, 'warning'],
    [0xb000, 'warning'],
    [0xb006, 'warning'],
    [0xb007, 'warning'],
    [0xbfff, 'warning'],
    [0xff00, 'pending'],
    [0xff01, 'pending'],
    [0xfe00, 'cancel'],
    [0xa700, 'failure'],
    [0xa7ff, 'failure'],
    [0xa801, 'failure'],
    [0xa900, 'failure'],
    [0xc000, 'failure'],
    [0xcfff, 'failure'],
    [0x0105, 'failure'],
    [0x0110, 'failure'],
    [0x0112, 'failure'],
    [0x0122, 'failure'],
    [0x0124, 'failure'],
    [0x0211, 'failure'],
    [0x0213, 'failure'],
    [0xff02, 'failure'],
    [0xfe01, 'failure'],
  ];
  for (const [status, cls] of table) {
    it(`FR-DICOM-02.dimse: 0x${status.toString(16).padStart(4, '0')} is ${cls}`, () => {
      expect(classifyStatus(status)).toBe(cls);
    });
  }

  it('FR-DICOM-04.store: describes C-STORE statuses with the PS3.4 B.2.3 meanings', () => {
    const store = COMMAND_FIELD['C-STORE-RSP'];
    expect(describeStatus(0xa700, store)).toBe('0xA700 Refused: out of resources');
    expect(describeStatus(0xa7f3, store)).toBe('0xA7F3 Refused: out of resources');
    expect(describeStatus(0xa900, store)).toBe('0xA900 Error: data set does not match SOP class');
    expect(describeStatus(0xc123, store)).toBe('0xC123 Error: cannot understand');
    expect(describeStatus(0xb000, store)).toBe('0xB000 Warning: coercion of data elements');
    expect(describeStatus(0xb006, store)).toBe('0xB006 Warning: elements discarded');
    expect(describeStatus(0xb007, store)).toBe('0xB007 Warning: data set does not match SOP class');
    expect(describeStatus(0x0122, COMMAND_FIELD['C-STORE-RQ'])).toBe(
      '0x0122 Refused: SOP class not supported',
    );
    expect(describeStatus(0x0000, store)).toBe('0x0000 Success');
  });

  it('FR-DICOM-03.responses: describes C-FIND statuses (PS3.4 C.4.1.1.4, K.4.1.1.4)', () => {
    const find = COMMAND_FIELD['C-FIND-RSP'];
    expect(describeStatus(0xff00, find)).toMatch(/Pending: matches are continuing, current match supplied/);
    expect(describeStatus(0xff01, find)).toMatch(/optional keys were not supported/);
    expect(describeStatus(0xfe00, find)).toMatch(/Cancel: matching terminated/);
    expect(describeStatus(0xa700, find)).toBe('0xA700 Refused: out of resources');
    expect(describeStatus(0xa900, find)).toBe('0xA900 Failed: identifier does not match SOP class');
    expect(describeStatus(0xc001, find)).toBe('0xC001 Failed: unable to process');
  });

  it('FR-DICOM-06: describes C-MOVE and C-GET statuses (PS3.4 C.4.2.1.5, C.4.3.1.4)', () => {
    const move = COMMAND_FIELD['C-MOVE-RSP'];
    const get = COMMAND_FIELD['C-GET-RSP'];
    expect(describeStatus(0xa801, move)).toBe('0xA801 Refused: move destination unknown');
    expect(describeStatus(0xa801, get)).toMatch(/^0xA801 Refused or failed/);
    expect(describeStatus(0xa701, get)).toMatch(/unable to calculate number of matches/);
    expect(describeStatus(0xa702, move)).toMatch(/unable to perform sub-operations/);
    expect(describeStatus(0xb000, move)).toMatch(/sub-operations complete, one or more failures/);
    expect(describeStatus(0xff00, get)).toBe('0xFF00 Pending: sub-operations are continuing');
    expect(describeStatus(0xfe00, move)).toMatch(/sub-operations terminated due to cancel/);
  });

  it('FR-DICOM-05: describes general statuses for N-services (PS3.7 C.4, C.5)', () => {
    const nset = COMMAND_FIELD['N-SET-RSP'];
    expect(describeStatus(0x0110, nset)).toBe('0x0110 Failure: processing failure');
    expect(describeStatus(0x0112)).toBe('0x0112 Failure: no such SOP instance');
    expect(describeStatus(0x0211)).toBe('0x0211 Failure: unrecognized operation');
    expect(describeStatus(0x0001, COMMAND_FIELD['N-GET-RSP'])).toMatch(
      /optional attributes are not supported/,
    );
    expect(describeStatus(0x0107)).toBe('0x0107 Warning: attribute list error');
    expect(describeStatus(0x0116)).toBe('0x0116 Warning: attribute value out of range');
    expect(describeStatus(0xff01)).toBe('0xFF01 Pending: warning');
    expect(describeStatus(0xa700)).toBe('0xA700 Refused or failed (service-specific)');
    expect(describeStatus(0xb123)).toBe('0xB123 Warning (service-specific)');
    expect(describeStatus(0xc000)).toBe('0xC000 Failed (service-specific)');
    expect(describeStatus(0x0333)).toBe('0x0333 Failure (unknown status code)');
  });

  it('FR-DICOM-02.dimse: STATUS names the codes with the values PS3.7 gives them', () => {
    expect(STATUS.success).toBe(0);
    expect(STATUS.pending).toBe(0xff00);
    expect(STATUS.pendingWarning).toBe(0xff01);
    expect(STATUS.cancel).toBe(0xfe00);
    expect(STATUS.sopClassNotSupported).toBe(0x0122);
    expect(STATUS.outOfResources).toBe(0xa700);
    expect(classifyStatus(STATUS.coercionOfDataElements)).toBe('warning');
  });

  it('NFR-SEC-01: a failure error carries status, command and error ID but not the peer Error Comment', () => {
    const err = dimseFailureError({
      commandField: COMMAND_FIELD['C-STORE-RSP'],
      messageIdBeingRespondedTo: 3,
      status: 0xa900,
      errorComment: 'PatientID 12345 HONG^GILDONG mismatch',
      errorId: 7,
      offendingElement: [0x00100020],
      hasDataset: false,
    });
    expect(err).toBeInstanceOf(DimseFailureError);
    expect(err.code).toBe(NET_ERROR_CODES.dimseFailure);
    expect(err.status).toBe(0xa900);
    expect(err.message).toBe(
      'C-STORE-RSP failed with status 0xA900 Error: data set does not match SOP class',
    );
    expect(err.details).toMatchObject({
      status: 0xa900,
      commandField: 0x8001,
      errorId: 7,
      offendingElement: [0x00100020],
    });
    expect(JSON.stringify(err.toJSON())).not.toMatch(/HONG|12345/);
  });
});
