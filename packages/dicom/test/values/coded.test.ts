import { describe, expect, it } from 'vitest';
import { SOP_CLASS } from '../../src/uids/index.js';
import {
  codedEntry,
  codedEntryFromDataset,
  codedEntryToDataset,
  sameCode,
  sopRefFromDataset,
  sopRefToDataset,
} from '../../src/values/index.js';

describe('CodedEntry', () => {
  it('round-trips a Code Sequence item', () => {
    const code = codedEntry('T-D3000', 'SRT', 'Chest');
    expect(codedEntryToDataset(code)).toEqual({
      CodeValue: 'T-D3000',
      CodingSchemeDesignator: 'SRT',
      CodeMeaning: 'Chest',
    });
    expect(codedEntryFromDataset(codedEntryToDataset(code))).toEqual(code);
    expect(
      codedEntryFromDataset({ CodeValue: ['X'], CodingSchemeDesignator: 'L', CodingSchemeVersion: '1' }),
    ).toEqual({
      codeValue: 'X',
      codingSchemeDesignator: 'L',
      codingSchemeVersion: '1',
    });
    expect(codedEntryFromDataset({ CodeMeaning: 'no value' })).toBeUndefined();
  });

  it('uses Long Code Value and URN Code Value (PS3.3 8.8.1.1)', () => {
    const long = codedEntry('A'.repeat(20), '99LOCAL', 'long');
    expect(codedEntryToDataset(long)).toMatchObject({ LongCodeValue: 'A'.repeat(20) });
    expect(codedEntryFromDataset(codedEntryToDataset(long))).toEqual(long);
    const urn = codedEntry('urn:oid:1.2.3', '', 'urn');
    expect(codedEntryToDataset(urn)).toEqual({ URNCodeValue: 'urn:oid:1.2.3', CodeMeaning: 'urn' });
    expect(codedEntryFromDataset(codedEntryToDataset(urn))).toEqual(urn);
  });

  it('compares by value and scheme', () => {
    expect(sameCode(codedEntry('1', 'DCM', 'a'), codedEntry('1', 'DCM', 'b'))).toBe(true);
    expect(sameCode(codedEntry('1', 'DCM'), codedEntry('1', 'SCT'))).toBe(false);
  });
});

describe('SopRef', () => {
  it('round-trips a referenced SOP item', () => {
    const ref = { sopClassUid: SOP_CLASS.digitalXRayImageStorageForPresentation, sopInstanceUid: '2.25.1' };
    expect(sopRefFromDataset(sopRefToDataset(ref))).toEqual(ref);
    expect(sopRefFromDataset({ ReferencedSOPClassUID: SOP_CLASS.verification })).toBeUndefined();
  });
});
