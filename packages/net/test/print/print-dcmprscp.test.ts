import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeDataset, readPart10File } from '@hnvue/dicom';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrintPixels, PrintRejectedError, PrintScu, printFilms } from '../../src/index.js';
import { type PrintScp, startDcmprscp } from './dcmprscp.js';

const run = promisify(execFile);
const HARDCOPY_GRAYSCALE = '1.2.840.10008.5.1.1.29';
const STORED_PRINT = '1.2.840.10008.5.1.1.27';

function ramp(bitDepth: 8 | 12, rows: number, columns: number, seed: number): PrintPixels {
  const max = bitDepth === 8 ? 255 : 4095;
  const n = rows * columns;
  const data = bitDepth === 8 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) data[i] = (i * 7 + seed * 131 + Math.floor(i / columns) * 3) % (max + 1);
  return bitDepth === 8
    ? { bitDepth, rows, columns, data: data as Uint8Array }
    : { bitDepth, rows, columns, data: data as Uint16Array };
}

interface Stored {
  readonly sopClass: string;
  readonly dataset: Record<string, unknown>;
  readonly file: string;
}

async function stored(scp: PrintScp): Promise<Stored[]> {
  const out: Stored[] = [];
  for (const file of await scp.storedFiles()) {
    const p10 = await readPart10File(file);
    const { dataset } = decodeDataset(p10.dataset, {
      transferSyntax: p10.datasetTransferSyntax,
      copyBulk: true,
    });
    out.push({ sopClass: p10.meta.mediaStorageSopClassUid ?? '', dataset, file });
  }
  return out;
}

function pixelsOf(ds: Record<string, unknown>): Uint8Array | Uint16Array {
  const buf = (ds.PixelData as ArrayBuffer[])[0] as ArrayBuffer;
  return ds.BitsAllocated === 8 ? new Uint8Array(buf) : new Uint16Array(buf);
}

describe('Basic Grayscale Print SCU against DCMTK dcmprscp', { timeout: 120_000 }, () => {
  let dir: string;
  let full: PrintScp; // Supports12Bit = true
  let eightOnly: PrintScp; // Supports12Bit = false

  const open = (scp: PrintScp) =>
    PrintScu.open({ host: '127.0.0.1', port: scp.port, callingAeTitle: 'HNVUE', calledAeTitle: scp.aeTitle });

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-print-');
    full = await startDcmprscp(dir, 'PRN12', true);
    eightOnly = await startDcmprscp(dir, 'PRN8', false);
  }, 60_000);

  afterAll(async () => {
    await full?.stop();
    await eightOnly?.stop();
    if (dir) await rmTempDir(dir);
  });

  it('FR-DICOM-11: N-GET Printer gives the printer status as typed data', async () => {
    const scu = await open(full);
    try {
      const printer = await scu.getPrinter();
      expect(printer.status).toBe('NORMAL');
      // dcmprscp 3.6.7 answers Printer Status and Printer Status Info only (no name or model).
      expect(printer.statusInfo).toBe('NORMAL');
      expect(printer.printerName).toBeUndefined();
    } finally {
      await scu.release();
    }
  });

  it('FR-DICOM-11: a 1×1 film of an 8-bit image and a 2×2 film of 12-bit images are stored with exactly our pixels', async () => {
    const before = (await full.storedFiles()).length;
    const one = ramp(8, 64, 48, 1);
    const four = [0, 1, 2, 3].map((k) => ramp(12, 40 + k * 4, 32, k + 2));
    const scu = await open(full);
    try {
      expect(scu.presentationLutAccepted).toBe(true);
      const result = await printFilms(scu, {
        session: {
          copies: 2,
          priority: 'MED',
          mediumType: 'BLUE FILM',
          filmDestination: 'PROCESSOR',
          label: 'TESTLABEL',
        },
        films: [
          {
            filmBox: {
              format: { columns: 1, rows: 1 },
              orientation: 'PORTRAIT',
              filmSize: '14INX17IN',
              magnification: 'NONE',
              borderDensity: 'BLACK',
              trim: false,
            },
            images: [{ pixels: one }],
          },
          {
            filmBox: {
              format: { columns: 2, rows: 2 },
              orientation: 'LANDSCAPE',
              filmSize: '8INX10IN',
              magnification: 'REPLICATE',
              emptyImageDensity: 'WHITE',
            },
            // Position 2 printed inverted: Polarity goes with the image box (PS3.3 C.13.5).
            images: four.map((pixels, k) => ({ pixels, polarity: k === 1 ? 'REVERSE' : 'NORMAL' })),
          },
        ],
      });
      expect(result.films).toHaveLength(2);
      expect(result.films.every((f) => f.convertedTo8Bit === 0)).toBe(true);
    } finally {
      await scu.release();
    }
    const all = await stored(full);
    const added = all.slice(0).filter((s) => s.sopClass === HARDCOPY_GRAYSCALE);
    expect(all.length - before).toBeGreaterThanOrEqual(5 + 2);
    // Each sent image appears once, pixel for pixel, with its depth.
    for (const sent of [one, ...four]) {
      const match = added.find((s) => s.dataset.Rows === sent.rows && s.dataset.Columns === sent.columns);
      expect(match, `hardcopy ${sent.rows}×${sent.columns}`).toBeDefined();
      const ds = (match as Stored).dataset;
      expect(ds.BitsStored).toBe(sent.bitDepth);
      expect(ds.BitsAllocated).toBe(sent.bitDepth === 8 ? 8 : 16);
      expect(ds.PhotometricInterpretation).toBe('MONOCHROME2');
      expect(Array.from(pixelsOf(ds))).toEqual(Array.from(sent.data));
    }
    // The Stored Print objects record the film box and session attributes we sent.
    const prints = all.filter((s) => s.sopClass === STORED_PRINT);
    expect(prints.length).toBeGreaterThanOrEqual(2);
    const films = prints.map((p) => {
      // Stored Print Storage (PS3.3 A.33, retired): the film box and image boxes as the SCP recorded them.
      const box =
        (p.dataset.RETIRED_FilmBoxContentSequence as Record<string, unknown>[] | undefined)?.[0] ?? {};
      const images =
        (p.dataset.RETIRED_ImageBoxContentSequence as Record<string, unknown>[] | undefined) ?? [];
      return {
        format: box.ImageDisplayFormat,
        orientation: box.FilmOrientation,
        size: box.FilmSizeID,
        magnification: box.MagnificationType,
        polarity: images
          .map((i) => [i.ImageBoxPosition, i.Polarity ?? ''] as const)
          .sort((a, b) => Number(a[0]) - Number(b[0]))
          .map(([, v]) => v),
        file: p.file,
      };
    });
    const one1 = films.find((f) => f.format === 'STANDARD\\1,1');
    const two2 = films.find((f) => f.format === 'STANDARD\\2,2');
    expect(one1).toMatchObject({ orientation: 'PORTRAIT', size: '14INX17IN', magnification: 'NONE' });
    expect(one1?.polarity).toEqual(['']); // not sent, not invented
    expect(two2).toMatchObject({ orientation: 'LANDSCAPE', size: '8INX10IN', magnification: 'REPLICATE' });
    expect(two2?.polarity).toEqual(['NORMAL', 'REVERSE', 'NORMAL', 'NORMAL']);
    // Read back with DCMTK's own dumper too: what we sent, as dcmprscp wrote it.
    const dump1 = (await run('dcmdump', [(one1 as { file: string }).file])).stdout;
    expect(dump1).toContain('(2100,0070) AE [HNVUE]');
    expect(dump1).toContain('(2010,0100) CS [BLACK]');
    expect(dump1).toContain('(2010,0140) CS [NO]');
    const dump2 = (await run('dcmdump', [(two2 as { file: string }).file])).stdout;
    expect(dump2).toContain('(2100,0070) AE [HNVUE]');
    expect(dump2).toContain('(2010,0110) CS [WHITE]');
    expect(dump2).toContain('(2020,0020) CS [REVERSE]');
    // dcmprscp 3.6.7 keeps the film session (copies, priority, medium, destination, label) in
    // memory only, not in its stored objects: its DIMSE dump (+d) of the N-CREATE-RSP shows the
    // session it created from our request.
    const log = full.output();
    const rsp = log
      .split('OUTGOING DIMSE MESSAGE')
      .find((m) => /N-CREATE RSP/.test(m) && /BasicFilmSessionSOPClass/.test(m) && /0x0000: Success/.test(m));
    expect(rsp, 'film session N-CREATE-RSP in the dcmprscp dump').toBeDefined();
    const session = rsp?.split('END DIMSE MESSAGE')[0] ?? '';
    expect(session).toContain('(2000,0010) IS [2]');
    expect(session).toContain('(2000,0020) CS [MED]');
    expect(session).toContain('(2000,0030) CS [BLUE FILM]');
    expect(session).toContain('(2000,0040) CS [PROCESSOR]');
    expect(session).toContain('(2000,0050) LO [TESTLABEL]');
  });

  it('FR-DICOM-11: a 12-bit image to an 8-bit-only printer is a typed error, or converted when asked', async () => {
    const pixels = ramp(12, 32, 32, 9);
    const job = {
      session: { copies: 1 },
      films: [{ filmBox: { format: { columns: 1, rows: 1 } }, images: [{ pixels }] }],
    };
    let scu = await open(eightOnly);
    try {
      await expect(printFilms(scu, job)).rejects.toBeInstanceOf(PrintRejectedError);
    } finally {
      await scu.release();
    }
    scu = await open(eightOnly);
    try {
      const result = await printFilms(scu, { ...job, on12BitRefused: 'convert' });
      expect(result.films[0]?.convertedTo8Bit).toBe(1);
    } finally {
      await scu.release();
    }
    const hardcopies = (await stored(eightOnly)).filter((s) => s.sopClass === HARDCOPY_GRAYSCALE);
    expect(hardcopies).toHaveLength(1);
    const ds = (hardcopies[0] as Stored).dataset;
    expect(ds.BitsStored).toBe(8);
    expect(Array.from(pixelsOf(ds))).toEqual(Array.from(pixels.data, (v) => v >> 4));
  });
});
