import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deflateDataset } from '../../src/elements/deflate.js';
import {
  encodePart10Header,
  PART10_TRUNCATED_ERROR_CODE,
  parsePart10Header,
  readPart10Header,
} from '../../src/part10/meta.js';
import { parsePart10File } from '../../src/part10/read.js';
import { cat, ELE, el, text } from '../elements/bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'hnv-part10-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DX = '1.2.840.10008.5.1.4.1.1.1.1';

describe('Part 10 file meta information', () => {
  it('FR-DICOM-04.encoding: reads the meta header of a file written by DCMTK dump2dcm without reading the dataset', async () => {
    const dump = join(dir, 'in.dump');
    writeFileSync(
      dump,
      [
        `(0008,0016) UI =DigitalXRayImageStorageForPresentation`,
        `(0008,0018) UI [1.2.826.0.1.3680043.2.1143.1]`,
        `(0010,0010) PN [TEST^PATIENT]`,
      ].join('\n'),
    );
    const file = join(dir, 'dcmtk.dcm');
    execFileSync('dump2dcm', ['+te', dump, file]);
    const header = await readPart10Header(file);
    expect(header.meta.mediaStorageSopClassUid).toBe(DX);
    expect(header.meta.mediaStorageSopInstanceUid).toBe('1.2.826.0.1.3680043.2.1143.1');
    expect(header.meta.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    expect(header.meta.implementationClassUid).toMatch(/^1\.2\.276\.0\.7230010/);
    const bytes = readFileSync(file);
    // The first dataset element is (0008,0016).
    expect(bytes.readUInt16LE(header.datasetOffset)).toBe(0x0008);
    expect(bytes.readUInt16LE(header.datasetOffset + 2)).toBe(0x0016);
    expect(header.fileSize).toBe(bytes.length);
  });

  it('FR-DICOM-04.encoding: a header we encode in front of a dataset is read by DCMTK dcmdump and by our parser', () => {
    const meta = {
      mediaStorageSopClassUid: DX,
      mediaStorageSopInstanceUid: '1.2.3.4.5',
      transferSyntaxUid: '1.2.840.10008.1.2',
      implementationClassUid: '1.2.3.999',
      implementationVersionName: 'HNVUE_0_1',
      sourceApplicationEntityTitle: 'HNVUE',
    };
    const head = encodePart10Header(meta);
    // (0008,0018) UI "1.2.3.4.5\0" in Implicit VR LE.
    const ds = Buffer.concat([
      Buffer.from([0x08, 0x00, 0x18, 0x00, 10, 0, 0, 0]),
      Buffer.from('1.2.3.4.5\0'),
    ]);
    const file = join(dir, 'ours.dcm');
    writeFileSync(file, Buffer.concat([head, ds]));
    const dump = execFileSync('dcmdump', ['+L', file], { encoding: 'utf8' });
    expect(dump).toContain('(0002,0010) UI =LittleEndianImplicit');
    expect(dump).toContain('(0002,0013) SH [HNVUE_0_1]');
    expect(dump).toContain('(0008,0018) UI [1.2.3.4.5]');
    const parsed = parsePart10Header(head);
    expect(parsed.meta).toEqual(meta);
    expect(parsed.datasetOffset).toBe(head.length);
  });

  it('FR-DICOM-04.encoding: rejects files without DICM and truncated meta groups with a typed error', () => {
    expect(() => parsePart10Header(new Uint8Array(200))).toThrow(
      expect.objectContaining({ code: 'HNV_ERR_PART10' }),
    );
    const head = encodePart10Header({
      mediaStorageSopClassUid: DX,
      mediaStorageSopInstanceUid: '1.2.3',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      implementationClassUid: '1.2.3',
    });
    expect(() => parsePart10Header(head.subarray(0, head.length - 5))).toThrow(
      expect.objectContaining({ code: 'HNV_ERR_PART10_TRUNCATED', offset: expect.any(Number) }),
    );
  });

  it('FR-DICOM-04.encoding: a file cut in the preamble, right after DICM, or at a meta element boundary is truncated, not "not DICOM"', () => {
    const head = encodePart10Header({
      mediaStorageSopClassUid: DX,
      mediaStorageSopInstanceUid: '1.2.3',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
      implementationClassUid: '1.2.3',
    });
    // (0002,0000) 12 bytes, (0002,0001) 14, (0002,0002) 8 + 28: cut after the group length and after (0002,0002).
    for (const cut of [0, 100, 128, 130, 132, 144, 158, 194, head.length - 8]) {
      expect(() => parsePart10Header(head.subarray(0, cut)), `cut at ${cut}`).toThrow(
        expect.objectContaining({ code: PART10_TRUNCATED_ERROR_CODE, offset: expect.any(Number) }),
      );
    }
    // Shorter than a preamble, nothing to tell it from a cut file; but something else than "DICM"
    // after the preamble is not DICOM, cut or not.
    const other = new Uint8Array(131).fill(0x41);
    for (const bytes of [other, other.subarray(0, 130), new Uint8Array(200)]) {
      expect(() => parsePart10Header(bytes)).toThrow(expect.objectContaining({ code: 'HNV_ERR_PART10' }));
    }
  });

  it('FR-DICOM-04.encoding: a Deflated file whose deflate stream is cut is truncated at the end of the file', () => {
    const head = encodePart10Header({
      mediaStorageSopClassUid: DX,
      mediaStorageSopInstanceUid: '1.2.3',
      transferSyntaxUid: '1.2.840.10008.1.2.1.99',
      implementationClassUid: '1.2.3',
    });
    const ds = cat(el(0x00080018, 'UI', text('1.2.3.4'), ELE), el(0x00100010, 'PN', text('Doe^Jane'), ELE));
    const body = deflateDataset(ds);
    const file = new Uint8Array(Buffer.concat([head, body]));
    expect(parsePart10File(file).elements).toHaveLength(2);
    for (const cut of [head.length, head.length + 1, file.length - 1]) {
      expect(() => parsePart10File(file.subarray(0, cut)), `cut at ${cut}`).toThrow(
        expect.objectContaining({ code: PART10_TRUNCATED_ERROR_CODE, offset: cut }),
      );
    }
  });
});
