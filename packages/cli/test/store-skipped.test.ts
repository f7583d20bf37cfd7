/** `hnvue store` of a folder names the files it skipped, in the text and the JSON output (issue 18). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TS } from '@hnvue/dicom';
import { type RisPacsSimulator, startSimulator } from '@hnvue/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameInfo, syntheticFrame } from '../../../native/test/helpers/images.js';
import { writePart10 } from '../../../native/test/helpers/part10.js';
import { tempDir } from '../../../native/test/helpers/tools.js';
import { EXIT_CODES, main } from '../src/index.js';
import { context } from './helpers/context.js';

const dir = tempDir('cli-store-skipped');
let sim: RisPacsSimulator;
let pacs: string;

beforeAll(async () => {
  const folder = dir.file('in');
  await mkdir(join(folder, 'sub'), { recursive: true });
  const info = frameInfo(8, 8, 8, 8);
  writePart10(join(folder, 'a.dcm'), {
    info,
    transferSyntaxUid: TS.explicitVrLittleEndian,
    pixelData: syntheticFrame(info),
    encapsulated: false,
  });
  await writeFile(join(folder, 'README.txt'), 'not DICOM');
  await writeFile(join(folder, 'sub', 'DICOMDIR.bak'), Buffer.alloc(200));
  const started = await startSimulator({ storageDir: dir.file('pacs') });
  sim = started.simulator;
  pacs = String(started.address.pacs.port);
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  dir.remove();
});

describe('hnvue store of a folder', () => {
  it('NFR-OBS-01: the files skipped as not DICOM are named in the text and in --json', async () => {
    const text = context();
    expect(await main(['store', '-aec', 'PACS', '127.0.0.1', pacs, dir.file('in')], text)).toBe(
      EXIT_CODES.ok,
    );
    expect(text.stdout()).toContain(
      `skipped ${join(dir.file('in'), 'README.txt')}  (not a DICOM Part 10 file)`,
    );
    expect(text.stdout()).toContain(`skipped ${join(dir.file('in'), 'sub', 'DICOMDIR.bak')}`);
    expect(text.stdout()).toMatch(/1 stored, 0 failed, 2 skipped/);
    const json = context();
    expect(await main(['store', '--json', '-aec', 'PACS', '127.0.0.1', pacs, dir.file('in')], json)).toBe(
      EXIT_CODES.ok,
    );
    const report = JSON.parse(json.stdout()) as { skipped: number; skippedFiles: string[] };
    expect(report.skipped).toBe(2);
    expect(report.skippedFiles).toEqual([
      join(dir.file('in'), 'README.txt'),
      join(dir.file('in'), 'sub', 'DICOMDIR.bak'),
    ]);
  });
});
