import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { decodeDataset, encodeDataset, TS } from '../../src/index.js';

describe('decodeDataset copyBulk', () => {
  it('FR-DICOM-04.encoding: copyBulk gives each value an ArrayBuffer of exactly its bytes, also from a pooled Node Buffer', () => {
    const bytes = encodeDataset(
      { SOPInstanceUID: '2.25.1', EncapsulatedDocument: new Uint8Array([1, 2, 3, 4]).buffer },
      { transferSyntax: TS.explicitVrLittleEndian },
    );
    // Buffer.from(string) comes out of Node's shared 8 KiB pool: its ArrayBuffer holds other bytes too.
    const pooled = Buffer.from(Buffer.from(bytes).toString('latin1'), 'latin1');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    const { dataset } = decodeDataset(pooled, { transferSyntax: TS.explicitVrLittleEndian, copyBulk: true });
    const value = dataset.EncapsulatedDocument as ArrayBuffer[] | ArrayBuffer;
    const buffer = Array.isArray(value) ? value[0] : value;
    expect(buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(buffer as ArrayBuffer)]).toEqual([1, 2, 3, 4]);
  });
});
