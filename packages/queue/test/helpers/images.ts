/**
 * Small valid DICOM images for the delivery tests: one DX template built by DCMTK's dump2dcm
 * (Explicit VR LE, 256 × 200 × 16 bit ≈ 100 KB), then copies stamped with distinct SOP Instance
 * UIDs by replacing the fixed-length placeholder UID in place (meta header and data set).
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PEER_ENV } from '@hnvue/testing/peers';

export const DX_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.1.1';
const UID_ROOT = '1.2.826.0.1.3680043.10.543.';
const PLACEHOLDER = `${UID_ROOT}1000000`;

/** The SOP Instance UID of stamped image `n` (1 ≤ n ≤ 999 999): same length as the placeholder. */
export function imageUid(n: number): string {
  return `${UID_ROOT}${1_000_000 + n}`;
}

async function dump2dcm(dump: string, out: string, cwd: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile('dump2dcm', ['+te', dump, out], { cwd, env: PEER_ENV }, (err, _o, stderr) =>
      err ? reject(new Error(`dump2dcm failed: ${stderr}`)) : resolve(),
    );
  });
}

/** Writes `count` images to `dir` as image-<n>.dcm; returns their paths and UIDs. */
export async function makeImages(
  dir: string,
  count: number,
  pixelBytes = 256 * 200 * 2,
): Promise<{ path: string; sopInstanceUid: string }[]> {
  const pixels = Buffer.alloc(pixelBytes);
  for (let i = 0; i < pixels.length; i += 2) pixels.writeUInt16LE((i * 7) & 0x0fff, i);
  await writeFile(join(dir, 'pixels.raw'), pixels);
  const rows = pixelBytes / (256 * 2);
  await writeFile(
    join(dir, 'template.dump'),
    [
      '(0002,0001) OB 00\\01',
      `(0002,0002) UI ${DX_SOP_CLASS}`,
      `(0002,0003) UI [${PLACEHOLDER}]`,
      '(0002,0010) UI =LittleEndianExplicit',
      `(0008,0016) UI ${DX_SOP_CLASS}`,
      `(0008,0018) UI [${PLACEHOLDER}]`,
      '(0008,0060) CS [DX]',
      '(0010,0010) PN [Queue^Test]',
      '(0010,0020) LO [QTEST]',
      `(0020,000d) UI [${UID_ROOT}1]`,
      `(0020,000e) UI [${UID_ROOT}2]`,
      '(0028,0002) US 1',
      '(0028,0004) CS [MONOCHROME2]',
      `(0028,0010) US ${rows}`,
      '(0028,0011) US 256',
      '(0028,0100) US 16',
      '(0028,0101) US 12',
      '(0028,0102) US 11',
      '(0028,0103) US 0',
      '(7fe0,0010) OW =pixels.raw',
      '',
    ].join('\n'),
  );
  await dump2dcm('template.dump', 'template.dcm', dir);
  const template = await readFile(join(dir, 'template.dcm'));
  const needle = Buffer.from(PLACEHOLDER);
  const offsets: number[] = [];
  for (let at = template.indexOf(needle); at >= 0; at = template.indexOf(needle, at + 1)) offsets.push(at);
  if (offsets.length !== 2) throw new Error(`placeholder UID found ${offsets.length} times, expected 2`);
  const images: { path: string; sopInstanceUid: string }[] = [];
  for (let n = 1; n <= count; n++) {
    const uid = imageUid(n);
    for (const at of offsets) template.write(uid, at, 'latin1');
    const path = join(dir, `image-${n}.dcm`);
    await writeFile(path, template);
    images.push({ path, sopInstanceUid: uid });
  }
  return images;
}
