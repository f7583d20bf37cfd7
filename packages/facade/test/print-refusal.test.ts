import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { buildCrImage, toPart10Buffer } from '@hnvue/iod';
import { type PrinterStatusReport, startSimulator } from '@hnvue/simulator';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { startDcmprscp } from '@hnvue/testing/print';
import { afterEach, describe, expect, it } from 'vitest';
import { createDicomServices, type DicomServiceConfig, type DicomServices } from '../src/index.js';
import { waitFor } from './support.js';

function image(seed: number): Uint8Array {
  const pixels = new Uint16Array(32 * 32).map((_, i) => (i * 11 + seed * 300) % 4096);
  const cr = buildCrImage({
    patient: { name: 'Print^Refusal', id: 'PR1' },
    equipment: { manufacturer: 'HnVue' },
    image: { rows: 32, columns: 32, bitsStored: 12, pixels, windowCenter: 2048, windowWidth: 4096 },
    anatomy: { imageLaterality: 'U' },
  });
  return toPart10Buffer(cr.dataset, cr.pixelData);
}

function configFor(
  dir: string,
  printer: { aeTitle: string; port: number },
  maxAttempts = 1000,
): DicomServiceConfig {
  return {
    local: { aeTitle: 'HNVUE_DR1', port: 0 },
    uid: { deviceSerial: '1' },
    printer: { aeTitle: printer.aeTitle, host: '127.0.0.1', port: printer.port },
    queue: { path: join(dir, 'queue.sqlite'), initialIntervalMs: 100, backoffMultiplier: 1, maxAttempts },
  };
}

interface Seen {
  readonly events: string[];
  readonly failed: Promise<{ code: string; queueItemId: number }>;
}

function watch(services: DicomServices): Seen {
  const events: string[] = [];
  services.on('retrying', (_i, f) => events.push(`retrying ${f.code}`));
  services.on('printerStatus', (s) => events.push(`printer ${s.status} ${s.statusInfo ?? ''}`.trim()));
  services.on('printed', (p) => events.push(`printed ${p.films}`));
  services.on('delivered', (i) => events.push(`delivered ${i.kind}`));
  const failed = waitFor<{ code: string; queueItemId: number }>(
    (done) =>
      services.on('failed', (i, f) => {
        events.push(`failed ${f.code}`);
        done({ code: f.code, queueItemId: i.queueItemId });
      }),
    'failed',
  );
  failed.catch(() => {});
  return { events, failed };
}

describe('facade print: refusals end FAILED with their code, busy printers are retried', {
  timeout: 90_000,
}, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setUp(printer: { aeTitle: string; port: number }, dir: string, maxAttempts?: number) {
    const services = createDicomServices({ config: configFor(dir, printer, maxAttempts) });
    cleanup.push(() => services.stop({ graceMs: 0 }));
    await services.start();
    return services;
  }

  it('FR-DICOM-11: DCMTK dcmprscp refusing a 12-bit image box (on12BitRefused: error) fails the job at once: FAILED, HNV_ERR_PRINT_REJECTED, a failed event', async () => {
    const dir = await makeTempDir('hnvue-facade-print-refusal-');
    cleanup.push(() => rmTempDir(dir));
    const scp = await startDcmprscp(dir, 'PRN8', false);
    cleanup.push(() => scp.stop());
    const services = await setUp(scp, dir);
    const seen = watch(services);
    const job = await services.print([image(1)], {
      bitDepth: 12,
      on12BitRefused: 'error',
      imageBox: { rows: 32, columns: 32 },
    });
    const failed = await seen.failed;
    expect(failed).toEqual({ code: 'HNV_ERR_PRINT_REJECTED', queueItemId: job.queueItemId });
    // A refusal that would come again unchanged is not retried.
    expect(seen.events).toEqual(['printer NORMAL NORMAL', 'failed HNV_ERR_PRINT_REJECTED']);
    const item = services.queueItems().find((i) => i.id === job.queueItemId);
    expect(item).toMatchObject({ kind: 'print', state: 'FAILED', attemptCount: 1 });
    expect(item?.lastErrorCode).toBe('HNV_ERR_PRINT_REJECTED');
    // Nothing reached the printer's store: the job was refused before its N-ACTION.
    expect(await scp.storedFiles()).toEqual([]);
  });

  it('FR-DICOM-11: a printer reporting FAILURE (FILM JAM) is retried until it reports NORMAL, then the film prints once', async () => {
    const dir = await makeTempDir('hnvue-facade-print-jam-');
    cleanup.push(() => rmTempDir(dir));
    let jams = 2;
    const status = (): PrinterStatusReport =>
      jams-- > 0 ? { status: 'FAILURE', info: 'FILM JAM' } : { status: 'NORMAL', info: 'NORMAL' };
    const films = join(dir, 'films');
    const { simulator, address } = await startSimulator({
      storageDir: join(dir, 'pacs'),
      printer: { directory: films, status },
    });
    cleanup.push(() => simulator.stop());
    const printer = address.printer as { aeTitle: string; port: number };
    const services = await setUp(printer, dir);
    const seen = watch(services);
    const delivered = waitFor<void>(
      (done) => services.on('delivered', (i) => i.kind === 'print' && done()),
      'delivered',
    );
    await services.print([image(2)], { imageBox: { rows: 32, columns: 32 } });
    await delivered;
    expect(seen.events).toEqual([
      'printer FAILURE FILM JAM',
      'retrying HNV_ERR_PRINTER_FAILURE',
      'printer FAILURE FILM JAM',
      'retrying HNV_ERR_PRINTER_FAILURE',
      'printer NORMAL NORMAL',
      'printed 1',
      'delivered print',
    ]);
    expect(await readdir(films)).toEqual(['film-0001.png']);
  });

  it('FR-DICOM-11: a printer that stays in FAILURE past maxAttempts ends FAILED with HNV_ERR_PRINTER_FAILURE, not lost', async () => {
    const dir = await makeTempDir('hnvue-facade-print-down-');
    cleanup.push(() => rmTempDir(dir));
    const { simulator, address } = await startSimulator({
      storageDir: join(dir, 'pacs'),
      printer: { directory: join(dir, 'films'), status: () => ({ status: 'FAILURE', info: 'SUPPLY EMPTY' }) },
    });
    cleanup.push(() => simulator.stop());
    const services = await setUp(address.printer as { aeTitle: string; port: number }, dir, 3);
    const seen = watch(services);
    const job = await services.print([image(3)], { imageBox: { rows: 32, columns: 32 } });
    expect((await seen.failed).code).toBe('HNV_ERR_PRINTER_FAILURE');
    expect(seen.events.filter((e) => e.startsWith('retrying'))).toHaveLength(2);
    expect(seen.events.at(-1)).toBe('failed HNV_ERR_PRINTER_FAILURE');
    expect(seen.events).not.toContain('printed 1');
    expect(services.queueItems().find((i) => i.id === job.queueItemId)).toMatchObject({
      state: 'FAILED',
      attemptCount: 3,
      lastErrorCode: 'HNV_ERR_PRINTER_FAILURE',
    });
  });
});
