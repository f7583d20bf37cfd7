/**
 * decodeDataset builds dcmjs's naturalized form directly (no DICOM JSON, no naturalizeDataset
 * pass). These tests hold it to what dcmjs 0.52.2's naturalizeDataset makes of the DICOM JSON model
 * of the same bytes: same keys in the same order, same values, same proxies and accessors.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeDataset, EXPLICIT_VR_LE, encodeDataset, IMPLICIT_VR_LE } from '../../src/codec/index.js';

const require = createRequire(import.meta.url);
const { DicomMetaDictionary } = (
  require('dcmjs') as {
    data: { DicomMetaDictionary: { naturalizeDataset(json: unknown): Record<string, unknown> } };
  }
).data;

/** Structural equality, stricter than toEqual: own keys in order (non-enumerable too), proxies, String objects. */
function sameShape(a: unknown, b: unknown, path = 'ds'): string | undefined {
  if (typeof a !== typeof b) return `${path}: ${typeof a} vs ${typeof b}`;
  if (typeof a === 'function') return undefined;
  if (a === null || b === null || typeof a !== 'object') {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  if (Array.isArray(x) !== Array.isArray(y)) return `${path}: array vs not`;
  for (const marker of ['__isProxy', '__hasTagAccessors', '__hasValueAccessors']) {
    if (x[marker] !== y[marker]) return `${path}: ${marker}`;
  }
  if (x instanceof ArrayBuffer || y instanceof ArrayBuffer) {
    return x instanceof ArrayBuffer &&
      y instanceof ArrayBuffer &&
      Buffer.from(x).equals(Buffer.from(y as ArrayBuffer))
      ? undefined
      : `${path}: ArrayBuffer`;
  }
  const keysA = Reflect.ownKeys(x).map(String);
  const keysB = Reflect.ownKeys(y).map(String);
  if (keysA.join() !== keysB.join()) return `${path}: keys [${keysA}] vs [${keysB}]`;
  for (const key of keysA) {
    const diff = sameShape(x[key], y[key], `${path}.${key}`);
    if (diff) return diff;
  }
  return undefined;
}

// A natural data set that touches every branch of the naturalized form; `json` is its DICOM JSON
// model as the codec decodes it (trimmed text, DS/IS as numbers, PN as objects, empty as no Value).
const natural = {
  SpecificCharacterSet: 'ISO_IR 100',
  ImageType: ['ORIGINAL', 'PRIMARY'],
  AccessionNumber: null,
  ReferringPhysicianName: 'REF^DOC',
  ReferencedStudySequence: [{ ReferencedSOPClassUID: '1.2.3', ReferencedSOPInstanceUID: '1.2.3.4' }],
  PatientName: 'Müller^Jürgen',
  PatientID: 'P1',
  OtherPatientNames: ['A^B', 'C^D'],
  PatientWeight: '70.5',
  PatientComments: '  kept  leading',
  FrameIncrementPointer: '00181063',
  Rows: 512,
  OtherPatientIDsSequence: [{ PatientID: 'X1' }, { PatientID: 'X2' }],
  RequestedProcedureCodeSequence: [],
  ImageDisplayFormat: 'STANDARD\\1,1',
  EncapsulatedDocument: new Uint8Array([1, 2, 3, 4]).buffer,
};
const json = {
  '00080005': { vr: 'CS', Value: ['ISO_IR 100'] },
  '00080008': { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY'] },
  '00080050': { vr: 'SH' },
  '00080090': { vr: 'PN', Value: [{ Alphabetic: 'REF^DOC' }] },
  '00081110': {
    vr: 'SQ',
    Value: [{ '00081150': { vr: 'UI', Value: ['1.2.3'] }, '00081155': { vr: 'UI', Value: ['1.2.3.4'] } }],
  },
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Jürgen' }] },
  '00100020': { vr: 'LO', Value: ['P1'] },
  '00101001': { vr: 'PN', Value: [{ Alphabetic: 'A^B' }, { Alphabetic: 'C^D' }] },
  '00101030': { vr: 'DS', Value: [70.5] },
  '00104000': { vr: 'LT', Value: ['  kept  leading'] },
  '00280009': { vr: 'AT', Value: ['00181063'] },
  '00280010': { vr: 'US', Value: [512] },
  '00101002': {
    vr: 'SQ',
    Value: [{ '00100020': { vr: 'LO', Value: ['X1'] } }, { '00100020': { vr: 'LO', Value: ['X2'] } }],
  },
  '00321064': { vr: 'SQ', Value: [] },
  '20100010': { vr: 'ST', Value: ['STANDARD\\1,1'] },
  '00420011': { vr: 'OB', Value: [new Uint8Array([1, 2, 3, 4]).buffer] },
};

describe('naturalized form', () => {
  for (const ts of [EXPLICIT_VR_LE, IMPLICIT_VR_LE]) {
    it(`FR-DICOM-03.dataset: decodeDataset with copyBulk gives what dcmjs naturalizeDataset gives for the same DICOM JSON (${ts})`, () => {
      const { dataset, problems } = decodeDataset(encodeDataset(natural, { transferSyntax: ts }), {
        transferSyntax: ts,
        copyBulk: true,
      });
      expect(problems).toEqual([]);
      // Wire order differs from `json` order; dcmjs walks its JSON keys (index-like keys first).
      const expected = DicomMetaDictionary.naturalizeDataset(
        Object.fromEntries(Object.entries(json).sort(([a], [b]) => a.localeCompare(b))),
      );
      expect(sameShape(dataset, expected)).toBeUndefined();
      expect(JSON.stringify(dataset)).toBe(JSON.stringify(expected));
    });
  }

  it('FR-DICOM-03.dataset: without copyBulk a binary value is a Uint8Array view of the input, the rest as dcmjs gives it', () => {
    const bytes = encodeDataset(natural, { transferSyntax: EXPLICIT_VR_LE });
    const { dataset } = decodeDataset(bytes, { transferSyntax: EXPLICIT_VR_LE });
    const document = dataset.EncapsulatedDocument as Uint8Array[];
    expect(document).toHaveLength(1);
    expect(document[0]).toBeInstanceOf(Uint8Array);
    expect(document[0]?.buffer).toBe(bytes.buffer);
    expect([...(document[0] as Uint8Array)]).toEqual([1, 2, 3, 4]);
    const copied = decodeDataset(bytes, { transferSyntax: EXPLICIT_VR_LE, copyBulk: true }).dataset;
    const { EncapsulatedDocument: _a, ...rest } = dataset;
    const { EncapsulatedDocument: _b, ...restCopied } = copied;
    expect(sameShape(rest, restCopied)).toBeUndefined();
  });

  it('FR-DICOM-03.dataset: keeps dcmjs accessors: one-item sequences read through, PN values serialise to JSON', () => {
    const { dataset } = decodeDataset(encodeDataset(natural));
    const sequence = dataset.ReferencedStudySequence as Record<string, unknown> & unknown[];
    expect(sequence).toHaveLength(1);
    expect(sequence.ReferencedSOPInstanceUID).toBe('1.2.3.4');
    expect((dataset.PatientName as Record<string, unknown>).Alphabetic).toBe('Müller^Jürgen');
    expect(JSON.parse(JSON.stringify(dataset.OtherPatientNames))).toEqual([
      { Alphabetic: 'A^B' },
      { Alphabetic: 'C^D' },
    ]);
    expect(dataset.AccessionNumber).toBeNull();
    expect(dataset.RequestedProcedureCodeSequence).toEqual([]);
    // (2010,0010)'s JSON key is an array index: dcmjs lists its keyword right after _vrMap.
    expect(Object.keys(dataset).slice(0, 2)).toEqual(['_vrMap', 'ImageDisplayFormat']);
  });

  it('FR-DICOM-03.dataset: records a VR that differs from the dictionary in _vrMap, as dcmjs does', () => {
    // (0028,0106) Smallest Image Pixel Value is US or SS in the dictionary ('xs'); Implicit VR
    // reads it as US, which dcmjs notes in _vrMap.
    const { dataset } = decodeDataset(encodeDataset({ SmallestImagePixelValue: 3 }));
    const expected = DicomMetaDictionary.naturalizeDataset({ '00280106': { vr: 'US', Value: [3] } });
    expect(sameShape(dataset, expected)).toBeUndefined();
    expect(dataset._vrMap).toEqual({ SmallestImagePixelValue: 'US' });
  });
});
