/**
 * Issue 12 through the real `hnvue store` binary: a DX built by @hnvue/iod, converted by DCMTK
 * `dcmconv` to Explicit VR Big Endian and Deflated Explicit VR LE, reaches storescp peers that
 * accept only Implicit VR LE (`+xi`) or only Explicit VR LE, re-encoded, with the same data set
 * values and pixel bytes; a truncated file ends the command with exit 8 and one PHI-free line
 * naming the file, the code and the byte offset, before any connection is made.
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePart10File, SOP_CLASS, TS, walkDataset } from '@hnvue/dicom';
import { buildDxImage, readPart10, toPart10Buffer } from '@hnvue/iod';
import { makeTempDir, rmTempDir, run, startStorescp } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/index.js';

const BIN = fileURLToPath(new URL('../bin/hnvue.mjs', import.meta.url));
const PATIENT = { name: 'Reencode^Cli', id: 'CLI-RE-7' };

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function hnvue(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, HNVUE_CLI_SOURCE: '1' }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

let dir: string;
let original: string;
let bigEndian: string;
let deflated: string;
let large: string;

function dxFile(rows: number, columns: number): Buffer {
  const dx = buildDxImage({
    patient: PATIENT,
    study: { studyInstanceUid: `2.25.${Date.now()}${rows}` },
    equipment: { manufacturer: 'HnVue' },
    image: {
      rows,
      columns,
      bitsStored: 12,
      pixels: Uint16Array.from({ length: rows * columns }, (_, i) => (i * 13 + (i >> 6)) & 0xfff),
      windowCenter: 2048,
      windowWidth: 4096,
    },
    anatomy: { imageLaterality: 'U', bodyPart: 'CHEST' },
    acquisition: { kvp: 120, viewPosition: 'PA' },
    presentationIntent: 'FOR PRESENTATION',
    detector: { type: 'SCINTILLATOR', imagerPixelSpacingMm: [0.14, 0.14] },
  });
  return toPart10Buffer(dx.dataset, dx.pixelData);
}

async function dcmconv(flag: string, input: string, output: string): Promise<string> {
  const r = await run('dcmconv', [flag, input, output]);
  if (r.code !== 0) throw new Error(`dcmconv ${flag}: ${r.stderr}`);
  return output;
}

beforeAll(async () => {
  dir = await makeTempDir('hnvue-cli-reencode-');
  original = join(dir, 'dx.dcm');
  await writeFile(original, dxFile(128, 96));
  bigEndian = await dcmconv('+tb', original, join(dir, 'dx-be.dcm'));
  deflated = await dcmconv('+td', original, join(dir, 'dx-deflated.dcm'));
  large = join(dir, 'dx-large.dcm');
  await writeFile(large, dxFile(1024, 768));
}, 60_000);
afterAll(async () => {
  await rmTempDir(dir);
});

/** The naturalized data set (our reader, any native syntax) without Pixel Data, and its pixels. */
async function content(path: string): Promise<{ dataset: Record<string, unknown>; pixels: Buffer }> {
  const file = new Uint8Array(await readFile(path));
  const { PixelData, ...dataset } = readPart10(file);
  const parsed = parsePart10File(file);
  const pixel = parsed.elements.find((e) => e.tag === 0x7fe00010);
  expect(pixel, 'Pixel Data').toBeDefined();
  expect(PixelData).toBeDefined();
  return { dataset, pixels: Buffer.from(parsed.dataset.subarray(pixel!.valueStart, pixel!.end)) };
}

async function listener(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => count,
  };
}

/** A copy of `from` cut to `length` bytes. */
async function cutFile(from: string, name: string, length: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, (await readFile(from)).subarray(0, length));
  return path;
}

/** File offsets of the top-level elements of an Explicit VR LE file. */
async function elementsOf(
  path: string,
): Promise<{ tag: number; start: number; valueStart: number; end: number }[]> {
  const file = parsePart10File(new Uint8Array(await readFile(path)));
  return walkDataset(file.dataset, file.encoding).elements.map((e) => ({
    tag: e.tag,
    start: file.datasetOffset + e.start,
    valueStart: file.datasetOffset + e.valueStart,
    end: file.datasetOffset + e.end,
  }));
}

describe.concurrent('hnvue store: Big Endian, Deflated and truncated files', { timeout: 90_000 }, () => {
  const peers = [
    { name: 'an Implicit-VR-LE-only storescp (+xi)', accepts: TS.implicitVrLittleEndian },
    { name: 'an Explicit-VR-LE-only storescp (profile)', accepts: TS.explicitVrLittleEndian },
  ] as const;
  for (const peer of peers) {
    it(`FR-DICOM-04.transcode: store sends a Big Endian and a Deflated DX to ${peer.name}, re-encoded, same values and pixel bytes`, async () => {
      const out = await makeTempDir('hnvue-cli-reencode-in-');
      let args: string[] = ['+xi'];
      if (peer.accepts === TS.explicitVrLittleEndian) {
        const cfg = join(out, 'explicit-only.cfg');
        await writeFile(
          cfg,
          [
            '[[TransferSyntaxes]]',
            '[Only]',
            'TransferSyntax1 = LittleEndianExplicit',
            '[[PresentationContexts]]',
            '[OnlyContexts]',
            `PresentationContext1 = ${SOP_CLASS.digitalXRayImageStorageForPresentation}\\Only`,
            '[[Profiles]]',
            '[OnlyProfile]',
            'PresentationContexts = OnlyContexts',
            '',
          ].join('\n'),
        );
        args = ['-xf', cfg, 'OnlyProfile'];
      }
      await mkdir(join(out, 'in'));
      const storescp = await startStorescp({ args: [...args, '+uf'], outputDir: join(out, 'in') });
      try {
        const r = await hnvue([
          'store',
          '-aec',
          'STORESCP',
          '127.0.0.1',
          String(storescp.port),
          bigEndian,
          deflated,
          '--json',
        ]);
        expect(r.code, r.stderr).toBe(EXIT_CODES.ok);
        const report = JSON.parse(r.stdout) as {
          stored: number;
          failed: number;
          files: { file: string; transferSyntax: string; transcoded: boolean }[];
        };
        expect(report).toMatchObject({ stored: 2, failed: 0 });
        for (const f of report.files)
          expect(f).toMatchObject({ transferSyntax: peer.accepts, transcoded: true });
        const received = (await readdir(join(out, 'in'))).filter((f) => !f.startsWith('.'));
        expect(received).toHaveLength(2);
        const want = await content(original);
        for (const name of received) {
          const path = join(out, 'in', name);
          expect(parsePart10File(new Uint8Array(await readFile(path))).meta.transferSyntaxUid).toBe(
            peer.accepts,
          );
          const got = await content(path);
          expect(got.dataset).toEqual(want.dataset);
          expect(got.pixels.equals(want.pixels)).toBe(true);
        }
      } finally {
        await storescp.stop();
        await rmTempDir(out);
      }
    });
  }

  it('FR-DICOM-04 NFR-SEC-01: a file cut mid-Pixel Data or mid-element ends with exit 8 and one line naming file, code and byte offset; the peer sees no connection', async () => {
    const small = await elementsOf(original);
    const big = await elementsOf(large);
    const pixelOf = (els: typeof small) => els.find((e) => e.tag === 0x7fe00010)!;
    const nameOf = (els: typeof small) => els.find((e) => e.tag === 0x00100010)!;
    const cuts = [
      await cutFile(original, 'cut-mid-pixel-data.dcm', pixelOf(small).valueStart + 1001),
      await cutFile(original, 'cut-mid-element.dcm', nameOf(small).valueStart + 3),
      await cutFile(original, 'cut-mid-header.dcm', nameOf(small).start + 6),
      await cutFile(large, 'cut-large-mid-pixel-data.dcm', pixelOf(big).valueStart + 700_001),
      await cutFile(bigEndian, 'cut-be.dcm', (await readFile(bigEndian)).length - 99),
    ];
    const peer = await listener();
    try {
      for (const file of cuts) {
        const r = await hnvue(['store', '-aec', 'NOBODY', '127.0.0.1', String(peer.port), file]);
        expect(r.code, `${file}: ${r.stderr}`).toBe(EXIT_CODES.input);
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(
          new RegExp(
            `^hnvue: HNV_ERR_PART10_TRUNCATED: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .* at byte \\d+$`,
          ),
        );
        expect(r.stdout).toContain(`FAILED  ${file}  HNV_ERR_PART10_TRUNCATED`);
        for (const phi of [PATIENT.name, PATIENT.id]) expect(r.stdout + r.stderr).not.toContain(phi);
      }
      const json = await hnvue([
        'store',
        '-aec',
        'NOBODY',
        '127.0.0.1',
        String(peer.port),
        ...cuts,
        '--json',
      ]);
      expect(json.code).toBe(EXIT_CODES.input);
      const report = JSON.parse(json.stdout) as { stored: number; failed: number; files: { code: string }[] };
      expect(report).toMatchObject({ stored: 0, failed: cuts.length });
      expect(report.files.every((f) => f.code === 'HNV_ERR_PART10_TRUNCATED')).toBe(true);
      expect(peer.connections()).toBe(0);
    } finally {
      await new Promise<void>((resolve) => peer.server.close(() => resolve()));
    }
  });

  it('FR-DICOM-04.store: a truncated file among good ones is never sent; the good ones are, exit 7 (partial)', async () => {
    const out = await makeTempDir('hnvue-cli-partial-');
    const storescp = await startStorescp({ args: ['+uf'], outputDir: out });
    try {
      const cut = await cutFile(original, 'cut-in-study.dcm', (await readFile(original)).length - 10);
      const r = await hnvue([
        'store',
        '-aec',
        'STORESCP',
        '127.0.0.1',
        String(storescp.port),
        original,
        cut,
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(EXIT_CODES.partial);
      expect(JSON.parse(r.stdout)).toMatchObject({
        stored: 1,
        failed: 1,
        files: [
          { file: original, ok: true },
          { file: cut, ok: false, code: 'HNV_ERR_PART10_TRUNCATED' },
        ],
      });
      expect((await readdir(out)).filter((f) => !f.startsWith('.'))).toHaveLength(1);
    } finally {
      await storescp.stop();
      await rmTempDir(out);
    }
  });
});
