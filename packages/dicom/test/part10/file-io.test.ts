import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileNameForInstance, openPart10File, writePart10File } from '../../src/part10/file-io.js';

const dir = mkdtempSync(join(tmpdir(), 'hnv-part10-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = {
  mediaStorageSopClassUid: '1.2.840.10008.5.1.4.1.1.1.1',
  mediaStorageSopInstanceUid: '1.2.3.4.5',
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  implementationClassUid: '1.2.3.999',
};

function element(group: number, el: number, vr: string, value: Buffer): Buffer {
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(el, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

describe('streaming Part 10 files', () => {
  it('FR-DICOM-04.encoding: a dataset streamed in chunks becomes a file DCMTK reads, and streams back unchanged', async () => {
    const pixels = Buffer.alloc(3 * 1024 * 1024 + 2);
    for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) & 0xff;
    const dataset = Buffer.concat([
      element(0x0008, 0x0016, 'UI', Buffer.from(`${meta.mediaStorageSopClassUid}\0`)),
      element(0x0008, 0x0018, 'UI', Buffer.from('1.2.3.4.5\0')),
      element(0x7fe0, 0x0010, 'OB', pixels),
    ]);
    const chunks = function* () {
      for (let i = 0; i < dataset.length; i += 16_378) yield dataset.subarray(i, i + 16_378);
    };
    const target = join(dir, fileNameForInstance('1.2.3.4.5'));
    const written = await writePart10File(target, meta, chunks());
    expect(written.datasetBytes).toBe(dataset.length);
    expect(execFileSync('dcmdump', ['-q', target], { encoding: 'utf8' })).toContain(
      '(0008,0018) UI [1.2.3.4.5]',
    );

    const source = await openPart10File(target);
    expect(source.meta.mediaStorageSopInstanceUid).toBe('1.2.3.4.5');
    expect(source.datasetLength).toBe(dataset.length);
    const back: Buffer[] = [];
    for await (const c of source.open(64 * 1024)) back.push(Buffer.from(c));
    expect(Buffer.concat(back).equals(dataset)).toBe(true);
    expect(readFileSync(target).length).toBe(source.datasetOffset + dataset.length);
  });

  it('FR-DICOM-04.encoding: a source that fails mid-dataset leaves no file, half or whole, behind', async () => {
    const sub = mkdtempSync(join(dir, 'fail-'));
    async function* broken() {
      yield new Uint8Array(100_000);
      throw new Error('peer aborted');
    }
    await expect(writePart10File(join(sub, 'x.dcm'), meta, broken())).rejects.toThrow('peer aborted');
    expect(readdirSync(sub)).toEqual([]);
  });

  it('FR-DICOM-04.encoding: file names are never derived from a received UID that is not a plain UID', () => {
    expect(fileNameForInstance('1.2.840.1\0')).toBe('1.2.840.1.dcm');
    for (const bad of ['../../etc/passwd', '1.2/3', '..', '1.2.3.', '', 'a.b']) {
      expect(() => fileNameForInstance(bad)).toThrow(expect.objectContaining({ code: 'HNV_ERR_PART10' }));
    }
  });
});
