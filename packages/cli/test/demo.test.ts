import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, rmTempDir, run } from '@hnvue/testing/peers';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/index.js';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rmTempDir(dir);
});

describe('demo', () => {
  it('FR-DICOM-03/04/05/07/09/11: runs the main job against the simulator, writes a PNG preview and prints a film', async () => {
    dir = await makeTempDir('hnvue-demo-test-');
    const lines: string[] = [];
    const summary = await runDemo({
      outDir: dir,
      size: 256,
      logger: {
        trace: () => {},
        debug: (a: unknown, m?: string) => lines.push(JSON.stringify(a) + (m ?? '')),
        info: (a: unknown, m?: string) => lines.push(JSON.stringify(a) + (m ?? '')),
        warn: (a: unknown, m?: string) => lines.push(JSON.stringify(a) + (m ?? '')),
        error: (a: unknown, m?: string) => lines.push(JSON.stringify(a) + (m ?? '')),
        fatal: () => {},
        child() {
          return this;
        },
      },
    });
    expect(summary.mppsStatus).toBe('COMPLETED');
    expect(summary.committed).toBe(2);
    expect(summary.steps.map((s) => s.name)).toContain('committed');
    const png = await readFile(summary.preview);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // FR-DICOM-11: the image printed on the simulator's printer, its film rendered to a PNG.
    expect(summary.steps.map((s) => s.name)).toContain('film printed');
    expect(summary.film).toBe(join(dir, 'films', 'film-0001.png'));
    const film = await readFile(summary.film);
    expect(film.subarray(1, 4).toString()).toBe('PNG');
    expect([film.readUInt32BE(16), film.readUInt32BE(20)]).toEqual([512, 512]); // IHDR: the image box
    // FR-DICOM-08/09: what the PACS received passes dciodvfy with zero errors.
    const received = await readdir(join(dir, 'pacs'));
    expect(received).toHaveLength(2);
    for (const name of received) {
      const check = await run('dciodvfy', [join(dir, 'pacs', name)]);
      expect(check.stderr.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
    }
    const all = lines.join('\n');
    for (const phi of ['Hong', 'Gildong', '홍', 'SIM-0001', 'SIMACC0001', '19800115'])
      expect(all).not.toContain(phi);
  });
});
