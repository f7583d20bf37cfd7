/**
 * Issue 12: files that DCMTK `dcmconv` wrote in Explicit VR Big Endian (+tb) and Deflated
 * Explicit VR LE (+td) — a 16-bit DX carrying every byte-swapped VR, a 3-frame 16-bit object
 * (OW) and an 8-bit RGB object (OB) — sent to DCMTK storescp peers that accept only Implicit VR
 * LE (`+xi`) or only Explicit VR LE (an association profile). What storescp wrote must list the
 * same elements and values as the original (dcmdump, encoding-only differences removed) and
 * carry the same Pixel Data bytes.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SOP_CLASS, TS } from '@hnvue/dicom';
import { makeTempDir, type RunningPeer, rmTempDir, run, startStorescp } from '@hnvue/testing/peers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Association } from '../../src/association.js';
import { StorageClient } from '../../src/storage/client.js';
import { storageContexts } from '../../src/storage/negotiation.js';
import { storeInstance } from '../../src/storage/scu.js';
import { decodedPixels, readPart10, writeStorescpProfile } from './helpers.js';
import { datasetDump, pixelBytes, type TestObject, writeReencodeObjects } from './reencode-objects.js';

let dir: string;
let objects: TestObject[];
const originalDumps = new Map<string, string[]>();

beforeAll(async () => {
  dir = await makeTempDir('hnv-reencode-');
  objects = await writeReencodeObjects(dir);
  for (const o of objects) originalDumps.set(o.sopInstanceUid, await datasetDump(o.explicitPath));
}, 60_000);
afterAll(async () => {
  await rmTempDir(dir);
});

/** A storescp association profile that accepts only Explicit VR LE for our three SOP classes. */
async function explicitOnlyProfile(folder: string): Promise<string> {
  const classes = [
    SOP_CLASS.digitalXRayImageStorageForPresentation,
    SOP_CLASS.multiFrameGrayscaleWordSecondaryCaptureImageStorage,
    SOP_CLASS.secondaryCaptureImageStorage,
  ];
  const cfg = [
    '[[TransferSyntaxes]]',
    '[Only]',
    'TransferSyntax1 = LittleEndianExplicit',
    '[[PresentationContexts]]',
    '[OnlyContexts]',
    ...classes.map((uid, i) => `PresentationContext${i + 1} = ${uid}\\Only`),
    '[[Profiles]]',
    '[OnlyProfile]',
    'PresentationContexts = OnlyContexts',
    '',
  ].join('\n');
  const path = join(folder, 'explicit-only.cfg');
  await writeFile(path, cfg);
  return path;
}

interface Peer {
  readonly name: string;
  readonly accepts: string;
  start(out: string): Promise<RunningPeer>;
}

const PEERS: readonly Peer[] = [
  {
    name: 'an Implicit-VR-LE-only storescp (+xi)',
    accepts: TS.implicitVrLittleEndian,
    start: async (out) => await startStorescp({ args: ['+xi', '+uf'], outputDir: out }),
  },
  {
    name: 'an Explicit-VR-LE-only storescp (profile)',
    accepts: TS.explicitVrLittleEndian,
    start: async (out) => {
      const cfg = await explicitOnlyProfile(join(out, '..'));
      return await startStorescp({ args: ['-xf', cfg, 'OnlyProfile', '+uf'], outputDir: out });
    },
  },
];

async function received(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => !f.startsWith('.')).map((f) => join(folder, f));
}

/** Each received file lists the original's elements and values and carries its Pixel Data bytes. */
async function expectSameAsOriginals(files: readonly string[], transferSyntax: string): Promise<void> {
  for (const file of files) {
    const { transferSyntax: ts, pixels } = await pixelBytes(file);
    expect(ts).toBe(transferSyntax);
    const dump = await datasetDump(file);
    const uid = /\(0008,0018\) UI \[([0-9.]+)/.exec(dump.join('\n'))?.[1];
    const original = objects.find((o) => o.sopInstanceUid === uid);
    expect(original, `received ${uid}`).toBeDefined();
    expect(dump).toEqual(originalDumps.get(uid!));
    expect(pixels.equals(original!.pixels), `${original!.label} pixel bytes`).toBe(true);
  }
}

describe('C-STORE of Big Endian and Deflated files to Little Endian only peers', { timeout: 60_000 }, () => {
  for (const peer of PEERS) {
    it(`FR-DICOM-04.transcode: Big Endian and Deflated DX, 3-frame 16-bit and RGB 8-bit files reach ${peer.name} re-encoded, every element and pixel byte equal`, async () => {
      const root = await makeTempDir('hnv-reencode-peer-');
      const out = join(root, 'in');
      await mkdir(out);
      const storescp = await peer.start(out);
      try {
        const files = objects.flatMap((o) => [o.bigEndianPath, o.deflatedPath]);
        const association = await Association.open({
          host: '127.0.0.1',
          port: storescp.port,
          callingAeTitle: 'HNVUE',
          calledAeTitle: 'STORESCP',
          presentationContexts: storageContexts(
            objects.flatMap((o) => [
              { sopClassUid: o.sopClassUid, transferSyntax: TS.explicitVrBigEndian },
              { sopClassUid: o.sopClassUid, transferSyntax: TS.deflatedExplicitVrLittleEndian },
            ]),
          ),
        });
        try {
          // The peer took neither file syntax: only its one Little Endian syntax per SOP class.
          for (const o of objects) {
            expect(
              association.acceptedContexts
                .filter((c) => c.abstractSyntax === o.sopClassUid)
                .map((c) => c.transferSyntax),
            ).toEqual([peer.accepts]);
          }
          for (const file of files) {
            expect(await storeInstance(association, file)).toMatchObject({
              status: 0,
              transferSyntax: peer.accepts,
              transcoded: true,
            });
          }
        } finally {
          await association.release();
        }
        const got = await received(out);
        expect(got).toHaveLength(files.length);
        await expectSameAsOriginals(got, peer.accepts);
      } finally {
        await storescp.stop();
        await rmTempDir(root);
      }
    });
  }

  const compressedPeers: [string, string][] = [
    [TS.jpeg2000Lossless, 'JPEG2000LosslessOnly'],
    [TS.jpegLosslessSv1, 'JPEGLossless:Non-hierarchical-1stOrderPrediction'],
  ];
  for (const [target, dcmtkName] of compressedPeers) {
    it(`FR-DICOM-04.transcode: Big Endian and Deflated DX files reach a ${target}-only storescp compressed through Explicit VR LE, and GDCM decodes the original pixels`, async () => {
      const root = await makeTempDir('hnv-reencode-compressed-');
      const cfg = await writeStorescpProfile(root, dcmtkName);
      await mkdir(join(root, 'in'));
      const storescp = await startStorescp({
        args: ['-xf', cfg, 'OnlyProfile', '+uf'],
        outputDir: join(root, 'in'),
      });
      try {
        const dx = objects.find((o) => o.label === 'dx16')!;
        const association = await Association.open({
          host: '127.0.0.1',
          port: storescp.port,
          callingAeTitle: 'HNVUE',
          calledAeTitle: 'STORESCP',
          presentationContexts: storageContexts([
            { sopClassUid: dx.sopClassUid, transferSyntax: TS.explicitVrBigEndian },
            { sopClassUid: dx.sopClassUid, transferSyntax: TS.deflatedExplicitVrLittleEndian },
          ]),
        });
        try {
          for (const file of [dx.bigEndianPath, dx.deflatedPath]) {
            expect(await storeInstance(association, file)).toMatchObject({
              status: 0,
              transferSyntax: target,
            });
          }
        } finally {
          await association.release();
        }
        const got = await received(join(root, 'in'));
        expect(got).toHaveLength(2);
        for (const file of got) {
          expect((await readPart10(file)).transferSyntax).toBe(target);
          expect((await decodedPixels(file, root)).equals(dx.pixels)).toBe(true);
        }
      } finally {
        await storescp.stop();
        await rmTempDir(root);
      }
    });
  }

  it('FR-DICOM-04.transcode: an Explicit VR LE file reaches a Big-Endian-only storescp re-encoded; DCMTK reads the same values and pixels back', async () => {
    const root = await makeTempDir('hnv-reencode-be-peer-');
    const cfg = await writeStorescpProfile(root, 'BigEndianExplicit');
    await mkdir(join(root, 'in'));
    const storescp = await startStorescp({ args: ['-xf', cfg, 'OnlyProfile'], outputDir: join(root, 'in') });
    try {
      const dx = objects.find((o) => o.label === 'dx16')!;
      const association = await Association.open({
        host: '127.0.0.1',
        port: storescp.port,
        callingAeTitle: 'HNVUE',
        calledAeTitle: 'STORESCP',
        presentationContexts: [
          { abstractSyntax: dx.sopClassUid, transferSyntaxes: [TS.explicitVrLittleEndian] },
          { abstractSyntax: dx.sopClassUid, transferSyntaxes: [TS.explicitVrBigEndian] },
        ],
      });
      try {
        // Accepted only Big Endian: the Explicit VR LE file is re-encoded to it.
        expect(
          await storeInstance(association, dx.explicitPath, { transferSyntaxes: [TS.explicitVrBigEndian] }),
        ).toMatchObject({
          status: 0,
          transferSyntax: TS.explicitVrBigEndian,
          transcoded: true,
        });
      } finally {
        await association.release();
      }
      const [file] = await received(join(root, 'in'));
      expect((await readPart10(file!)).transferSyntax).toBe(TS.explicitVrBigEndian);
      expect(await datasetDump(file!)).toEqual(originalDumps.get(dx.sopInstanceUid));
      // DCMTK's own conversion back to Little Endian gives the original Pixel Data bytes.
      const back = join(root, 'back.dcm');
      expect((await run('dcmconv', ['+te', file!, back])).code).toBe(0);
      expect((await pixelBytes(back)).pixels.equals(dx.pixels)).toBe(true);
    } finally {
      await storescp.stop();
      await rmTempDir(root);
    }
  });

  it('FR-DICOM-04 FR-DICOM-02: the storage client proposes each file own syntax plus Little Endian, and a +xi peer gets all six re-encoded', async () => {
    const root = await makeTempDir('hnv-reencode-client-');
    const storescp = await startStorescp({ args: ['+xi', '+uf'], outputDir: root });
    const strict = new StorageClient({
      host: '127.0.0.1',
      port: storescp.port,
      calledAeTitle: 'STORESCP',
      callingAeTitle: 'HNVUE',
    });
    try {
      const files = objects.flatMap((o) => [o.bigEndianPath, o.deflatedPath]);
      const outcomes = await strict.storeStudy(files);
      for (const o of outcomes) {
        expect(o.ok, o.ok ? '' : `${o.error.message}`).toBe(true);
        if (o.ok)
          expect(o.result).toMatchObject({ transferSyntax: TS.implicitVrLittleEndian, transcoded: true });
      }
      await expectSameAsOriginals(await received(root), TS.implicitVrLittleEndian);
    } finally {
      await strict.close();
      await storescp.stop();
      await rmTempDir(root);
    }
  });
});
