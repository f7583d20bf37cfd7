import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createJsonLogger, guardLogger, HnvError, REDACTED, redactPhi } from '../src/index.js';

const PHI = {
  PatientName: 'HONG^GILDONG',
  PatientID: 'PID-778899',
  PatientBirthDate: '19710304',
  AccessionNumber: 'ACC-55501',
  OtherPatientIDs: 'ALT-4411',
  PatientAddress: '12 Sejong-daero',
};
const KOREAN = '홍길동';

function datasetLike(): Record<string, unknown> {
  return {
    ...PHI,
    PatientName: `HONG^GILDONG=${KOREAN}`,
    SOPInstanceUID: '1.2.3.4.5',
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
    Rows: 2048,
    ReferencedStudySequence: [{ ReferencedSOPInstanceUID: '1.2.3', PatientID: PHI.PatientID }],
    _meta: { TransferSyntaxUID: { vr: 'UI', Value: ['1.2.840.10008.1.2.1'] } },
  };
}

const denaturalized = {
  '00100010': { vr: 'PN', Value: [{ Alphabetic: PHI.PatientName }] },
  '00100020': { vr: 'LO', Value: [PHI.PatientID] },
  '00080050': { vr: 'SH', Value: [PHI.AccessionNumber] },
  '00080018': { vr: 'UI', Value: ['1.2.3.9'] },
};

function assertNoPhi(output: string): void {
  for (const value of [...Object.values(PHI), KOREAN, 'HONG']) expect(output).not.toContain(value);
}

describe('NFR-SEC-01: PHI guard', () => {
  it('NFR-SEC-01: pino at debug level through guardLogger never prints patient identifiers', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = guardLogger(pino({ level: 'debug' }, sink));
    log.debug({ dataset: datasetLike() }, 'dataset received');
    log.info({ ds: denaturalized, nested: { deeper: { PatientBirthDate: PHI.PatientBirthDate } } }, 'nested');
    log.child({ PatientID: PHI.PatientID }).warn({ items: [datasetLike()] }, 'child');
    log.error({ err: new HnvError('HNV_ERR_DIMSE_FAILURE', 'failed for instance 1.2.3') }, 'error');
    const output = lines.join('');
    assertNoPhi(output);
    expect(output).toContain('1.2.3.4.5');
    expect(output).toContain('1.2.3.9');
    expect(output).toContain('HNV_ERR_DIMSE_FAILURE');
    expect(lines).toHaveLength(4);
  });

  it('NFR-SEC-01: the JSON logger through guardLogger redacts too', () => {
    let out = '';
    const log = guardLogger(createJsonLogger({ level: 'trace', write: (l) => (out += l) }));
    log.trace({ request: { identifier: datasetLike() } }, 'find');
    assertNoPhi(out);
    expect(JSON.parse(out).request.identifier.Rows).toBe(2048);
  });

  it('NFR-SEC-01: redactPhi keeps allow-listed values, redacts the rest, survives cycles', () => {
    const ds = datasetLike() as Record<string, unknown>;
    ds.self = ds;
    const red = redactPhi({ ds, bytes: new Uint8Array(10) }) as Record<string, Record<string, unknown>>;
    expect(red.ds?.PatientName).toBe(REDACTED);
    expect(red.ds?.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.1.1');
    expect(red.bytes).toBe('[10 bytes]');
    assertNoPhi(JSON.stringify(red));
  });
});

describe('HnvError', () => {
  it('carries a stable code, details and cause', () => {
    const cause = new Error('socket closed');
    const err = new HnvError('HNV_ERR_DIMSE_FAILURE', 'failed', { cause, details: { status: 0xa700 } });
    expect(err.code).toBe('HNV_ERR_DIMSE_FAILURE');
    expect(err.cause).toBe(cause);
    expect(err.name).toBe('HnvError');
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'HnvError',
      code: 'HNV_ERR_DIMSE_FAILURE',
      message: 'failed',
      details: { status: 0xa700 },
    });
  });
});
