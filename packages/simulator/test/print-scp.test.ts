import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { createServer, type DicomServer, PrintScu, printFilms } from '@hnvue/net';
import { makeTempDir, rmTempDir } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeFilm, PRINT_SCP_CONTEXTS, printScpHandlers, startSimulator } from '../src/index.js';

/** Reads back our own 8-bit grey PNG (no filter): width, height, pixels. */
function readPng(bytes: Buffer): { width: number; height: number; grey: Uint8Array } {
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let off = 8; off < bytes.length; ) {
    const len = bytes.readUInt32BE(off);
    if (bytes.toString('latin1', off + 4, off + 8) === 'IDAT')
      idat.push(bytes.subarray(off + 8, off + 8 + len));
    off += len + 12;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const grey = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    grey.set(raw.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  return { width, height, grey };
}

describe('simulator print SCP driven by our print SCU', { timeout: 60_000 }, () => {
  let dir: string;
  let server: DicomServer;
  let port: number;

  beforeAll(async () => {
    dir = await makeTempDir('hnvue-sim-print-');
    server = createServer({
      contexts: PRINT_SCP_CONTEXTS,
      handlers: printScpHandlers({ directory: join(dir, 'films') }),
    });
    port = await server.listen(0);
  });

  afterAll(async () => {
    await server?.close();
    if (dir) await rmTempDir(dir);
  });

  it('FR-DICOM-11: a 2×2 film of 12-bit and 8-bit images is rendered to a PNG with those pixels', async () => {
    const a = new Uint16Array(6 * 4).map((_, i) => i * 160);
    const b = new Uint8Array(6 * 4).map((_, i) => 255 - i * 5);
    const scu = await PrintScu.open({
      host: '127.0.0.1',
      port,
      callingAeTitle: 'HNVUE',
      calledAeTitle: 'PRINTSCP',
    });
    try {
      expect((await scu.getPrinter()).status).toBe('NORMAL');
      const result = await printFilms(scu, {
        session: { copies: 1 },
        films: [
          {
            filmBox: { format: { columns: 2, rows: 2 }, borderDensity: 'BLACK' },
            images: [
              { pixels: { bitDepth: 12, rows: 6, columns: 4, data: a } },
              { pixels: { bitDepth: 8, rows: 6, columns: 4, data: b } },
            ],
          },
        ],
      });
      expect(result.films).toHaveLength(1);
    } finally {
      await scu.release();
    }
    const files = await readdir(join(dir, 'films'));
    expect(files).toEqual(['film-0001.png']);
    const film = readPng(await readFile(join(dir, 'films', 'film-0001.png')));
    const expected = composeFilm({
      columns: 2,
      rows: 2,
      white: false,
      images: [
        { rows: 6, columns: 4, grey: Uint8Array.from(a, (v) => v >> 4) },
        { rows: 6, columns: 4, grey: b },
        undefined,
        undefined,
      ],
    });
    expect({ width: film.width, height: film.height }).toEqual({ width: 8, height: 12 });
    expect(Array.from(film.grey)).toEqual(Array.from(expected.grey));
    // Independently: the top-left cell is image a, the bottom half is the black border.
    expect(film.grey[8 * 5 + 3]).toBe((a[5 * 4 + 3] as number) >> 4);
    expect(film.grey.subarray(8 * 6).every((v) => v === 0)).toBe(true);
  });

  it('FR-DICOM-11: the simulator started with a printer serves print and reports each film', async () => {
    const { simulator, address } = await startSimulator({
      storageDir: join(dir, 'pacs'),
      printer: { directory: join(dir, 'sim-films') },
    });
    try {
      const printed: string[] = [];
      simulator.on('filmPrinted', (path) => printed.push(path));
      const printer = address.printer;
      expect(printer).toBeDefined();
      const scu = await PrintScu.open({
        host: '127.0.0.1',
        port: printer?.port ?? 0,
        callingAeTitle: 'HNVUE',
        calledAeTitle: printer?.aeTitle ?? '',
      });
      try {
        await printFilms(scu, {
          session: { copies: 1 },
          films: [
            {
              filmBox: { format: { columns: 1, rows: 1 } },
              images: [
                { pixels: { bitDepth: 8, rows: 2, columns: 2, data: new Uint8Array([0, 85, 170, 255]) } },
              ],
            },
          ],
        });
      } finally {
        await scu.release();
      }
      expect(printed).toHaveLength(1);
      const film = readPng(await readFile(printed[0] as string));
      expect(Array.from(film.grey)).toEqual([0, 85, 170, 255]);
    } finally {
      await simulator.stop();
    }
  });
});
