import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeDataset, readPart10File } from '@hnvue/dicom';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { type PrintScp, startDcmprscp } from '@hnvue/testing/print';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FilmBoxRequest,
  type FilmSessionRequest,
  type PrintPixels,
  PrintRejectedError,
  PrintScu,
  printFilms,
  type StandardFormat,
} from '../../src/index.js';

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

interface DimseMessage {
  readonly direction: 'INCOMING' | 'OUTGOING';
  /** `N-CREATE RQ`, `N-DELETE RSP`… */
  readonly type: string;
  /** DCMTK's name of the SOP class (`BasicFilmBoxSOPClass`), or a UID it does not name. */
  readonly sopClass: string;
  readonly sopInstance: string;
  readonly text: string;
}

/** The DIMSE messages of dcmprscp's `+d` dump, in the order it logged them. */
function dimseMessages(log: string): DimseMessage[] {
  const out: DimseMessage[] = [];
  const re = /=+ (INCOMING|OUTGOING) DIMSE MESSAGE =+\n([\s\S]*?)=+ END DIMSE MESSAGE =+/g;
  for (const m of log.matchAll(re)) {
    const text = m[2] ?? '';
    const field = (name: string) =>
      new RegExp(`(?:Affected|Requested) ${name}\\s*: (\\S+)`).exec(text)?.[1] ?? '';
    out.push({
      direction: m[1] as DimseMessage['direction'],
      type: /Message Type\s*: (.+)/.exec(text)?.[1]?.trim() ?? '',
      sopClass: field('SOP Class UID'),
      sopInstance: field('SOP Instance UID'),
      text,
    });
  }
  return out;
}

interface Case {
  readonly name: string;
  readonly format: StandardFormat;
  readonly bitDepth: 8 | 12;
  readonly session: Required<FilmSessionRequest>;
  readonly filmBox: Omit<FilmBoxRequest, 'format'> &
    Required<Pick<FilmBoxRequest, 'orientation' | 'filmSize' | 'magnification'>>;
  /** Polarity of each image box position; undefined: not sent. */
  readonly polarity: readonly ('NORMAL' | 'REVERSE' | undefined)[];
}

// The Proof's four films: 1×1 and 2×2, of 8-bit and 12-bit images, each with its own session and
// film box attributes (values the printer's configuration in @hnvue/testing/print accepts).
const CASES: readonly Case[] = [
  {
    name: '1×1 8-bit',
    format: { columns: 1, rows: 1 },
    bitDepth: 8,
    session: {
      copies: 2,
      priority: 'MED',
      mediumType: 'BLUE FILM',
      filmDestination: 'PROCESSOR',
      label: 'F1X1B8',
    },
    filmBox: {
      orientation: 'PORTRAIT',
      filmSize: '14INX17IN',
      magnification: 'NONE',
      borderDensity: 'BLACK',
      trim: false,
    },
    polarity: [undefined],
  },
  {
    name: '1×1 12-bit',
    format: { columns: 1, rows: 1 },
    bitDepth: 12,
    session: {
      copies: 1,
      priority: 'HIGH',
      mediumType: 'CLEAR FILM',
      filmDestination: 'MAGAZINE',
      label: 'F1X1B12',
    },
    filmBox: {
      orientation: 'LANDSCAPE',
      filmSize: '8INX10IN',
      magnification: 'BILINEAR',
      borderDensity: 'WHITE',
      trim: true,
    },
    polarity: ['REVERSE'],
  },
  {
    name: '2×2 8-bit',
    format: { columns: 2, rows: 2 },
    bitDepth: 8,
    session: {
      copies: 3,
      priority: 'LOW',
      mediumType: 'PAPER',
      filmDestination: 'PROCESSOR',
      label: 'F2X2B8',
    },
    filmBox: {
      orientation: 'PORTRAIT',
      filmSize: '14INX17IN',
      magnification: 'CUBIC',
      emptyImageDensity: 'BLACK',
      minDensity: 30,
      maxDensity: 300,
    },
    polarity: ['NORMAL', undefined, 'REVERSE', undefined],
  },
  {
    name: '2×2 12-bit',
    format: { columns: 2, rows: 2 },
    bitDepth: 12,
    session: {
      copies: 2,
      priority: 'MED',
      mediumType: 'BLUE FILM',
      filmDestination: 'MAGAZINE',
      label: 'F2X2B12',
    },
    filmBox: {
      orientation: 'LANDSCAPE',
      filmSize: '8INX10IN',
      magnification: 'REPLICATE',
      emptyImageDensity: 'WHITE',
    },
    // Position 2 printed inverted: Polarity goes with the image box (PS3.3 C.13.5).
    polarity: ['NORMAL', 'REVERSE', 'NORMAL', 'NORMAL'],
  },
];

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

  // conformance: SCU basicGrayscalePrintManagementMeta
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

  // conformance: SCU basicGrayscalePrintManagementMeta presentationLut
  for (const { name, format, bitDepth, session, filmBox, polarity } of CASES) {
    it(`FR-DICOM-11: a ${name} film is stored with exactly our pixels and the film box and session we sent`, async () => {
      const seen = new Set(await full.storedFiles());
      const logStart = full.output().length;
      const count = format.columns * format.rows;
      // Distinct sizes, so a mix-up between positions cannot go unnoticed.
      const sent = Array.from({ length: count }, (_, k) =>
        ramp(bitDepth, 40 + k * 4, 32 + k * 2, k + bitDepth),
      );
      const scu = await open(full);
      try {
        expect(scu.presentationLutAccepted).toBe(true);
        const result = await printFilms(scu, {
          session,
          films: [
            {
              filmBox: { format, ...filmBox },
              images: sent.map((pixels, k) => ({
                pixels,
                ...(polarity[k] === undefined ? {} : { polarity: polarity[k] }),
              })),
            },
          ],
        });
        expect(result.films).toHaveLength(1);
        expect(result.films[0]?.convertedTo8Bit).toBe(0);
      } finally {
        await scu.release();
      }
      const added = (await stored(full)).filter((s) => !seen.has(s.file));
      const hardcopies = added.filter((s) => s.sopClass === HARDCOPY_GRAYSCALE);
      const prints = added.filter((s) => s.sopClass === STORED_PRINT);
      expect(hardcopies).toHaveLength(count);
      expect(prints).toHaveLength(1);
      const print = (prints[0] as Stored).dataset;
      // Stored Print Storage (PS3.3 A.33, retired): the film box and image boxes as the SCP recorded them.
      const box = (print.RETIRED_FilmBoxContentSequence as Record<string, unknown>[])[0] ?? {};
      expect(box.ImageDisplayFormat).toBe(`STANDARD\\${format.columns},${format.rows}`);
      expect(box.FilmOrientation).toBe(filmBox.orientation);
      expect(box.FilmSizeID).toBe(filmBox.filmSize);
      expect(box.MagnificationType).toBe(filmBox.magnification);
      if (filmBox.borderDensity !== undefined) expect(box.BorderDensity).toBe(filmBox.borderDensity);
      if (filmBox.emptyImageDensity !== undefined)
        expect(box.EmptyImageDensity).toBe(filmBox.emptyImageDensity);
      if (filmBox.minDensity !== undefined) expect(box.MinDensity).toBe(filmBox.minDensity);
      if (filmBox.maxDensity !== undefined) expect(box.MaxDensity).toBe(filmBox.maxDensity);
      if (filmBox.trim !== undefined) expect(box.Trim).toBe(filmBox.trim ? 'YES' : 'NO');
      // Each image box position refers to the Hardcopy Grayscale object holding exactly its pixels.
      const boxes = (print.RETIRED_ImageBoxContentSequence as Record<string, unknown>[])
        .slice()
        .sort((a, b) => Number(a.ImageBoxPosition) - Number(b.ImageBoxPosition));
      expect(boxes.map((b) => b.ImageBoxPosition)).toEqual(sent.map((_, k) => k + 1));
      expect(boxes.map((b) => b.Polarity ?? '')).toEqual(sent.map((_, k) => polarity[k] ?? '')); // not sent, not invented
      for (const [k, image] of boxes.entries()) {
        const ref = (image.ReferencedImageSequence as Record<string, unknown>[])[0]?.ReferencedSOPInstanceUID;
        const hardcopy = hardcopies.find((h) => h.dataset.SOPInstanceUID === ref);
        expect(hardcopy, `hardcopy of position ${k + 1}`).toBeDefined();
        const ds = (hardcopy as Stored).dataset;
        const want = sent[k] as PrintPixels;
        expect([ds.Rows, ds.Columns]).toEqual([want.rows, want.columns]);
        expect(ds.BitsStored).toBe(bitDepth);
        expect(ds.BitsAllocated).toBe(bitDepth === 8 ? 8 : 16);
        expect(ds.PhotometricInterpretation).toBe('MONOCHROME2');
        expect(Array.from(pixelsOf(ds))).toEqual(Array.from(want.data));
      }
      // Read back with DCMTK's own dumper too: our calling AE title as the film's owner.
      const dump = (await run('dcmdump', [(prints[0] as Stored).file])).stdout;
      expect(dump).toContain('(2100,0070) AE [HNVUE]');
      // dcmprscp 3.6.7 keeps the film session (copies, priority, medium, destination, label) in
      // memory only, not in its stored objects: its DIMSE dump (+d) of the N-CREATE-RSP shows the
      // session it created from our request.
      const rsp = dimseMessages(full.output().slice(logStart)).find(
        (m) =>
          m.direction === 'OUTGOING' &&
          m.type === 'N-CREATE RSP' &&
          m.sopClass === 'BasicFilmSessionSOPClass' &&
          /0x0000: Success/.test(m.text),
      );
      expect(rsp, 'film session N-CREATE-RSP in the dcmprscp dump').toBeDefined();
      const text = rsp?.text ?? '';
      expect(text).toContain(`(2000,0010) IS [${session.copies}]`);
      expect(text).toContain(`(2000,0020) CS [${session.priority}]`);
      expect(text).toContain(`(2000,0030) CS [${session.mediumType}]`);
      expect(text).toContain(`(2000,0040) CS [${session.filmDestination}]`);
      expect(text).toContain(`(2000,0050) LO [${session.label}]`);
    });
  }

  it('FR-DICOM-11: N-DELETE goes film box by film box after its N-ACTION, then the film session (PS3.4 H.4)', async () => {
    const logStart = full.output().length;
    const scu = await open(full);
    let result: Awaited<ReturnType<typeof printFilms>>;
    try {
      result = await printFilms(scu, {
        session: { copies: 1 },
        films: [1, 2].map((seed) => ({
          filmBox: { format: { columns: 1, rows: 1 } },
          images: [{ pixels: ramp(8, 16, 16, seed) }],
        })),
      });
    } finally {
      await scu.release();
    }
    const [first, second] = result.films.map((f) => f.filmBoxUid);
    // What dcmprscp received, in order (its +d dump of every incoming DIMSE message).
    const incoming = dimseMessages(full.output().slice(logStart))
      .filter((m) => m.direction === 'INCOMING' && /^N-(ACTION|DELETE) RQ$/.test(m.type))
      .map((m) => `${m.type} ${m.sopClass} ${m.sopInstance}`);
    expect(incoming).toEqual([
      `N-ACTION RQ BasicFilmBoxSOPClass ${first}`,
      `N-DELETE RQ BasicFilmBoxSOPClass ${first}`,
      `N-ACTION RQ BasicFilmBoxSOPClass ${second}`,
      `N-DELETE RQ BasicFilmBoxSOPClass ${second}`,
      `N-DELETE RQ BasicFilmSessionSOPClass ${result.filmSessionUid}`,
      expect.stringMatching(/^N-DELETE RQ PresentationLUTSOPClass /),
    ]);
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
