/**
 * Issue 12: a truncated Part 10 file is refused with HNV_ERR_PART10_TRUNCATED (@hnvue/dicom's
 * Part10TruncatedError, with the byte offset) before any association is opened for it: a
 * listening peer sees no connection. Real files cut mid-Pixel Data, mid-element header, mid-value
 * and at the element boundary before Pixel Data; small (read whole, walked in memory) and large
 * (> 1 MiB, walked from disk) files; Explicit VR LE, Big Endian and Deflated. On an association
 * already open, the refused file sends nothing and the association stays usable.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  PART10_TRUNCATED_ERROR_CODE,
  Part10TruncatedError,
  parsePart10Header,
  TS,
  walkDataset,
} from '@hnvue/dicom';
import { makeTempDir, rmTempDir, run, startStorescp } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association } from '../../src/association.js';
import { StorageClient } from '../../src/storage/client.js';
import { storageContexts } from '../../src/storage/negotiation.js';
import { resolveInstance, storeInstance } from '../../src/storage/scu.js';
import { makeImage, SOP, writeImageFile } from './helpers.js';

/** makeImage's patient attributes: never in an error message. */
const PHI = ['TEST^STORE', 'HNV-TEST-1'];

let dir: string;
let small: string;
let large: string;
const cuts: { name: string; path: string; size: number }[] = [];

/** Offsets in the file of the top-level elements of an Explicit VR LE file. */
async function layout(
  path: string,
): Promise<{ tag: number; start: number; valueStart: number; end: number }[]> {
  const file = new Uint8Array(await readFile(path));
  const { datasetOffset } = parsePart10Header(file);
  return walkDataset(file.subarray(datasetOffset), { explicitVr: true, littleEndian: true }).elements.map(
    (e) => ({
      tag: e.tag,
      start: datasetOffset + e.start,
      valueStart: datasetOffset + e.valueStart,
      end: datasetOffset + e.end,
    }),
  );
}

async function cut(name: string, from: string, length: number): Promise<void> {
  const path = join(dir, `${name}.dcm`);
  await writeFile(path, (await readFile(from)).subarray(0, length));
  cuts.push({ name, path, size: length });
}

beforeAll(async () => {
  dir = await makeTempDir('hnv-truncated-');
  small = await writeImageFile(dir, makeImage({ rows: 256, columns: 256 }), 'small.dcm');
  large = await writeImageFile(dir, makeImage({ rows: 1024, columns: 640 }), 'large.dcm');
  expect((await stat(small)).size).toBeLessThan(1 << 20);
  expect((await stat(large)).size).toBeGreaterThan(1 << 20);
  for (const [label, file] of [
    ['small', small],
    ['large', large],
  ] as const) {
    const elements = await layout(file);
    const pixel = elements.find((e) => e.tag === 0x7fe00010)!;
    const patientName = elements.find((e) => e.tag === 0x00100010)!;
    const patientId = elements.find((e) => e.tag === 0x00100020)!;
    await cut(
      `${label}-mid-pixel-data`,
      file,
      pixel.valueStart + Math.floor((pixel.end - pixel.valueStart) / 2),
    );
    await cut(`${label}-mid-element-header`, file, patientId.start + 5);
    await cut(`${label}-mid-value`, file, patientName.valueStart + 3);
    await cut(`${label}-before-pixel-data`, file, pixel.start);
  }
  const bigEndian = join(dir, 'small-be.dcm');
  const be = await run('dcmconv', ['+tb', small, bigEndian]);
  expect(be.code, be.stderr).toBe(0);
  await cut('big-endian-mid-pixel-data', bigEndian, (await stat(bigEndian)).size - 1001);
  const deflated = join(dir, 'small-deflated.dcm');
  const df = await run('dcmconv', ['+td', small, deflated]);
  expect(df.code, df.stderr).toBe(0);
  await cut('deflated-mid-stream', deflated, Math.floor((await stat(deflated)).size * 0.6));
}, 60_000);
afterAll(async () => {
  await rmTempDir(dir);
});

/** A TCP listener that counts connections and answers nothing. */
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

function expectTruncated(err: unknown, size: number): void {
  expect(err).toBeInstanceOf(Part10TruncatedError);
  const e = err as Part10TruncatedError;
  expect(e.code).toBe(PART10_TRUNCATED_ERROR_CODE);
  expect(Number.isInteger(e.offset)).toBe(true);
  expect(e.offset).toBeGreaterThanOrEqual(0);
  expect(e.message).toContain(`at byte ${e.offset}`);
  for (const phi of PHI) expect(e.message).not.toContain(phi);
  expect(JSON.stringify(e.details)).not.toMatch(new RegExp(PHI.join('|').replace('^', '\\^')));
  // A non-deflated file's offset is a file offset within it (deflated: one of the inflated bytes).
  if (!e.message.includes('inflated')) expect(e.offset).toBeLessThanOrEqual(size);
}

describe('a truncated Part 10 file is refused before any association', { timeout: 30_000 }, () => {
  it('FR-DICOM-04 NFR-SEC-01: resolveInstance throws HNV_ERR_PART10_TRUNCATED with the byte offset for every cut, no patient data in it', async () => {
    expect(cuts).toHaveLength(10);
    for (const c of cuts) {
      const err = await resolveInstance(c.path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, c.name).toBeDefined();
      expectTruncated(err, c.size);
    }
    // The uncut files resolve.
    expect((await resolveInstance(small)).sopClassUid).toBe(SOP.dx);
    expect((await resolveInstance(large)).sopClassUid).toBe(SOP.dx);
  });

  it('FR-DICOM-04.store: StorageClient.store and storeStudy fail every cut file typed, and the listening peer sees no connection', async () => {
    const peer = await listener();
    const client = new StorageClient({
      host: '127.0.0.1',
      port: peer.port,
      calledAeTitle: 'NOBODY',
      callingAeTitle: 'HNVUE',
      timeouts: { connectMs: 2000, acseMs: 2000 },
    });
    try {
      for (const c of cuts) {
        const err = await client.store(c.path).then(
          () => undefined,
          (e: unknown) => e,
        );
        expectTruncated(err, c.size);
      }
      const outcomes = await client.storeStudy(cuts.map((c) => c.path));
      expect(outcomes).toHaveLength(cuts.length);
      for (const [i, o] of outcomes.entries()) {
        expect(o.ok).toBe(false);
        if (!o.ok) expectTruncated(o.error, cuts[i]!.size);
      }
      expect(peer.connections()).toBe(0);
    } finally {
      await client.close();
      await new Promise<void>((resolve) => peer.server.close(() => resolve()));
    }
  });

  it('FR-DICOM-04.store: on an open association a truncated file sends nothing; the association then stores a good file', async () => {
    const out = await makeTempDir('hnv-truncated-out-');
    const storescp = await startStorescp({ args: ['+xa'], outputDir: out });
    try {
      const association = await Association.open({
        host: '127.0.0.1',
        port: storescp.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'STORESCP',
        presentationContexts: storageContexts([
          { sopClassUid: SOP.dx, transferSyntax: TS.explicitVrLittleEndian },
          { sopClassUid: SOP.dx, transferSyntax: TS.explicitVrBigEndian },
          { sopClassUid: SOP.dx, transferSyntax: TS.deflatedExplicitVrLittleEndian },
        ]),
      });
      try {
        for (const c of cuts) {
          const err = await storeInstance(association, c.path).then(
            () => undefined,
            (e: unknown) => e,
          );
          expectTruncated(err, c.size);
        }
        expect(association.usable).toBe(true);
        expect(await storeInstance(association, small)).toMatchObject({ status: 0, transcoded: false });
      } finally {
        await association.release();
      }
      // Only the good file arrived.
      expect((await readdir(out)).filter((f) => !f.startsWith('.'))).toHaveLength(1);
    } finally {
      await storescp.stop();
      await rmTempDir(out);
    }
  });
});
