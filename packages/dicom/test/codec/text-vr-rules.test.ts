import { describe, expect, it } from 'vitest';
import { decodeDataset, encodeDataset, TS } from '../../src/index.js';

const ESC = 0x1b;
const count = (bytes: Uint8Array, byte: number): number => bytes.filter((b) => b === byte).length;

describe('the data set codec applies the per-VR text rules of PS3.5 6.1.2.5.3', () => {
  it('FR-DICOM-03.charset: in an LT value a backslash is text: one G1 designation, kept across it, both ways', () => {
    const dataset = { SpecificCharacterSet: ['', 'ISO 2022 IR 149'], ImageComments: '홍\\길동' };
    const bytes = encodeDataset(dataset, { transferSyntax: TS.explicitVrLittleEndian });
    // ESC $ ) C once: the backslash of a single-valued text VR does not return to value 1's sets.
    expect(count(bytes, ESC)).toBe(1);
    const { dataset: back } = decodeDataset(bytes, { transferSyntax: TS.explicitVrLittleEndian });
    expect(back.ImageComments).toBe('홍\\길동');
  });

  it('FR-DICOM-03.charset: in a multi-valued LO the backslash separates values and each value designates again', () => {
    const dataset = { SpecificCharacterSet: ['', 'ISO 2022 IR 149'], InstitutionName: '홍\\길동' };
    const bytes = encodeDataset(dataset, { transferSyntax: TS.explicitVrLittleEndian });
    expect(count(bytes, ESC)).toBe(2);
    const { dataset: back } = decodeDataset(bytes, { transferSyntax: TS.explicitVrLittleEndian });
    expect(back.InstitutionName).toEqual(['홍', '길동']);
  });
});
