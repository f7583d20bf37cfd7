import { join } from 'node:path';
import { ConfigError } from '@hnvue/core';
import { decodeDataset, readPart10File } from '@hnvue/dicom';
import { buildCrImage, toPart10Buffer } from '@hnvue/iod';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { type PrintScp, startDcmprscp } from '@hnvue/testing/print';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDicomServices, type DicomServiceConfig, parseConfig } from '../src/index.js';
import { waitFor } from './support.js';

const STORED_PRINT = '1.2.840.10008.5.1.1.27';
const HARDCOPY_GRAYSCALE = '1.2.840.10008.5.1.1.29';

function image(seed: number): Uint8Array {
  const pixels = new Uint16Array(32 * 32).map((_, i) => (i * 5 + seed * 700) % 4096);
  const cr = buildCrImage({
    patient: { name: 'Print^Defaults', id: 'PD1' },
    equipment: { manufacturer: 'HnVue' },
    image: { rows: 32, columns: 32, bitsStored: 12, pixels, windowCenter: 2048, windowWidth: 4096 },
    anatomy: { imageLaterality: 'U' },
  });
  return toPart10Buffer(cr.dataset, cr.pixelData);
}

const base = {
  local: { aeTitle: 'HNVUE_DR1', port: 0 },
  uid: { deviceSerial: '1' },
} as const;

function issuesOf(defaults: unknown): readonly string[] {
  try {
    parseConfig({ ...base, printer: { aeTitle: 'PRN', host: '127.0.0.1', defaults } } as DicomServiceConfig);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  return expect.fail('expected a ConfigError');
}

describe('printer defaults in the configuration', { timeout: 90_000 }, () => {
  let dir: string;
  let scp: PrintScp;

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-facade-print-defaults-');
    scp = await startDcmprscp(dir, 'PRN12', true);
  }, 60_000);

  afterAll(async () => {
    await scp?.stop();
    if (dir) await rmTempDir(dir);
  });

  it('NFR-CFG-01: printer.defaults are validated, each bad value named by its path', () => {
    expect(
      issuesOf({
        layout: 'STANDARD\\0,2',
        copies: 0,
        filmSize: '14inx17in',
        orientation: 'SIDEWAYS',
        bitDepth: 16,
        imageBox: { rows: 4, columns: 512 },
        colour: 'BLUE',
      }).map((i) => i.split(':')[0]),
    ).toEqual([
      'printer.defaults.layout',
      'printer.defaults.copies',
      'printer.defaults.filmSize',
      'printer.defaults.orientation',
      'printer.defaults.bitDepth',
      'printer.defaults.imageBox.rows',
      'printer.defaults.colour',
    ]);
    expect(issuesOf({ minDensity: 300, maxDensity: 200 })).toEqual([
      'printer.defaults.minDensity: expected minDensity not above maxDensity (200), got 300',
    ]);
    const ok = parseConfig({
      ...base,
      printer: {
        aeTitle: 'PRN',
        host: '127.0.0.1',
        defaults: { filmSize: '14INX17IN', imageBox: { rows: 2048, columns: 1680 } },
      },
    });
    expect(ok.printer?.defaults).toEqual({ filmSize: '14INX17IN', imageBox: { rows: 2048, columns: 1680 } });
  });

  it('FR-DICOM-11: print() takes what its options leave out from printer.defaults; a given option wins (DCMTK dcmprscp records it)', async () => {
    const logStart = scp.output().length;
    const services = createDicomServices({
      config: {
        ...base,
        printer: {
          aeTitle: scp.aeTitle,
          host: '127.0.0.1',
          port: scp.port,
          defaults: {
            layout: 'STANDARD\\2,2',
            copies: 2,
            priority: 'LOW',
            mediumType: 'BLUE FILM',
            filmDestination: 'PROCESSOR',
            label: 'RADIOLOGY',
            filmSize: '8INX10IN',
            orientation: 'LANDSCAPE',
            magnification: 'CUBIC',
            border: 'WHITE',
            emptyImageDensity: 'WHITE',
            minDensity: 30,
            maxDensity: 300,
            trim: true,
            bitDepth: 8,
            imageBox: { rows: 24, columns: 24 },
          },
        },
        queue: { path: join(dir, 'queue.sqlite'), initialIntervalMs: 100, backoffMultiplier: 1 },
      },
    });
    await services.start();
    try {
      const delivered = waitFor<void>(
        (done) => services.on('delivered', (i) => i.kind === 'print' && done()),
        'delivered',
      );
      const job = await services.print([image(1), image(2), image(3), image(4)], {
        orientation: 'PORTRAIT',
        filmBox: { maxDensity: 280 },
      });
      expect(job.films).toBe(1); // STANDARD\2,2 from the defaults
      await delivered;
    } finally {
      await services.stop({ graceMs: 0 });
    }
    const stored = [];
    for (const file of await scp.storedFiles()) {
      const p10 = await readPart10File(file);
      const { dataset } = decodeDataset(p10.dataset, { transferSyntax: p10.datasetTransferSyntax });
      stored.push({ sopClass: p10.meta.mediaStorageSopClassUid, dataset });
    }
    const prints = stored.filter((s) => s.sopClass === STORED_PRINT);
    expect(prints).toHaveLength(1);
    const box = (
      prints[0]?.dataset.RETIRED_FilmBoxContentSequence as Record<string, unknown>[] | undefined
    )?.[0];
    expect(box).toMatchObject({
      ImageDisplayFormat: 'STANDARD\\2,2',
      FilmOrientation: 'PORTRAIT', // the call's
      FilmSizeID: '8INX10IN',
      MagnificationType: 'CUBIC',
      BorderDensity: 'WHITE',
      EmptyImageDensity: 'WHITE',
      MinDensity: 30,
      MaxDensity: 280, // the call's
      Trim: 'YES',
    });
    const hardcopies = stored.filter((s) => s.sopClass === HARDCOPY_GRAYSCALE);
    expect(hardcopies.map((h) => [h.dataset.Rows, h.dataset.Columns, h.dataset.BitsStored])).toEqual(
      Array(4).fill([24, 24, 8]),
    );
    // The film session as dcmprscp created it from our N-CREATE (its +d dump; it stores none).
    const session = scp
      .output()
      .slice(logStart)
      .split('OUTGOING DIMSE MESSAGE')
      .find((m) => /N-CREATE RSP/.test(m) && /BasicFilmSessionSOPClass/.test(m))
      ?.split('END DIMSE MESSAGE')[0];
    expect(session).toContain('(2000,0010) IS [2]');
    expect(session).toContain('(2000,0020) CS [LOW]');
    expect(session).toContain('(2000,0030) CS [BLUE FILM]');
    expect(session).toContain('(2000,0040) CS [PROCESSOR]');
    expect(session).toContain('(2000,0050) LO [RADIOLOGY]');
  });
});
