import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCrImage, toPart10Buffer } from '@hnvue/iod';
import { startSimulator } from '@hnvue/simulator';
import { freePort, makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterEach, describe, expect, it } from 'vitest';
import { createDicomServices, type DicomServices } from '../src/index.js';
import { waitFor } from './support.js';

function image(seed: number): Uint8Array {
  const pixels = new Uint16Array(32 * 32).map((_, i) => (i * 7 + seed * 300) % 4096);
  const cr = buildCrImage({
    patient: { name: 'Print^Facade', id: 'PF1' },
    equipment: { manufacturer: 'HnVue' },
    image: { rows: 32, columns: 32, bitsStored: 12, pixels, windowCenter: 2048, windowWidth: 4096 },
    anatomy: { imageLaterality: 'U' },
  });
  return toPart10Buffer(cr.dataset, cr.pixelData);
}

describe('facade print through the queue', { timeout: 60_000 }, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it('FR-DICOM-11: printer down, then a restart of the facade, then printer up: the queued job prints once', async () => {
    const dir = await makeTempDir('hnvue-facade-print-');
    cleanup.push(() => rmTempDir(dir));
    const port = await freePort();
    const config = {
      local: { aeTitle: 'HNVUE_DR1', port: 0 },
      uid: { deviceSerial: '1' },
      printer: { aeTitle: 'PRINTER', host: '127.0.0.1', port },
      queue: {
        path: join(dir, 'queue.sqlite'),
        initialIntervalMs: 100,
        backoffMultiplier: 1,
        maxAttempts: 1000,
      },
    };
    const first: DicomServices = createDicomServices({ config });
    await first.start();
    const retrying = waitFor<string>((done) => first.on('retrying', (_i, f) => done(f.code)), 'retrying');
    const job = await first.print([image(1), image(2), image(3)], {
      layout: 'STANDARD\\2,1',
      imageBox: { rows: 40, columns: 40 },
    });
    expect(job.films).toBe(2);
    expect(await retrying).toBe('HNV_ERR_CONNECT');
    await first.stop({ graceMs: 0 });

    const second = createDicomServices({ config });
    cleanup.push(() => second.stop({ graceMs: 0 }));
    await second.start();
    expect(second.queueItems().filter((i) => i.kind === 'print')).toHaveLength(1);
    const films = join(dir, 'films');
    const { simulator } = await startSimulator({
      storageDir: join(dir, 'pacs'),
      printer: { directory: films, port },
    });
    cleanup.push(() => simulator.stop());
    const printed = waitFor<number>((done) => second.on('printed', (i) => done(i.films)), 'printed');
    const statuses: string[] = [];
    second.on('printerStatus', (s) => statuses.push(s.status));
    expect(await printed).toBe(2);
    await waitFor<void>((done) => second.on('delivered', (i) => i.kind === 'print' && done()), 'delivered');
    expect(statuses).toContain('NORMAL');
    expect((await readdir(films)).sort()).toEqual(['film-0001.png', 'film-0002.png']);
  });
});
