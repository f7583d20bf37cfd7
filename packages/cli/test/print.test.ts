import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeDataset, readPart10File } from '@hnvue/dicom';
import { buildCrImage, preparePrintImage, readPart10, toPart10Buffer } from '@hnvue/iod';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { type PrintScp, startDcmprscp } from '@hnvue/testing/print';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliContext, EXIT_CODES, main } from '../src/index.js';

const HARDCOPY_GRAYSCALE = '1.2.840.10008.5.1.1.29';
const STORED_PRINT = '1.2.840.10008.5.1.1.27';

function context(): CliContext & { stdout: string[] } {
  const stdout: string[] = [];
  const noop = () => {};
  const logger = {
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: noop,
    fatal: noop,
    child: () => logger,
  };
  return {
    stdout,
    out: (t) => stdout.push(t),
    err: () => {},
    interactive: false,
    logger: () => logger,
    signal: new AbortController().signal,
  };
}

function image(seed: number) {
  const rows = 48;
  const columns = 32;
  const pixels = new Uint16Array(rows * columns);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 13 + seed * 701) % 4096;
  const cr = buildCrImage({
    patient: { name: 'Print^Test', id: 'PRT1' },
    equipment: { manufacturer: 'HnVue' },
    image: { rows, columns, bitsStored: 12, pixels, windowCenter: 2048, windowWidth: 3000 },
    anatomy: { imageLaterality: 'U' },
  });
  return toPart10Buffer(cr.dataset, cr.pixelData);
}

describe('hnvue print against DCMTK dcmprscp', { timeout: 120_000 }, () => {
  let dir: string;
  let scp: PrintScp;
  const files: string[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-cli-print-');
    scp = await startDcmprscp(dir, 'PRN12', true);
    for (let k = 0; k < 4; k++) {
      const file = join(dir, `img${k}.dcm`);
      await writeFile(file, image(k));
      files.push(file);
    }
  }, 60_000);

  afterAll(async () => {
    await scp?.stop();
    if (dir) await rmTempDir(dir);
  });

  const target = () => ['--host', '127.0.0.1', '--port', String(scp.port), '--aec', scp.aeTitle];

  it('FR-DICOM-11: hnvue print --status reports the printer status', async () => {
    const ctx = context();
    expect(await main(['print', '--status', ...target()], ctx)).toBe(EXIT_CODES.ok);
    expect(ctx.stdout.join('')).toContain('printer status: NORMAL');
  });

  it('FR-DICOM-11: hnvue print FILE… --format STANDARD\\2,2 prints one film with the prepared pixels', async () => {
    const ctx = context();
    const code = await main(
      [
        'print',
        ...files,
        '--format',
        'STANDARD\\2,2',
        '--copies',
        '2',
        '--film-size',
        '14INX17IN',
        '--orientation',
        'PORTRAIT',
        '--box',
        '40x40',
        ...target(),
      ],
      ctx,
    );
    expect(code, ctx.stdout.join('')).toBe(EXIT_CODES.ok);
    expect(ctx.stdout.join('')).toContain('printed 1 film (4 images, 2 copies)');
    const stored = [];
    for (const f of await scp.storedFiles()) {
      const p10 = await readPart10File(f);
      if (p10.meta.mediaStorageSopClassUid !== HARDCOPY_GRAYSCALE) continue;
      const { dataset } = decodeDataset(p10.dataset, {
        transferSyntax: p10.datasetTransferSyntax,
        copyBulk: true,
      });
      stored.push(Array.from(new Uint16Array((dataset.PixelData as ArrayBuffer[])[0] as ArrayBuffer)));
    }
    expect(stored).toHaveLength(4);
    for (const file of files) {
      const dataset = readPart10(await readFile(file));
      const prepared = await preparePrintImage(dataset, { rows: 40, columns: 40, bitDepth: 12 });
      expect(stored).toContainEqual(Array.from(prepared.data));
    }
  });

  it('FR-DICOM-11: hnvue print --presentation-state prints with the GSPS (dcmpsmk-made, dcmodify-edited) of its image', async () => {
    const gspsFile = join(dir, 'img0.gsps.dcm');
    execFileSync('dcmpsmk', ['+Vw', files[0]!, gspsFile]);
    execFileSync('dcmodify', [
      '-nb',
      ...['(0028,3110)[0].(0028,1050)=1200', '(0028,3110)[0].(0028,1051)=900'].flatMap((e) => ['-m', e]),
      ...['(2050,0020)=INVERSE', '(0070,0041)=N', '(0070,0042)=90'].flatMap((e) => ['-i', e]),
      gspsFile,
    ]);
    const before = new Set(await scp.storedFiles());
    const ctx = context();
    const args = ['print', files[0]!, '--presentation-state', gspsFile, '--box', '40x40', ...target()];
    expect(await main(args, ctx), ctx.stdout.join('')).toBe(EXIT_CODES.ok);
    const stored = [];
    for (const f of (await scp.storedFiles()).filter((f) => !before.has(f))) {
      const p10 = await readPart10File(f);
      if (p10.meta.mediaStorageSopClassUid !== HARDCOPY_GRAYSCALE) continue;
      const { dataset } = decodeDataset(p10.dataset, {
        transferSyntax: p10.datasetTransferSyntax,
        copyBulk: true,
      });
      stored.push(Array.from(new Uint16Array((dataset.PixelData as ArrayBuffer[])[0] as ArrayBuffer)));
    }
    const dataset = readPart10(await readFile(files[0]!));
    const box = { rows: 40, columns: 40, bitDepth: 12 } as const;
    const withGsps = await preparePrintImage(dataset, {
      ...box,
      presentationState: readPart10(await readFile(gspsFile)),
    });
    const plain = await preparePrintImage(dataset, box);
    expect(stored).toEqual([Array.from(withGsps.data)]);
    expect(Array.from(withGsps.data)).not.toEqual(Array.from(plain.data));
    // A presentation state of another image is a usage error, before the printer is called.
    const other = join(dir, 'img1.gsps.dcm');
    execFileSync('dcmpsmk', [files[1]!, other]);
    expect(await main(['print', files[0]!, '--presentation-state', other, ...target()], context())).toBe(
      EXIT_CODES.usage,
    );
  });

  it('FR-DICOM-11: hnvue print -c FILE takes what the command line leaves out from printer.defaults', async () => {
    const configFile = join(dir, 'print-defaults.json');
    await writeFile(
      configFile,
      JSON.stringify({
        local: { aeTitle: 'HNVUE' },
        uid: { deviceSerial: '1' },
        printer: {
          aeTitle: scp.aeTitle,
          host: '127.0.0.1',
          port: scp.port,
          defaults: {
            filmSize: '8INX10IN',
            orientation: 'LANDSCAPE',
            magnification: 'CUBIC',
            trim: true,
            bitDepth: 8,
            imageBox: { rows: 24, columns: 24 },
          },
        },
      }),
    );
    const before = new Set(await scp.storedFiles());
    const ctx = context();
    const code = await main(['print', files[1]!, '-c', configFile, '--orientation', 'PORTRAIT'], ctx);
    expect(code, ctx.stdout.join('')).toBe(EXIT_CODES.ok);
    const added = [];
    for (const f of (await scp.storedFiles()).filter((f) => !before.has(f))) {
      const p10 = await readPart10File(f);
      const { dataset } = decodeDataset(p10.dataset, { transferSyntax: p10.datasetTransferSyntax });
      added.push({ sopClass: p10.meta.mediaStorageSopClassUid, dataset });
    }
    const hardcopy = added.find((a) => a.sopClass === HARDCOPY_GRAYSCALE)?.dataset;
    expect([hardcopy?.Rows, hardcopy?.Columns, hardcopy?.BitsStored]).toEqual([24, 24, 8]);
    const print = added.find((a) => a.sopClass === STORED_PRINT)?.dataset;
    const box = (print?.RETIRED_FilmBoxContentSequence as Record<string, unknown>[] | undefined)?.[0];
    expect(box).toMatchObject({
      FilmSizeID: '8INX10IN',
      FilmOrientation: 'PORTRAIT', // the command line's
      MagnificationType: 'CUBIC',
      Trim: 'YES',
    });
  });

  it('FR-DICOM-11: hnvue print without files or --status is a usage error', async () => {
    expect(await main(['print', ...target()], context())).toBe(EXIT_CODES.usage);
  });
});
